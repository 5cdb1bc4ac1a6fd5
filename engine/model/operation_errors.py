"""Errors of flow edit operations: each has a stable code and names the step and field at fault."""


class FlowOperationError(ValueError):
    """An operation that would break the flow; the flow is left unchanged.

    Attributes:
        code: a stable machine-readable code.
        message: what is wrong and what to do, for people.
        step: the step (or router, or note id) at fault, if any.
        field: the request field at fault, if any.
    """

    code = "INVALID_OPERATION"

    def __init__(self, message: str, *, step: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.step = step
        self.field = field
        super().__init__(message)


class StepNotFoundError(FlowOperationError):
    """The operation names a step the flow does not have."""

    code = "STEP_NOT_FOUND"


class DuplicateStepNameError(FlowOperationError):
    """The operation would give two steps the same name."""

    code = "DUPLICATE_STEP_NAME"


class InvalidStepLocationError(FlowOperationError):
    """A step cannot go where the operation puts it (e.g. INSIDE_LOOP of a step that is no loop)."""

    code = "INVALID_STEP_LOCATION"


class MoveIntoItselfError(FlowOperationError):
    """A loop or router cannot be moved into itself or one of its own children."""

    code = "MOVE_INTO_ITSELF"


class BranchNotFoundError(FlowOperationError):
    """The router has no branch at the given index."""

    code = "BRANCH_NOT_FOUND"


class FallbackBranchError(FlowOperationError):
    """The FALLBACK branch cannot be deleted, given conditions, or preceded by nothing."""

    code = "FALLBACK_BRANCH"


class NoteNotFoundError(FlowOperationError):
    """The operation names a note the flow does not have."""

    code = "NOTE_NOT_FOUND"


class DuplicateNoteError(FlowOperationError):
    """A note with this id already exists."""

    code = "DUPLICATE_NOTE"


class InvalidStepChangeError(FlowOperationError):
    """An update would drop a loop's or router's children, or produce an invalid step."""

    code = "INVALID_STEP_CHANGE"


class WrongStepTypeError(FlowOperationError):
    """The operation needs a step of another type (e.g. a branch operation on a step that is no router)."""

    code = "WRONG_STEP_TYPE"
