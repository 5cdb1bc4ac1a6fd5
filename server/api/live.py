"""`/api/v1/ws`: an authenticated WebSocket that pushes flow changes and run progress.

Protocol (JSON text messages):

- Authenticate with `?token=<token>` on the URL, or send `{"type": "AUTH", "token": ...}` first
  (within 10 s). Any token the REST API takes works (sign-in token, API key, local token).
- Subscribe: `{"type": "SUBSCRIBE_FLOWS", "projectId"}` (the project's flow changes),
  `{"type": "SUBSCRIBE_RUNS", "projectId"}` (progress of every run of the project),
  `{"type": "SUBSCRIBE_RUN", "runId"}` (one run); `UNSUBSCRIBE_*` with the same fields stops.
  The answer is `{"type": "SUBSCRIBED", ...}` (for a run, with its current `status`) or
  `{"type": "ERROR", "code", "message"}` (the connection stays open).
- Pushed: `{"type": "FLOW_EVENT", "projectId", "flowId", "event"}` and
  `{"type": "RUN_EVENT", "projectId", "runId", "event"}` (see `server/services/run_events.py`).

Closes with 4401 when authentication fails and 4429 when the client reads too slowly.
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server.context import ServerContext
from server.services.auth import authenticate
from server.services.errors import ServiceError
from server.services.event_hub import Subscriber
from server.services.live_subscriptions import subscribe
from server.services.principal import Principal

log = logging.getLogger(__name__)

router = APIRouter(tags=["live"])

#: Seconds a client has to authenticate after connecting.
AUTH_TIMEOUT_S = 10.0
#: Largest message a client may send (bytes).
MAX_CLIENT_MESSAGE = 4096


@router.websocket("/ws")
async def live_updates(websocket: WebSocket) -> None:
    """Flow changes and run progress, pushed as they happen (see the module docstring)."""
    context: ServerContext = websocket.app.state.context
    await websocket.accept()
    principal = await _authenticate(websocket, context)
    if principal is None:
        return
    subscriber = context.events.subscribe()
    try:
        await websocket.send_json({"type": "READY", "userId": principal.user_id})
        sender = asyncio.create_task(_send(websocket, subscriber))
        try:
            await _receive(websocket, context, principal, subscriber)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
    except WebSocketDisconnect:
        pass
    finally:
        context.events.unsubscribe(subscriber)


async def _authenticate(websocket: WebSocket, context: ServerContext) -> Principal | None:
    token = websocket.query_params.get("token")
    try:
        if not token:
            first = await asyncio.wait_for(_message(websocket), AUTH_TIMEOUT_S)
            if first.get("type") != "AUTH" or not isinstance(first.get("token"), str):
                await websocket.close(4401, "Send {'type': 'AUTH', 'token': ...} first")
                return None
            token = first["token"]
        async with context.sessions() as session:
            return await authenticate(session=session, tokens=context.tokens, token=token)
    except TimeoutError:
        await websocket.close(4401, "No authentication within 10 seconds")
    except ServiceError as err:
        await websocket.close(4401, err.message[:120])
    except (WebSocketDisconnect, ValueError):
        pass
    return None


async def _receive(
    websocket: WebSocket, context: ServerContext, principal: Principal, subscriber: Subscriber
) -> None:
    while True:
        try:
            message = await _message(websocket)
        except ValueError as err:
            await websocket.send_json(
                {"type": "ERROR", "code": "INVALID_MESSAGE", "message": str(err)}
            )
            continue
        try:
            async with context.sessions() as session:
                answer = await subscribe(
                    session=session, principal=principal, subscriber=subscriber, message=message
                )
        except ServiceError as err:
            answer = {"type": "ERROR", "code": err.code, "message": err.message}
        await websocket.send_json(answer)


async def _message(websocket: WebSocket) -> dict[str, Any]:
    raw = await websocket.receive_text()
    if len(raw) > MAX_CLIENT_MESSAGE:
        raise ValueError(f"Messages are limited to {MAX_CLIENT_MESSAGE} bytes")
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"The message is not JSON: {err}") from err
    if not isinstance(message, dict):
        raise ValueError("A message is a JSON object with a 'type'")
    return message


async def _send(websocket: WebSocket, subscriber: Subscriber) -> None:
    overflow = asyncio.create_task(subscriber.overflowed.wait())
    try:
        while True:
            getter = asyncio.create_task(subscriber.queue.get())
            done, _ = await asyncio.wait({getter, overflow}, return_when=asyncio.FIRST_COMPLETED)
            if overflow in done:
                getter.cancel()
                await websocket.close(4429, "Too many events waiting; reconnect and re-read")
                return
            message = getter.result()
            kind = "FLOW_EVENT" if message.get("kind") == "flow" else "RUN_EVENT"
            body = {key: value for key, value in message.items() if key != "kind"}
            await websocket.send_json({"type": kind, **body})
    finally:
        overflow.cancel()
