"""The store and files piece steps of a run use: the caller's, or in-memory ones per run.

A server attaches its database-backed store and files to a run for the time it executes
(`attached`); piece steps of that run then use them. A run with none attached (the CLI, tests)
gets its own in-memory store and files: steps of one run share them (a later step reads what an
earlier one wrote), nothing leaks between runs, flows or projects, and nothing outlives the
process. The most recent such runs are kept; older ones are dropped.
"""

import contextlib
from collections import OrderedDict
from collections.abc import Iterator

from pieces.framework import Files, InMemoryFiles, InMemoryStore, Store

#: How many runs' resources are kept in memory.
MAX_RUNS = 64


class RunResources:
    """A map of run id to that run's store and files: attached ones, or bounded in-memory ones."""

    def __init__(self, *, max_runs: int = MAX_RUNS) -> None:
        self._max_runs = max_runs
        self._runs: OrderedDict[str, tuple[Store, Files]] = OrderedDict()
        self._attached: dict[str, tuple[Store, Files]] = {}

    def for_run(self, run_id: str) -> tuple[Store, Files]:
        """The store and files of this run: the attached ones, else in-memory ones made on first use."""
        attached = self._attached.get(run_id)
        if attached is not None:
            return attached
        found = self._runs.get(run_id)
        if found is None:
            found = (InMemoryStore(flow_id=run_id), InMemoryFiles())
            self._runs[run_id] = found
            while len(self._runs) > self._max_runs:
                self._runs.popitem(last=False)
        else:
            self._runs.move_to_end(run_id)
        return found

    @contextlib.contextmanager
    def attached(self, run_id: str, *, store: Store, files: Files) -> Iterator[None]:
        """Makes `store` and `files` the run's for the duration of the block (its execution)."""
        self._attached[run_id] = (store, files)
        try:
            yield
        finally:
            self._attached.pop(run_id, None)


#: The resources piece steps use when the executor passes none.
DEFAULT_RUN_RESOURCES = RunResources()
