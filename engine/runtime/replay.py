"""Replay: an execution reuses what the run log recorded instead of running it again."""

import hashlib
from collections.abc import Iterable, Mapping

from engine.model import Flow, LoopStep, RouterStep, StepRecord, iter_steps
from engine.runtime.errors import EngineError

#: The trigger's name in the log.
TRIGGER = "trigger"


class ReplayError(EngineError):
    """The run log does not match the flow it is replayed on."""

    code = "REPLAY_MISMATCH"


def fingerprints(flow: Flow) -> dict[str, tuple[str, str]]:
    """Each step's (type, fingerprint) by name, the trigger included.

    A fingerprint hashes the step's own settings: a loop's or router's children are not part of
    it (they have their own), a router's branch conditions are.
    """
    prints: dict[str, tuple[str, str]] = {
        TRIGGER: (flow.trigger.type, _digest(flow.trigger.model_dump_json()))
    }
    for step in iter_steps(flow.steps):
        if isinstance(step, LoopStep):
            text = step.model_dump_json(exclude={"steps"})
        elif isinstance(step, RouterStep):
            text = step.model_dump_json(exclude={"branches": {"__all__": {"steps"}}})
        else:
            text = step.model_dump_json()
        prints[step.name] = (step.type, _digest(text))
    return prints


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


class Replay:
    """The recorded entries of a run by path (the last record of a path counts)."""

    def __init__(
        self, entries: Iterable[StepRecord], prints: Mapping[str, tuple[str, str]]
    ) -> None:
        """Raises ReplayError when an entry names a step that is gone or has changed."""
        self._by_path: dict[str, StepRecord] = {}
        for entry in entries:
            expected = prints.get(entry.name)
            if expected is None:
                raise ReplayError(
                    f"The run recorded step {entry.name!r}, which this flow version does not "
                    "have; retry the run on the latest version instead"
                )
            if expected != (entry.type, entry.fingerprint):
                raise ReplayError(
                    f"Step {entry.name!r} changed since the run recorded it; "
                    "retry the run on the latest version instead"
                )
            self._by_path[entry.path] = entry

    def get(self, path: str) -> StepRecord | None:
        """The record of the step at `path`, if the run has one."""
        return self._by_path.get(path)

    def __len__(self) -> int:
        return len(self._by_path)
