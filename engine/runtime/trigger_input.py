"""A trigger's input resolved for a run or for on_enable: its props and its connection."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.runtime.templating import resolve
from pieces.framework import Piece, Trigger, validate_props
from pieces.framework.connection import AUTH_INPUT, resolve_auth


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerInput:
    """What a trigger's context gets from the flow's trigger settings."""

    props: dict[str, Any]
    auth: Any


async def trigger_input(
    piece: Piece, trigger: Trigger, raw_input: Mapping[str, Any], connections: Mapping[str, Any]
) -> TriggerInput:
    """Resolves `{{connections['id']}}` in the trigger's input, checks the connection (`auth`)
    and validates the props.

    Raises:
        TemplateError: the input names a connection the project does not have.
        AuthError: the connection is missing or of the wrong piece or kind.
        PropsValidationError: a prop value does not fit.
    """
    values = dict(resolve(dict(raw_input), {"connections": dict(connections)}))
    auth = await resolve_auth(
        piece, require_auth=trigger.require_auth, value=values.pop(AUTH_INPUT, None)
    )
    return TriggerInput(props=validate_props(trigger.props, values), auth=auth)
