"""The `request` bodies of flow edit operations, in Activepieces' field names."""

from typing import Literal

from pydantic import Field

from engine.model.base import Model
from engine.model.flow import Condition, Step

#: Where a new or moved step goes relative to its parent step.
StepLocation = Literal["AFTER", "INSIDE_LOOP", "INSIDE_BRANCH"]


class AddActionRequest(Model):
    """Add `action` AFTER `parentStep` (`trigger` for the start), or first INSIDE_LOOP / INSIDE_BRANCH."""

    parent_step: str
    step_location_relative_to_parent: StepLocation = "AFTER"
    branch_index: int | None = None
    action: Step


class DeleteActionRequest(Model):
    """Delete steps by name (a loop or router goes with its children); `name` is the older shape."""

    names: list[str] = []
    name: str | None = None


class MoveActionRequest(Model):
    """Move a step (with its children) AFTER / INSIDE_LOOP / INSIDE_BRANCH of another step."""

    name: str
    new_parent_step: str
    step_location_relative_to_new_parent: StepLocation = "AFTER"
    branch_index: int | None = None


class DuplicateActionRequest(Model):
    """Copy a step (and its children, renamed) right after itself."""

    step_name: str


class AddBranchRequest(Model):
    """Insert a conditional branch into a router at `branchIndex` (before the FALLBACK)."""

    step_name: str
    branch_index: int
    branch_name: str = Field(min_length=1)
    conditions: list[list[Condition]] = []


class UpdateBranchRequest(Model):
    """Rename a branch and/or replace its conditions; the branch's steps stay."""

    step_name: str
    branch_index: int
    branch_name: str | None = Field(default=None, min_length=1)
    conditions: list[list[Condition]] | None = None


class DeleteBranchRequest(Model):
    """Delete a conditional branch with its steps."""

    step_name: str
    branch_index: int


class NotePosition(Model):
    """Where a note sits on the canvas."""

    x: float = 0
    y: float = 0


class AddNoteRequest(Model):
    """A new canvas note."""

    id: str = Field(min_length=1)
    content: str = ""
    position: NotePosition = NotePosition()


class UpdateNoteRequest(Model):
    """New content and/or position of a note."""

    id: str
    content: str | None = None
    position: NotePosition | None = None


class DeleteNoteRequest(Model):
    """The note to delete."""

    id: str
