"""The operations that undo an operation: each edit type knows its inverse, checked against a snapshot.

Undo must reach the server as operations too, so an undo is a list of ordinary operations. Each
one is computed from the flow before the edit; the result is checked by applying it, and when it
would not give back exactly the flow before (an unusual edit, such as turning a router with
branches into a code step), the inverse is an IMPORT_FLOW of the snapshot, which always does.
"""

import logging
from collections.abc import Callable

from desktop.document.placement import Placement, container_of, placement_of
from engine.model import Flow, FlowLoadError, FlowOperationError, RouterStep, iter_steps
from engine.model.operation_requests import NotePosition
from engine.model.operations import (
    AddActionOperation,
    AddActionRequest,
    AddBranchOperation,
    AddBranchRequest,
    AddNoteOperation,
    AddNoteRequest,
    ChangeNameOperation,
    ChangeNameRequest,
    DeleteActionOperation,
    DeleteActionRequest,
    DeleteBranchOperation,
    DeleteBranchRequest,
    DeleteNoteOperation,
    DeleteNoteRequest,
    DocumentOperation,
    DuplicateActionOperation,
    ImportFlowOperation,
    MoveActionOperation,
    MoveActionRequest,
    UpdateActionOperation,
    UpdateBranchOperation,
    UpdateBranchRequest,
    UpdateNoteOperation,
    UpdateNoteRequest,
    UpdateTriggerOperation,
    apply,
)

log = logging.getLogger(__name__)

Operations = list[DocumentOperation]


def inverse(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    """Operations that turn `after` (= apply(before, operation)) back into `before`."""
    compute = _INVERSES.get(operation.type)
    try:
        undo = compute(before, operation, after) if compute is not None else None
        if undo is not None and _replay(after, undo) == before:
            return undo
    except (FlowOperationError, FlowLoadError, ValueError) as err:
        log.debug("inverse of %s falls back to a snapshot: %s", operation.type, err)
    return [snapshot(before)]


def snapshot(flow: Flow) -> ImportFlowOperation:
    """An IMPORT_FLOW that puts this exact flow back."""
    return ImportFlowOperation(request=flow.model_dump(mode="json"))


def _replay(flow: Flow, operations: Operations) -> Flow:
    for operation in operations:
        flow = apply(flow, operation)
    return flow


def _add(step_flow: Flow, name: str, place: Placement) -> AddActionOperation:
    step = step_flow.step(name)
    if step is None:
        raise ValueError(f"no step {name!r}")
    return AddActionOperation(
        request=AddActionRequest(
            parent_step=place.parent,
            step_location_relative_to_parent=place.location,
            branch_index=place.branch_index,
            action=step,
        )
    )


def _of_add(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, AddActionOperation)
    names = [step.name for step in iter_steps([operation.request.action])]
    return [DeleteActionOperation(request=DeleteActionRequest(names=names[:1]))]


def _of_delete(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, DeleteActionOperation)
    request = operation.request
    targets = {*request.names, *([request.name] if request.name else [])}
    undo: Operations = []
    inside_deleted: set[str] = set()
    for step in iter_steps(before.steps):
        if step.name in targets and step.name not in inside_deleted:
            place = placement_of(before, step.name)
            assert place is not None
            undo.append(_add(before, step.name, place))
            inside_deleted |= {child.name for child in iter_steps([step])}
    return undo


def _of_update(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, UpdateActionOperation)
    old = before.step(operation.request.name)
    if old is None:
        raise ValueError("no such step")
    return [UpdateActionOperation(request=old)]


def _of_move(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, MoveActionOperation)
    place = placement_of(before, operation.request.name)
    assert place is not None
    return [
        MoveActionOperation(
            request=MoveActionRequest(
                name=operation.request.name,
                new_parent_step=place.parent,
                step_location_relative_to_new_parent=place.location,
                branch_index=place.branch_index,
            )
        )
    ]


def _of_duplicate(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, DuplicateActionOperation)
    name = operation.request.step_name
    container = container_of(after, name)
    assert container is not None
    index = next(i for i, step in enumerate(container) if step.name == name)
    copy = container[index + 1].name
    return [DeleteActionOperation(request=DeleteActionRequest(names=[copy]))]


def _of_trigger(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    return [UpdateTriggerOperation(request=before.trigger)]


def _of_name(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    return [ChangeNameOperation(request=ChangeNameRequest(display_name=before.display_name))]


def _router(flow: Flow, name: str) -> RouterStep:
    step = flow.step(name)
    if not isinstance(step, RouterStep):
        raise ValueError(f"{name!r} is not a router")
    return step


def _of_add_branch(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, AddBranchOperation)
    request = operation.request
    return [
        DeleteBranchOperation(
            request=DeleteBranchRequest(
                step_name=request.step_name, branch_index=request.branch_index
            )
        )
    ]


def _of_update_branch(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, UpdateBranchOperation)
    request = operation.request
    branch = _router(before, request.step_name).branches[request.branch_index]
    fallback = branch.branch_type == "FALLBACK"
    return [
        UpdateBranchOperation(
            request=UpdateBranchRequest(
                step_name=request.step_name,
                branch_index=request.branch_index,
                branch_name=branch.branch_name,
                conditions=None if fallback else branch.conditions,
            )
        )
    ]


def _of_delete_branch(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, DeleteBranchOperation)
    request = operation.request
    branch = _router(before, request.step_name).branches[request.branch_index]
    undo: Operations = [
        AddBranchOperation(
            request=AddBranchRequest(
                step_name=request.step_name,
                branch_index=request.branch_index,
                branch_name=branch.branch_name,
                conditions=branch.conditions,
            )
        )
    ]
    for step in branch.steps:
        place = placement_of(before, step.name)
        assert place is not None
        undo.append(_add(before, step.name, place))
    return undo


def _of_import(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    return [snapshot(before)]


def _of_add_note(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, AddNoteOperation)
    return [DeleteNoteOperation(request=DeleteNoteRequest(id=operation.request.id))]


def _of_note_change(before: Flow, operation: DocumentOperation, after: Flow) -> Operations:
    assert isinstance(operation, UpdateNoteOperation | DeleteNoteOperation)
    note = next(n for n in before.notes if n.id == operation.request.id)
    position = NotePosition(x=note.x, y=note.y)
    if isinstance(operation, DeleteNoteOperation):
        index = before.notes.index(note)
        if index != len(before.notes) - 1:
            raise ValueError("notes are re-added at the end")
        return [
            AddNoteOperation(
                request=AddNoteRequest(id=note.id, content=note.content, position=position)
            )
        ]
    return [
        UpdateNoteOperation(
            request=UpdateNoteRequest(id=note.id, content=note.content, position=position)
        )
    ]


_INVERSES: dict[str, Callable[[Flow, DocumentOperation, Flow], Operations]] = {
    "ADD_ACTION": _of_add,
    "DELETE_ACTION": _of_delete,
    "UPDATE_ACTION": _of_update,
    "MOVE_ACTION": _of_move,
    "DUPLICATE_ACTION": _of_duplicate,
    "UPDATE_TRIGGER": _of_trigger,
    "CHANGE_NAME": _of_name,
    "ADD_BRANCH": _of_add_branch,
    "UPDATE_BRANCH": _of_update_branch,
    "DELETE_BRANCH": _of_delete_branch,
    "IMPORT_FLOW": _of_import,
    "ADD_NOTE": _of_add_note,
    "UPDATE_NOTE": _of_note_change,
    "DELETE_NOTE": _of_note_change,
}
