"""Triggers: the events that start a flow."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pieces.framework.context import TriggerContext
from pieces.framework.props import Prop


class TriggerStrategy(StrEnum):
    """How a trigger learns of events."""

    POLLING = "POLLING"
    WEBHOOK = "WEBHOOK"
    APP_WEBHOOK = "APP_WEBHOOK"


class HandshakeStrategy(StrEnum):
    """How a webhook trigger recognises a provider's verification request (answered by `handshake`)."""

    NONE = "NONE"
    HEADER_PRESENT = "HEADER_PRESENT"
    QUERY_PRESENT = "QUERY_PRESENT"
    BODY_PARAM_PRESENT = "BODY_PARAM_PRESENT"


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeConfig:
    """A request carrying `param_name` (where the strategy says) is a handshake, not an event."""

    strategy: HandshakeStrategy = HandshakeStrategy.NONE
    param_name: str = ""

    def matches(self, request: Mapping[str, Any]) -> bool:
        """Whether a `{method, headers, queryParams, body}` request is a handshake."""
        name = self.param_name.lower()
        if self.strategy is HandshakeStrategy.HEADER_PRESENT:
            return name in {str(k).lower() for k in request.get("headers") or {}}
        if self.strategy is HandshakeStrategy.QUERY_PRESENT:
            return self.param_name in (request.get("queryParams") or {})
        if self.strategy is HandshakeStrategy.BODY_PARAM_PRESENT:
            body = request.get("body")
            return isinstance(body, dict) and self.param_name in body
        return False


#: A lifecycle hook: on_enable / on_disable (register and remove a webhook, set polling state).
TriggerHook = Callable[[TriggerContext], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """One trigger of a piece. `run` turns an event payload into the items that each start a run.

    Attributes:
        name: the stable key.
        display_name: the title in the piece selector.
        type: POLLING, WEBHOOK or APP_WEBHOOK.
        run: the items of one event (or poll); each starts a run.
        description: one sentence on when it fires.
        props: the inputs by key.
        sample_data: an example output for the data panel before a real event.
        on_enable: called when the flow is published or turned on.
        on_disable: called when the flow is turned off.
        test: recent items for "Test trigger" (default: `run` on the sample data).
        handshake: how to recognise a verification request; answered by `handshake_response`.
        handshake_response: answers a verification request.
        require_auth: when the piece has auth, the trigger needs a connection.
    """

    name: str
    display_name: str
    type: TriggerStrategy
    run: Callable[[TriggerContext], Awaitable[list[Any]]]
    description: str = ""
    props: Mapping[str, Prop] = field(default_factory=dict)
    sample_data: Any = None
    on_enable: TriggerHook | None = None
    on_disable: TriggerHook | None = None
    test: Callable[[TriggerContext], Awaitable[list[Any]]] | None = None
    handshake: HandshakeConfig = field(default_factory=HandshakeConfig)
    handshake_response: Callable[[TriggerContext], Awaitable[Any]] | None = None
    require_auth: bool = True
