"""What a live-updates client may subscribe to: each subscription is checked like a REST read."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import FlowRunRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.event_hub import Subscriber
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal

_KINDS = ("FLOWS", "RUNS", "RUN")


async def subscribe(
    *,
    session: AsyncSession,
    principal: Principal,
    subscriber: Subscriber,
    message: dict[str, Any],
) -> dict[str, Any]:
    """Applies a SUBSCRIBE_* or UNSUBSCRIBE_* message and returns the answer to send.

    Raises:
        InvalidRequestError: an unknown message type or a missing id.
        NotFoundError: the project or run is not one the caller can see.
        PermissionDeniedError: the caller's role cannot view flows or runs there.
    """
    kind = str(message.get("type", ""))
    verb, _, what = kind.partition("_")
    if verb not in {"SUBSCRIBE", "UNSUBSCRIBE"} or what not in _KINDS:
        raise InvalidRequestError(
            f"Unknown message type {kind!r}; use SUBSCRIBE_FLOWS, SUBSCRIBE_RUNS, SUBSCRIBE_RUN "
            "or their UNSUBSCRIBE_ forms",
            code="INVALID_MESSAGE",
        )
    field = "runId" if what == "RUN" else "projectId"
    target = message.get(field)
    if not isinstance(target, str) or not target:
        raise InvalidRequestError(f"{kind} needs {field!r}", code="INVALID_MESSAGE")
    subscriptions = {
        "FLOWS": subscriber.flow_projects,
        "RUNS": subscriber.run_projects,
        "RUN": subscriber.runs,
    }[what]
    if verb == "UNSUBSCRIBE":
        subscriptions.discard(target)
        return {"type": "UNSUBSCRIBED", "what": what, field: target}
    answer: dict[str, Any] = {"type": "SUBSCRIBED", "what": what, field: target}
    if what == "RUN":
        not_found = NotFoundError(f"No flow run {target!r}", code="FLOW_RUN_NOT_FOUND")
        run = await session.get(FlowRunRow, target)
        if run is None:
            raise not_found
        await require_permission(
            session, principal, run.project_id, Permission.READ_RUN, not_found=not_found
        )
        subscriptions.add(target)
        # Read again after subscribing, so a change in between is in the status or an event.
        answer["status"] = await session.scalar(
            select(FlowRunRow.status).where(FlowRunRow.id == target)
        )
        return answer
    permission = Permission.READ_FLOW if what == "FLOWS" else Permission.READ_RUN
    await require_permission(session, principal, target, permission)
    subscriptions.add(target)
    return answer
