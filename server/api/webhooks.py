"""Webhooks: an HTTP request to a flow's URL starts a run; `/sync` answers with the flow's response.

Webhook calls are the server's hottest path, so they are served ahead of FastAPI's routing by
an ASGI middleware (`WebhookRoutes`): no dependency solving, no route table, and errors
answered as the app's handlers answer them (`errors.error_for`). Their OpenAPI description is
added to the app's (`document`).
"""

import base64
import contextlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.model import RunStatus, WebhookResponse
from server.api.errors import error_for, error_response
from server.context import ServerContext, trigger_environment
from server.services import webhook_events
from server.services.errors import ServiceError
from server.services.run_waiter import Waiting

PREFIX = "/api/v1/webhooks/"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_BODY_METHODS = ("POST", "PUT", "PATCH")
#: `/api/v1/webhooks/{flow_id}`, `.../sync` and `.../test`.
_PATH = re.compile(r"/api/v1/webhooks/([^/]+)(?:/(sync|test))?/?")
#: Response headers the server sets itself.
_SKIPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


class PayloadTooLargeError(ServiceError):
    """The request body is over PW_MAX_WEBHOOK_PAYLOAD_MB."""

    code = "PAYLOAD_TOO_LARGE"


class WebhookRoutes:
    """ASGI middleware that answers webhook calls itself and hands every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = (
            _PATH.fullmatch(scope["path"])
            if scope["type"] == "http" and scope["path"].startswith(PREFIX)
            else None
        )
        if matched is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        flow_id, kind = matched.groups()
        try:
            response = await _answer(request, flow_id, kind)
        except Exception as err:
            response = error_for(request, err)
        await response(scope, receive, send)


async def _answer(request: Request, flow_id: str, kind: str | None) -> Response:
    """`/webhooks/{id}` queues a run per item of the flow's trigger and answers 200 `{runId}` at
    once (`runId` null when the trigger ignored the request; `runIds` when it made several
    runs of it). `/sync` runs the flow and answers with its Return Response: 204 if it set none
    (or the trigger ignored the request), 408 on timeout, 500 if it failed. `/test` runs the
    flow's draft (published or not), keeps the request as the trigger's sample data, and
    answers like `/sync`. A handshake is answered at once; a body over the limit is a 413."""
    if request.method not in _METHODS:
        return error_response(405, "HTTP_405", "This method is not allowed here")
    context: ServerContext = request.app.state.context
    try:
        payload = await request_payload(request, max_mb=context.settings.max_webhook_payload_mb)
    except PayloadTooLargeError as err:
        return error_response(413, err.code, err.message)
    if kind == "test":
        outcome = await _receive_test(flow_id, payload, context)
    else:
        outcome = await _receive(flow_id, payload, context, sync=kind == "sync")
    if outcome.handshake is not None:
        return _response(outcome.handshake, run_id=None)
    run_ids = outcome.run_ids
    if kind is None:
        return JSONResponse({"runId": run_ids[0] if run_ids else None, "runIds": run_ids})
    if not run_ids:
        return Response(status_code=204)
    return await answer_when_done(run_ids[0], context, expected=outcome.expected)


async def answer_when_done(
    run_id: str, context: ServerContext, *, expected: Waiting | None = None
) -> Response:
    """The sync answer for a run: its response once it ends (or pauses with a response to send,
    as an approval that answers first); 408 on timeout while the run goes on or waits.
    `expected`: the waiter listened since before the run was queued (`RunWaiter.expect`)."""
    timeout_s = context.settings.webhook_timeout_s
    finished = await context.waiter.wait(
        run_id, timeout_s=timeout_s, or_paused=True, expected=expected
    )
    if finished is None:
        return JSONResponse(
            {
                "runId": run_id,
                "message": f"The flow did not answer within {timeout_s:g} s; it goes on running",
            },
            status_code=408,
        )
    if finished.status == RunStatus.PAUSED and finished.response is not None:
        return _response(finished.response, run_id=run_id)  # respond, then wait
    if finished.status != RunStatus.SUCCEEDED:
        message = finished.error or f"The run ended {finished.status}"
        return JSONResponse(
            {"runId": run_id, "status": finished.status, "message": message}, status_code=500
        )
    if finished.response is None:
        return Response(status_code=204, headers={"x-piecework-run-id": run_id})
    return _response(finished.response, run_id=run_id)


async def _receive(
    flow_id: str, payload: dict[str, Any], context: ServerContext, *, sync: bool
) -> webhook_events.WebhookOutcome:
    # A sync call's run is executed by this server's own worker, when it has one, without the
    # queue's NOTIFY and fetch in between (it answers sooner, and spares the database).
    take_with = context.queue.worker_id if sync and context.engines is not None else None
    return await webhook_events.receive(
        sessions=context.sessions,
        intake=context.intake,
        flow_id=flow_id,
        payload=payload,
        registry=context.registry,
        environment=trigger_environment(context),
        waiter=context.waiter if sync else None,
        take_with=take_with,
    )


async def _receive_test(
    flow_id: str, payload: dict[str, Any], context: ServerContext
) -> webhook_events.WebhookOutcome:
    async with context.sessions() as session:
        return await webhook_events.receive_test(
            session,
            flow_id=flow_id,
            payload=payload,
            registry=context.registry,
            environment=trigger_environment(context),
            queue=context.queue,
            waiter=context.waiter,
        )


def document(schema: dict[str, Any]) -> None:
    """Adds the webhook operations to the app's OpenAPI description."""
    paths = schema.setdefault("paths", {})
    summaries = {
        "": "Start a run of the flow (answers 200 {runId} once it is queued)",
        "/sync": "Run the flow and answer with its response",
        "/test": "Run the flow's draft with this request and keep it as sample data",
    }
    for suffix, summary in summaries.items():
        item: dict[str, Any] = {}
        for method in _METHODS:
            item[method.lower()] = {
                "tags": ["webhooks"],
                "summary": summary,
                "operationId": f"webhook{suffix.replace('/', '_')}_{method.lower()}",
                "parameters": [
                    {
                        "name": "flow_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "title": "Flow Id"},
                    }
                ],
                "responses": {
                    "200": {"description": "The run's id, or (sync) the flow's response"},
                    "404": {"description": "No enabled flow listens at this URL"},
                    "413": {"description": "The body is over PW_MAX_WEBHOOK_PAYLOAD_MB"},
                },
            }
            if method in _BODY_METHODS:
                item[method.lower()]["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": {}}, "text/plain": {"schema": {}}},
                }
        paths[f"{PREFIX}{{flow_id}}{suffix}"] = item


