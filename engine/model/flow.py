"""Flow versions: a trigger and an ordered list of steps (DESIGN.md section 3)."""

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from engine.model.base import Model

#: The flow document version this code writes; older documents are migrated on load.
SCHEMA_VERSION = 1

#: Step names are snake_case slugs, unique within a flow.
STEP_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"

StepName = Annotated[str, Field(pattern=STEP_NAME_PATTERN)]


class ConditionOperator(StrEnum):
    """Operators a router branch condition can use; text ones honour `caseSensitive`."""

    TEXT_CONTAINS = "TEXT_CONTAINS"
    TEXT_DOES_NOT_CONTAIN = "TEXT_DOES_NOT_CONTAIN"
    TEXT_EXACTLY_MATCHES = "TEXT_EXACTLY_MATCHES"
    TEXT_DOES_NOT_EXACTLY_MATCH = "TEXT_DOES_NOT_EXACTLY_MATCH"
    TEXT_START_WITH = "TEXT_START_WITH"
    TEXT_DOES_NOT_START_WITH = "TEXT_DOES_NOT_START_WITH"
    TEXT_ENDS_WITH = "TEXT_ENDS_WITH"
    TEXT_DOES_NOT_END_WITH = "TEXT_DOES_NOT_END_WITH"
    NUMBER_IS_GREATER_THAN = "NUMBER_IS_GREATER_THAN"
    NUMBER_IS_LESS_THAN = "NUMBER_IS_LESS_THAN"
    NUMBER_IS_EQUAL_TO = "NUMBER_IS_EQUAL_TO"
    BOOLEAN_IS_TRUE = "BOOLEAN_IS_TRUE"
    BOOLEAN_IS_FALSE = "BOOLEAN_IS_FALSE"
    DATE_IS_BEFORE = "DATE_IS_BEFORE"
    DATE_IS_EQUAL = "DATE_IS_EQUAL"
    DATE_IS_AFTER = "DATE_IS_AFTER"
    LIST_CONTAINS = "LIST_CONTAINS"
    LIST_DOES_NOT_CONTAIN = "LIST_DOES_NOT_CONTAIN"
    LIST_IS_EMPTY = "LIST_IS_EMPTY"
    LIST_IS_NOT_EMPTY = "LIST_IS_NOT_EMPTY"
    EXISTS = "EXISTS"
    DOES_NOT_EXIST = "DOES_NOT_EXIST"


class ErrorOption(Model):
    """One switch of a step's error handling."""

    value: bool = False


class ErrorHandlingOptions(Model):
    """What happens when a step fails: go on with the run, and/or retry with backoff first."""

    continue_on_failure: ErrorOption = ErrorOption()
    retry_on_failure: ErrorOption = ErrorOption()


class SourceCode(Model):
    """A code step's source and its npm dependencies (a package.json document as text)."""

    code: str
    package_json: str = "{}"


class CodeSettings(Model):
    """Settings of a CODE step."""

    source_code: SourceCode
    input: dict[str, Any] = {}
    error_handling_options: ErrorHandlingOptions = ErrorHandlingOptions()


class PieceSettings(Model):
    """Settings of a PIECE step: which action of which exactly pinned piece version, with what input."""

    piece_name: str
    piece_version: str
    action_name: str | None = None
    input: dict[str, Any] = {}
    error_handling_options: ErrorHandlingOptions = ErrorHandlingOptions()


class LoopSettings(Model):
    """Settings of a LOOP_ON_ITEMS step: an expression that yields the list to iterate."""

    items: str = ""


class RouterExecutionType(StrEnum):
    """Whether a router runs the first matching branch or every matching branch."""

    EXECUTE_FIRST_MATCH = "EXECUTE_FIRST_MATCH"
    EXECUTE_ALL_MATCH = "EXECUTE_ALL_MATCH"


class RouterSettings(Model):
    """Settings of a ROUTER step."""

    execution_type: RouterExecutionType = RouterExecutionType.EXECUTE_FIRST_MATCH


class BranchType(StrEnum):
    """A conditional branch, or the FALLBACK that runs when none matched."""

    CONDITION = "CONDITION"
    FALLBACK = "FALLBACK"


