"""Flow edit operations (`{type, request}`, as in Activepieces) and the one pure function that applies them."""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from engine.model.activepieces import is_activepieces_document, load_activepieces
from engine.model.base import Model
from engine.model.branch_edits import add_branch, delete_branch, update_branch
from engine.model.flow import Flow, Note, Step, Trigger
from engine.model.loading import load_flow, problems_from
from engine.model.operation_errors import (
    DuplicateNoteError,
    FlowOperationError,
    InvalidStepChangeError,
    NoteNotFoundError,
)
from engine.model.operation_requests import (
    AddActionRequest,
    AddBranchRequest,
    AddNoteRequest,
    DeleteActionRequest,
    DeleteBranchRequest,
    DeleteNoteRequest,
    DuplicateActionRequest,
    MoveActionRequest,
    UpdateBranchRequest,
    UpdateNoteRequest,
)
from engine.model.step_edits import (
    add_action,
    delete_action,
    duplicate_action,
    move_action,
    update_action,
)


class ImportFlowOperation(Model):
    """Replace the draft with a whole flow document: ours, or an Activepieces export."""

    type: Literal["IMPORT_FLOW"] = "IMPORT_FLOW"
    request: dict[str, Any]


class ChangeNameRequest(Model):
    """The new display name."""

    display_name: str = Field(min_length=1, max_length=200)


class ChangeNameOperation(Model):
    """Rename the flow."""

    type: Literal["CHANGE_NAME"] = "CHANGE_NAME"
    request: ChangeNameRequest


class AddActionOperation(Model):
    """Add a step."""

    type: Literal["ADD_ACTION"] = "ADD_ACTION"
    request: AddActionRequest


class UpdateActionOperation(Model):
    """Replace a step's settings (the request is the step, found by its name)."""

    type: Literal["UPDATE_ACTION"] = "UPDATE_ACTION"
    request: Step


class DeleteActionOperation(Model):
    """Delete steps."""

    type: Literal["DELETE_ACTION"] = "DELETE_ACTION"
    request: DeleteActionRequest


class MoveActionOperation(Model):
    """Move a step."""

    type: Literal["MOVE_ACTION"] = "MOVE_ACTION"
    request: MoveActionRequest


class DuplicateActionOperation(Model):
    """Copy a step right after itself."""

    type: Literal["DUPLICATE_ACTION"] = "DUPLICATE_ACTION"
    request: DuplicateActionRequest


class UpdateTriggerOperation(Model):
    """Replace the trigger."""

    type: Literal["UPDATE_TRIGGER"] = "UPDATE_TRIGGER"
    request: Trigger


class AddBranchOperation(Model):
    """Add a router branch."""

    type: Literal["ADD_BRANCH"] = "ADD_BRANCH"
    request: AddBranchRequest


class UpdateBranchOperation(Model):
    """Rename a router branch or replace its conditions."""

    type: Literal["UPDATE_BRANCH"] = "UPDATE_BRANCH"
    request: UpdateBranchRequest


class DeleteBranchOperation(Model):
    """Delete a router branch."""

    type: Literal["DELETE_BRANCH"] = "DELETE_BRANCH"
    request: DeleteBranchRequest


class AddNoteOperation(Model):
    """Add a canvas note."""

    type: Literal["ADD_NOTE"] = "ADD_NOTE"
    request: AddNoteRequest


class UpdateNoteOperation(Model):
    """Change a canvas note."""

    type: Literal["UPDATE_NOTE"] = "UPDATE_NOTE"
    request: UpdateNoteRequest


class DeleteNoteOperation(Model):
    """Delete a canvas note."""

    type: Literal["DELETE_NOTE"] = "DELETE_NOTE"
    request: DeleteNoteRequest


class LockAndPublishOperation(Model):
    """Publish the draft as a new locked version and enable the flow."""

    type: Literal["LOCK_AND_PUBLISH"] = "LOCK_AND_PUBLISH"
    request: dict[str, Any] = {}


class ChangeStatusRequest(Model):
    """ENABLED or DISABLED."""

    status: Literal["ENABLED", "DISABLED"]


class ChangeStatusOperation(Model):
    """Turn the published flow on or off."""

    type: Literal["CHANGE_STATUS"] = "CHANGE_STATUS"
    request: ChangeStatusRequest


class ChangeFolderRequest(Model):
    """The folder to move the flow into, or None for no folder."""

    folder_id: str | None = None


class ChangeFolderOperation(Model):
    """Move the flow into a folder of its project."""

    type: Literal["CHANGE_FOLDER"] = "CHANGE_FOLDER"
    request: ChangeFolderRequest


