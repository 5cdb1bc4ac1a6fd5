"""A flow's trigger, ready to call: its piece, its resolved input and the TriggerContext the server gives it.

`on_enable`, `on_disable`, polls and webhook events all get the same environment: the flow's
store (in the database, so dedupe state survives restarts), the connection named in the
trigger's input (decrypted, OAuth2 tokens refreshed), the flow's webhook URL and an HTTP client
that honours the network policy.
"""

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTriggerSettings
from engine.runtime.trigger_input import trigger_input
from pieces.framework import (
    NetworkPolicy,
    OnDemandHttpClient,
    PieceRegistry,
    ServerInfo,
    Trigger,
    TriggerContext,
    TriggerSchedule,
)
from server.secrets_box import SecretBox
from server.services.database_store import DatabaseStore, TransactionStore
from server.services.oauth2_refresh import fresh_connection_values, names_connections


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerEnvironment:
    """What calling a trigger needs besides the flow: connections, the store, the server URL."""

    sessions: Callable[[], AsyncSession]
    box: SecretBox
    public_url: str


def webhook_url(public_url: str, flow_id: str) -> str:
    """The URL a flow's webhook triggers are called at."""
    return f"{public_url.rstrip('/')}/api/v1/webhooks/{flow_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowTrigger:
    """Which trigger of which flow to call."""

    project_id: str
    flow_id: str
    settings: PieceTriggerSettings


@contextlib.asynccontextmanager
async def open_trigger(
    session: AsyncSession | None,
    *,
    registry: PieceRegistry,
    target: FlowTrigger,
    environment: TriggerEnvironment | None,
    payload: Any = None,
    schedule: TriggerSchedule | None = None,
    store_in_session: bool = False,
) -> AsyncIterator[tuple[Trigger, TriggerContext]]:
    """The trigger and its context, with an HTTP client (made at first use) closed on exit.

    With `store_in_session`, the trigger's store writes in `session`'s transaction (a poll
    commits its dedupe state with its runs); otherwise each store call commits on its own.
    `session` may be None when neither that nor the trigger's input needs it (the input names
    no connection).

    Raises:
        PieceError: the piece or trigger is not installed, or the connection does not fit.
        EngineError: the input names a connection the project does not have, or a prop is wrong.
    """
    settings = target.settings
    piece = registry.get(settings.piece_name, settings.piece_version)
    trigger = piece.trigger(settings.trigger_name or "")
    connections: dict[str, Any] = {}
    if environment is not None and names_connections(str(settings.input)):
        if session is None:
            raise ValueError("a trigger whose input names a connection needs a session")
        connections = await fresh_connection_values(
            session, box=environment.box, registry=registry, project_id=target.project_id
        )
    given = await trigger_input(piece, trigger, settings.input, connections)
    async with OnDemandHttpClient(NetworkPolicy.from_env()) as http:
        yield (
            trigger,
            TriggerContext(
                props=given.props,
                auth=given.auth,
                payload=payload,
                http=http,
                schedule=schedule or TriggerSchedule(),
                **_environment_context(
                    environment, target, session=session if store_in_session else None
                ),
            ),
        )


def _environment_context(
    environment: TriggerEnvironment | None, target: FlowTrigger, *, session: AsyncSession | None
) -> dict[str, Any]:
    if environment is None:
        return {}
    store: DatabaseStore | TransactionStore = (
        DatabaseStore(
            sessions=environment.sessions, project_id=target.project_id, flow_id=target.flow_id
        )
        if session is None
        else TransactionStore(session=session, project_id=target.project_id, flow_id=target.flow_id)
    )
    return {
        "store": store,
        "webhook_url": webhook_url(environment.public_url, target.flow_id),
        "server": ServerInfo(public_url=environment.public_url.rstrip("/")),
    }