class Condition(Model):
    """One comparison; a branch's conditions are an OR of AND-groups."""

    first_value: Any = None
    operator: ConditionOperator
    second_value: Any = None
    case_sensitive: bool = False


class _StepBase(Model):
    name: StepName
    display_name: str = ""
    skip: bool = False


class CodeStep(_StepBase):
    """JavaScript/TypeScript run in the Deno runtime."""

    type: Literal["CODE"] = "CODE"
    settings: CodeSettings


class PieceStep(_StepBase):
    """An action of a piece."""

    type: Literal["PIECE"] = "PIECE"
    settings: PieceSettings


class LoopStep(_StepBase):
    """Runs its child steps once per item of a list."""

    type: Literal["LOOP_ON_ITEMS"] = "LOOP_ON_ITEMS"
    settings: LoopSettings = LoopSettings()
    steps: "list[Step]" = []


class Branch(Model):
    """One way out of a router."""

    branch_name: str
    branch_type: BranchType = BranchType.CONDITION
    conditions: list[list[Condition]] = []
    steps: "list[Step]" = []


class RouterStep(_StepBase):
    """Runs the branches whose conditions match, or the FALLBACK."""

    type: Literal["ROUTER"] = "ROUTER"
    settings: RouterSettings = RouterSettings()
    branches: list[Branch] = []


Step = Annotated[CodeStep | PieceStep | LoopStep | RouterStep, Field(discriminator="type")]


class PieceTriggerSettings(Model):
    """Which trigger of which exactly pinned piece version starts the flow."""

    piece_name: str
    piece_version: str
    trigger_name: str | None = None
    input: dict[str, Any] = {}


class EmptyTrigger(Model):
    """A trigger not configured yet."""

    name: Literal["trigger"] = "trigger"
    display_name: str = "Select trigger"
    type: Literal["EMPTY"] = "EMPTY"


class PieceTrigger(Model):
    """A piece trigger: webhook, schedule, polling, app webhook."""

    name: Literal["trigger"] = "trigger"
    display_name: str = ""
    type: Literal["PIECE_TRIGGER"] = "PIECE_TRIGGER"
    settings: PieceTriggerSettings


Trigger = Annotated[EmptyTrigger | PieceTrigger, Field(discriminator="type")]


class Note(Model):
    """A sticky note on the canvas."""

    id: str
    content: str = ""
    x: float = 0
    y: float = 0


class Flow(Model):
    """One version of a flow: its trigger, its steps in order, and canvas notes."""

    schema_version: int = SCHEMA_VERSION
    display_name: str = "Untitled"
    trigger: Trigger = EmptyTrigger()
    steps: list[Step] = []
    notes: list[Note] = []

    @model_validator(mode="after")
    def _names_are_unique(self) -> Self:
        seen: set[str] = {"trigger"}
        for step in iter_steps(self.steps):
            if step.name in seen:
                raise ValueError(f"step name {step.name!r} is used more than once")
            seen.add(step.name)
        return self

    def step(self, name: str) -> CodeStep | PieceStep | LoopStep | RouterStep | None:
        """Returns the step with this name at any depth, or None."""
        return next((s for s in iter_steps(self.steps) if s.name == name), None)


def iter_steps(
    steps: list[CodeStep | PieceStep | LoopStep | RouterStep],
) -> Iterator[CodeStep | PieceStep | LoopStep | RouterStep]:
    """Yields every step depth-first, in execution order: a loop or router before its children."""
    for step in steps:
        yield step
        if isinstance(step, LoopStep):
            yield from iter_steps(step.steps)
        elif isinstance(step, RouterStep):
            for branch in step.branches:
                yield from iter_steps(branch.steps)


def _rebuild() -> None:
    namespace: dict[str, Any] = {"Step": Step}
    LoopStep.model_rebuild(_types_namespace=namespace)
    Branch.model_rebuild(_types_namespace=namespace)
    RouterStep.model_rebuild(_types_namespace=namespace)
    Flow.model_rebuild(_types_namespace=namespace)


_rebuild()
