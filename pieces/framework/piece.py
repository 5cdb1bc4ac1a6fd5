"""Pieces: a named, versioned bundle of actions and triggers."""

from dataclasses import dataclass

from pieces.framework.action import Action
from pieces.framework.errors import PieceNotFoundError
from pieces.framework.trigger import Trigger


@dataclass(frozen=True, slots=True, kw_only=True)
class Piece:
    """An integration. `name` and the action/trigger names are stable keys; `version` is semver."""

    name: str
    display_name: str
    version: str
    description: str = ""
    logo: str = ""
    categories: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    triggers: tuple[Trigger, ...] = ()

    def action(self, name: str) -> Action:
        """Returns the action with this name, or raises PieceNotFoundError listing the ones there are."""
        for action in self.actions:
            if action.name == name:
                return action
        known = ", ".join(a.name for a in self.actions) or "none"
        raise PieceNotFoundError(f"piece {self.name!r} has no action {name!r} (actions: {known})")

    def trigger(self, name: str) -> Trigger:
        """Returns the trigger with this name, or raises PieceNotFoundError listing the ones there are."""
        for trigger in self.triggers:
            if trigger.name == name:
                return trigger
        known = ", ".join(t.name for t in self.triggers) or "none"
        raise PieceNotFoundError(f"piece {self.name!r} has no trigger {name!r} (triggers: {known})")
