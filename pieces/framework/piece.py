"""Pieces: a named, versioned bundle of actions and triggers."""

from dataclasses import dataclass

from pieces.framework.action import Action
from pieces.framework.auth import Auth
from pieces.framework.errors import PieceNotFoundError
from pieces.framework.trigger import Trigger

#: The oldest Piecework release the built-in pieces run on.
DEFAULT_MINIMUM_RELEASE = "0.1.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class Piece:
    """An integration. `name` and the action/trigger names are stable keys; `version` is semver.

    Attributes:
        name: the stable key (snake_case).
        display_name: the title in the piece selector.
        version: semver; each step pins an exact version.
        description: one sentence.
        logo: a file name under resources/logos or a URL.
        categories: e.g. CORE, PRODUCTIVITY.
        auth: how the piece is connected; None when it needs no connection.
        actions: its actions; each one's name equals its module name.
        triggers: its triggers.
        minimum_supported_release: the oldest Piecework release it runs on.
        personal_only: it works on the machine the server runs on (local files, desktop
            notifications); team servers hide it unless the admin enables it.
    """

    name: str
    display_name: str
    version: str
    description: str = ""
    logo: str = ""
    categories: tuple[str, ...] = ()
    auth: Auth | None = None
    actions: tuple[Action, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    minimum_supported_release: str = DEFAULT_MINIMUM_RELEASE
    personal_only: bool = False

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
