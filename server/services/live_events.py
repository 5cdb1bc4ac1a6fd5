"""Live events across processes: a change is announced with Postgres NOTIFY on one channel, and
every server process LISTENs and pushes it to its WebSocket subscribers (`event_hub.py`).

A notification is sent when the transaction that makes it commits, so subscribers never hear of
a change that was rolled back, and a worker on another machine reaches every server.
"""

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: The NOTIFY channel of every live event.
CHANNEL = "pw_live_events"
#: Postgres refuses payloads of 8000 bytes or more; larger events are cut down to their scalars.
MAX_PAYLOAD_BYTES = 7500


def encode(message: dict[str, Any]) -> str:
    """The message as NOTIFY payload text, cut down when too large.

    A large event (a step's output, say) keeps only its scalar fields and gets
    `"truncated": true`; the client then reads the full record over HTTP.
    """
    payload = json.dumps(message, separators=(",", ":"), default=str)
    if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
        return payload
    event = message.get("event", {})
    small = {
        key: value
        for key, value in event.items()
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 200
    }
    return json.dumps({**message, "event": {**small, "truncated": True}}, default=str)


async def notify(session: AsyncSession, message: dict[str, Any]) -> None:
    """Adds a NOTIFY of `message` to the session's transaction (sent when it commits)."""
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": encode(message)},
    )


async def publish_flow_event(
    session: AsyncSession, project_id: str, flow_id: str, event: dict[str, Any]
) -> None:
    """Announces a change of a flow to the project's subscribers when the session commits.

    Args:
        session: the transaction that makes the change.
        project_id: the flow's project.
        flow_id: the flow.
        event: `{"type": "FLOW_CREATED" | "FLOW_UPDATED" | "FLOW_DELETED", ...}`.
    """
    await notify(
        session,
        {"kind": "flow", "projectId": project_id, "flowId": flow_id, "event": event},
    )
