"""Flow edit operations (`{type, request}`) and the one pure function that applies them."""

from typing import Annotated, Any, Literal

from pydantic import Field

from engine.model.base import Model
from engine.model.flow import Flow
from engine.model.loading import load_flow


class ImportFlowOperation(Model):
    """Replace the draft with a whole flow document."""

    type: Literal["IMPORT_FLOW"] = "IMPORT_FLOW"
    request: dict[str, Any]


class ChangeNameRequest(Model):
    """The new display name."""

    display_name: str = Field(min_length=1, max_length=200)


class ChangeNameOperation(Model):
    """Rename the flow."""

    type: Literal["CHANGE_NAME"] = "CHANGE_NAME"
    request: ChangeNameRequest


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


FlowOperation = Annotated[
    ImportFlowOperation | ChangeNameOperation | LockAndPublishOperation | ChangeStatusOperation,
    Field(discriminator="type"),
]

#: Operations that change the flow document (the others change the flow's state on the server).
DocumentOperation = ImportFlowOperation | ChangeNameOperation


def apply(flow: Flow, operation: DocumentOperation) -> Flow:
    """Returns the flow after the operation; the input is not changed.

    Raises:
        FlowLoadError: an imported document is not a valid flow.
    """
    if isinstance(operation, ImportFlowOperation):
        imported = load_flow(operation.request)
        return imported.model_copy(
            update={"display_name": imported.display_name or flow.display_name}
        )
    return flow.model_copy(update={"display_name": operation.request.display_name})