#: Operations that change the flow document (the others change the flow's state on the server).
DocumentOperation = (
    ImportFlowOperation
    | ChangeNameOperation
    | AddActionOperation
    | UpdateActionOperation
    | DeleteActionOperation
    | MoveActionOperation
    | DuplicateActionOperation
    | UpdateTriggerOperation
    | AddBranchOperation
    | UpdateBranchOperation
    | DeleteBranchOperation
    | AddNoteOperation
    | UpdateNoteOperation
    | DeleteNoteOperation
)

#: The same, as a tuple for isinstance().
DOCUMENT_OPERATIONS = DocumentOperation.__args__

FlowOperation = Annotated[
    DocumentOperation | LockAndPublishOperation | ChangeStatusOperation | ChangeFolderOperation,
    Field(discriminator="type"),
]

_Edit = Callable[[dict[str, Any], Any], None]

#: Operations that edit the step tree, applied to a JSON copy of the document.
_DOCUMENT_EDITS: dict[str, _Edit] = {
    "ADD_ACTION": add_action,
    "UPDATE_ACTION": update_action,
    "DELETE_ACTION": delete_action,
    "MOVE_ACTION": move_action,
    "DUPLICATE_ACTION": duplicate_action,
    "ADD_BRANCH": add_branch,
    "UPDATE_BRANCH": update_branch,
    "DELETE_BRANCH": delete_branch,
}


def apply(flow: Flow, operation: DocumentOperation) -> Flow:
    """Returns the flow after the operation; the input is never changed.

    Args:
        flow: the current flow version.
        operation: a document operation.

    Returns:
        A new flow.

    Raises:
        FlowLoadError: an imported document is not a valid flow.
        FlowOperationError: the operation would break the flow (a subclass says how, and its
            `step` and `field` say where).
    """
    if isinstance(operation, ImportFlowOperation):
        document = operation.request
        imported = (
            load_activepieces(document)
            if is_activepieces_document(document)
            else load_flow(document)
        )
        return imported.model_copy(
            update={"display_name": imported.display_name or flow.display_name}
        )
    if isinstance(operation, ChangeNameOperation):
        return flow.model_copy(update={"display_name": operation.request.display_name})
    if isinstance(operation, UpdateTriggerOperation):
        return flow.model_copy(update={"trigger": operation.request})
    if isinstance(operation, AddNoteOperation | UpdateNoteOperation | DeleteNoteOperation):
        return flow.model_copy(update={"notes": _edited_notes(flow.notes, operation)})
    document = flow.model_dump(mode="json")
    _DOCUMENT_EDITS[operation.type](document, operation.request)
    try:
        return Flow.model_validate(document)
    except ValidationError as err:
        problems = "; ".join(str(p) for p in problems_from(err))
        raise InvalidStepChangeError(f"the change would make the flow invalid: {problems}") from err


def _edited_notes(
    notes: list[Note], operation: AddNoteOperation | UpdateNoteOperation | DeleteNoteOperation
) -> list[Note]:
    request = operation.request
    index = next((i for i, note in enumerate(notes) if note.id == request.id), None)
    if isinstance(request, AddNoteRequest):
        if index is not None:
            raise DuplicateNoteError(
                f"id: a note with id {request.id!r} already exists", step=request.id, field="id"
            )
        position = request.position
        return [*notes, Note(id=request.id, content=request.content, x=position.x, y=position.y)]
    if index is None:
        raise NoteNotFoundError(
            f"id: there is no note with id {request.id!r}", step=request.id, field="id"
        )
    if isinstance(request, DeleteNoteRequest):
        return [note for i, note in enumerate(notes) if i != index]
    changes: dict[str, Any] = {}
    if request.content is not None:
        changes["content"] = request.content
    if request.position is not None:
        changes.update(x=request.position.x, y=request.position.y)
    return [note.model_copy(update=changes) if i == index else note for i, note in enumerate(notes)]


__all__ = [
    "DOCUMENT_OPERATIONS",
    "AddActionOperation",
    "AddActionRequest",
    "AddBranchOperation",
    "AddBranchRequest",
    "AddNoteOperation",
    "AddNoteRequest",
    "ChangeFolderOperation",
    "ChangeFolderRequest",
    "ChangeNameOperation",
    "ChangeNameRequest",
    "ChangeStatusOperation",
    "ChangeStatusRequest",
    "DeleteActionOperation",
    "DeleteActionRequest",
    "DeleteBranchOperation",
    "DeleteBranchRequest",
    "DeleteNoteOperation",
    "DeleteNoteRequest",
    "DocumentOperation",
    "DuplicateActionOperation",
    "DuplicateActionRequest",
    "FlowOperation",
    "FlowOperationError",
    "ImportFlowOperation",
    "LockAndPublishOperation",
    "MoveActionOperation",
    "MoveActionRequest",
    "UpdateActionOperation",
    "UpdateBranchOperation",
    "UpdateBranchRequest",
    "UpdateNoteOperation",
    "UpdateNoteRequest",
    "UpdateTriggerOperation",
    "apply",
]
