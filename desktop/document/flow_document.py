"""The open flow: an immutable engine.model.Flow replaced by every edit, with undo, redo and saving.

Plain Python (no Qt) so it is tested without widgets; views subscribe with `subscribe()`.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from desktop.document.inverse import inverse, snapshot
from desktop.document.save_queue import SaveQueue
from engine.model import Flow, ValidationProblem, validate
from engine.model.operations import DocumentOperation, apply

#: What the Undo / Redo menu entries say for each operation.
LABELS = {
    "ADD_ACTION": "add step",
    "UPDATE_ACTION": "change step",
    "DELETE_ACTION": "delete step",
    "MOVE_ACTION": "move step",
    "DUPLICATE_ACTION": "duplicate step",
    "UPDATE_TRIGGER": "change trigger",
    "ADD_BRANCH": "add branch",
    "UPDATE_BRANCH": "change branch",
    "DELETE_BRANCH": "delete branch",
    "CHANGE_NAME": "rename flow",
    "IMPORT_FLOW": "import flow",
    "ADD_NOTE": "add note",
    "UPDATE_NOTE": "change note",
    "DELETE_NOTE": "delete note",
}

Listener = Callable[[Flow], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """One undoable edit: the operation, the operations undoing it, and the flow on either side."""

    label: str
    operation: DocumentOperation
    undo: list[DocumentOperation]
    before: Flow
    after: Flow


class FlowDocument:
    """The draft of one flow as the builder shows it; the only place that changes it."""

    def __init__(
        self,
        *,
        flow_id: str,
        flow: Flow,
        saves: SaveQueue | None = None,
        pieces: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self.flow_id = flow_id
        self._flow = flow
        self.saves = saves
        self.pieces = pieces
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []
        self._listeners: list[Listener] = []
        self._problems: list[ValidationProblem] | None = None

    @property
    def flow(self) -> Flow:
        """The current draft."""
        return self._flow

    def subscribe(self, listener: Listener) -> None:
        """Calls `listener(flow)` after every change."""
        self._listeners.append(listener)

    def edit(self, operation: DocumentOperation) -> Flow:
        """Applies an operation through engine.model.apply, records its undo and queues it for saving.

        Raises:
            FlowOperationError, FlowLoadError: the operation does not fit the flow (nothing changes).
        """
        before = self._flow
        after = apply(before, operation)
        label = LABELS.get(operation.type, operation.type.lower())
        self._undo.append(
            Edit(
                label=label,
                operation=operation,
                undo=inverse(before, operation, after),
                before=before,
                after=after,
            )
        )
        self._redo.clear()
        self._change(after, [operation])
        return after

    def undo(self) -> bool:
        """Goes back one edit; False when there is none."""
        if not self._undo:
            return False
        edit = self._undo.pop()
        self._redo.append(edit)
        self._change(edit.before, edit.undo)
        return True

    def redo(self) -> bool:
        """Makes the last undone edit again; False when there is none."""
        if not self._redo:
            return False
        edit = self._redo.pop()
        self._undo.append(edit)
        self._change(edit.after, [edit.operation])
        return True

    @property
    def undo_label(self) -> str | None:
        """What Undo would take back."""
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        """What Redo would make again."""
        return self._redo[-1].label if self._redo else None

    def replace(self, flow: Flow) -> None:
        """Shows a flow read from the server (after a reload): the undo history starts again."""
        self._undo.clear()
        self._redo.clear()
        self._change(flow, [])

    def restore_on_server(self) -> None:
        """Queues an IMPORT_FLOW of the local draft, so the server's copy becomes this one again."""
        if self.saves is not None:
            self.saves.discard()
            self.saves.push([snapshot(self._flow)])

    def problems(self) -> list[ValidationProblem]:
        """What would stop the draft from running (engine.model.validate), computed once per version."""
        if self._problems is None:
            self._problems = validate(self._flow, pieces=self.pieces)
        return self._problems

    def problems_by_step(self) -> dict[str, list[ValidationProblem]]:
        """The problems of each step (`trigger` for the trigger)."""
        grouped: dict[str, list[ValidationProblem]] = {}
        for problem in self.problems():
            grouped.setdefault(problem.step, []).append(problem)
        return grouped

    def set_pieces(self, pieces: Mapping[str, Collection[str]]) -> None:
        """The installed pieces (name → actions and triggers), for validation."""
        self.pieces = pieces
        self._problems = None
        for listener in list(self._listeners):
            listener(self._flow)

    def _change(self, flow: Flow, operations: list[DocumentOperation]) -> None:
        self._flow = flow
        self._problems = None
        if self.saves is not None and operations:
            self.saves.push(operations)
        for listener in list(self._listeners):
            listener(flow)
