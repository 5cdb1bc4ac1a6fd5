"""Where a run's log is kept: the RunStore protocol, and an in-memory store."""

from typing import Protocol

from engine.model import Checkpoint, RunLog, StepRecord


class RunTakenOverError(BaseException):
    """Another execution owns the run now (its worker was taken for dead and the run was
    started again elsewhere): this one must stop without writing anything more.

    A BaseException, like a crash: no step's error handling may catch it.
    """

    def __init__(self, run_id: str) -> None:
        self.message = f"run {run_id} is executed elsewhere now; this execution stops"
        super().__init__(self.message)


class RunStore(Protocol):
    """Keeps run logs durably; the server stores them in Postgres, tests in memory.

    A checkpoint is written once the store returned from `save`: an execution that crashes
    afterwards finds it in `load`.
    """

    async def load(self, run_id: str) -> RunLog:
        """The run's log so far; an empty RunLog for a run that never executed."""
        ...

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        """Appends the checkpoint's entries and takes over its state.

        Raises:
            RunTakenOverError: the run was started again since this execution loaded it.
        """
        ...


class InMemoryRunStore:
    """A RunStore in memory (tests, `piecework run`, benchmarks): the newest `max_runs` logs.

    Entries are kept as JSON, appended to a list per run, as a database would keep them: saving a
    checkpoint costs its own entries only, and memory holds the log's size rather than objects.
    """

    def __init__(self, *, max_runs: int = 1000) -> None:
        self.max_runs = max_runs
        self._entries: dict[str, list[str]] = {}
        self._states: dict[str, RunLog] = {}
        #: How many checkpoints were saved, per run.
        self.saves: dict[str, int] = {}

    async def load(self, run_id: str) -> RunLog:
        return self.log(run_id)

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        entries = self._entries.pop(run_id, [])
        entries.extend(entry.model_dump_json() for entry in checkpoint.entries)
        self._entries[run_id] = entries
        previous = self._states.pop(run_id, RunLog())
        self._states[run_id] = previous.with_checkpoint(
            checkpoint.model_copy(update={"entries": []})
        )
        self.saves[run_id] = self.saves.get(run_id, 0) + 1
        while len(self._entries) > self.max_runs:
            oldest = next(iter(self._entries))
            del self._entries[oldest], self._states[oldest]
            self.saves.pop(oldest, None)

    def log(self, run_id: str) -> RunLog:
        """The run's whole log (empty for an unknown run)."""
        state = self._states.get(run_id)
        if state is None:
            return RunLog()
        entries = [StepRecord.model_validate_json(entry) for entry in self._entries[run_id]]
        return state.model_copy(update={"entries": entries})

    @property
    def logs(self) -> dict[str, RunLog]:
        """Every kept log by run id."""
        return {run_id: self.log(run_id) for run_id in self._entries}

    def replace(self, run_id: str, log: RunLog) -> None:
        """Puts a whole log in place (a retry starts from a trimmed log)."""
        self._entries.pop(run_id, None)
        self._states.pop(run_id, None)
        self._entries[run_id] = [entry.model_dump_json() for entry in log.entries]
        self._states[run_id] = log.model_copy(update={"entries": []})
