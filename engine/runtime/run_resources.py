"""In-memory store and files per run, for piece steps when the caller provides none.

Until the server's database-backed store exists, each run gets its own in-memory store and files:
steps of one run share them (a later step reads what an earlier one wrote), nothing leaks
between runs, flows or projects, and nothing outlives the process. The most recent runs are
kept; older ones are dropped.
"""

from collections import OrderedDict

from pieces.framework import InMemoryFiles, InMemoryStore

#: How many runs' resources are kept in memory.
MAX_RUNS = 64


class RunResources:
    """A bounded map of run id to that run's in-memory store and files."""

    def __init__(self, *, max_runs: int = MAX_RUNS) -> None:
        self._max_runs = max_runs
        self._runs: OrderedDict[str, tuple[InMemoryStore, InMemoryFiles]] = OrderedDict()

    def for_run(self, run_id: str) -> tuple[InMemoryStore, InMemoryFiles]:
        """The store and files of this run, created on first use."""
        found = self._runs.get(run_id)
        if found is None:
            found = (InMemoryStore(flow_id=run_id), InMemoryFiles())
            self._runs[run_id] = found
            while len(self._runs) > self._max_runs:
                self._runs.popitem(last=False)
        else:
            self._runs.move_to_end(run_id)
        return found


#: The resources piece steps use when the executor passes none.
DEFAULT_RUN_RESOURCES = RunResources()
