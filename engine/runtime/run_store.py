"""Where a run's log is kept: the RunStore protocol, and an in-memory store."""

from typing import Protocol

from engine.model import Checkpoint, RunLog


class RunStore(Protocol):
    """Keeps run logs durably; the server stores them in Postgres, tests in memory.

    A checkpoint is written once the store returned from `save`: an execution that crashes
    afterwards finds it in `load`.
    """

    async def load(self, run_id: str) -> RunLog:
        """The run's log so far; an empty RunLog for a run that never executed."""
        ...

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        """Appends the checkpoint's entries and takes over its state."""
        ...


class InMemoryRunStore:
    """A RunStore in a dict (tests, `piecework run`, benchmarks): the newest `max_runs` logs."""

    def __init__(self, *, max_runs: int = 1000) -> None:
        self.max_runs = max_runs
        self.logs: dict[str, RunLog] = {}
        #: How many checkpoints were saved, per run.
        self.saves: dict[str, int] = {}

    async def load(self, run_id: str) -> RunLog:
        return self.logs.get(run_id, RunLog())

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        self.logs[run_id] = self.logs.pop(run_id, RunLog()).with_checkpoint(checkpoint)
        self.saves[run_id] = self.saves.get(run_id, 0) + 1
        while len(self.logs) > self.max_runs:
            oldest = next(iter(self.logs))
            del self.logs[oldest]
            self.saves.pop(oldest, None)

    def replace(self, run_id: str, log: RunLog) -> None:
        """Puts a whole log in place (a retry starts from a trimmed log)."""
        self.logs[run_id] = log