def _response(response: WebhookResponse, *, run_id: str | None) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _SKIPPED_HEADERS}
    if run_id is not None:
        headers["x-piecework-run-id"] = run_id
    has_type = any(k.lower() == "content-type" for k in headers)
    body = response.body
    if isinstance(body, str):
        media = None if has_type else "text/plain; charset=utf-8"
        return Response(
            content=body, status_code=response.status, headers=headers, media_type=media
        )
    if body is None:
        return Response(status_code=response.status, headers=headers)
    media = None if has_type else "application/json"
    return Response(
        content=json.dumps(body), status_code=response.status, headers=headers, media_type=media
    )


async def request_payload(request: Request, *, max_mb: float) -> dict[str, Any]:
    """The request as a trigger payload: `{method, headers, queryParams, body, rawBody}`.

    `rawBody` is the body exactly as sent, as text (signatures are computed over it); a body
    that is not UTF-8 has no `rawBody` (its `body` holds it as base64).

    Raises:
        PayloadTooLargeError: the body is over `max_mb`.
        InvalidRequestError: a JSON body that does not parse.
    """
    limit = int(max_mb * 1024 * 1024)
    too_large = f"The request body is larger than {max_mb:g} MB (PW_MAX_WEBHOOK_PAYLOAD_MB)"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(too_large)
        chunks.append(chunk)
    raw = b"".join(chunks)
    payload = {
        "method": request.method,
        "headers": dict(request.headers),
        "queryParams": dict(request.query_params),
        "body": _body(raw, request.headers.get("content-type", "")),
    }
    with contextlib.suppress(UnicodeDecodeError):  # binary: `body` carries it as base64
        payload["rawBody"] = raw.decode("utf-8")
    return payload


def _body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        # A body that is not the JSON it claims to be still starts the run, which gets it raw
        # (text, or base64 below): the caller's data is never lost to a 400 it may not read.
        with contextlib.suppress(json.JSONDecodeError, UnicodeDecodeError):
            return json.loads(raw)
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Binary bodies are kept whole, as base64.
        return {"base64": base64.b64encode(raw).decode("ascii"), "contentType": kind}
