"""Resume calls: `ALL /flow-runs/{runId}/waitpoints/{waitpointId}` (and `/sync`).

No sign-in: the waitpoint id is the secret, like a webhook URL. The request becomes the
step's resume payload `{body, headers, queryParams}`.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from server.api.deps import ContextDep, SessionDep
from server.api.errors import error_response
from server.api.webhooks import PayloadTooLargeError, answer_when_done, request_payload
from server.services import waitpoints

router = APIRouter(prefix="/flow-runs", tags=["waitpoints"])

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def resume(
    run_id: str, waitpoint_id: str, request: Request, context: ContextDep, session: SessionDep
) -> Response:
    """Resumes the run waiting at this waitpoint; 200 `{runId, queued}` (a repeat is absorbed)."""
    outcome = await _resume(run_id, waitpoint_id, request, context, session)
    if isinstance(outcome, Response):
        return outcome
    return JSONResponse({"runId": run_id, "queued": outcome.queued, "duplicate": outcome.duplicate})


async def resume_sync(
    run_id: str, waitpoint_id: str, request: Request, context: ContextDep, session: SessionDep
) -> Response:
    """Resumes the run and answers with its response once it ends or pauses again."""
    outcome = await _resume(run_id, waitpoint_id, request, context, session)
    if isinstance(outcome, Response):
        return outcome
    return await answer_when_done(run_id, context)


async def _resume(
    run_id: str, waitpoint_id: str, request: Request, context: ContextDep, session: SessionDep
) -> waitpoints.ResumeOutcome | Response:
    try:
        payload = await request_payload(request, max_mb=context.settings.max_webhook_payload_mb)
    except PayloadTooLargeError as err:
        return error_response(413, err.code, err.message)
    payload.pop("method", None)
    outcome = await waitpoints.resume(
        session, run_id=run_id, waitpoint_id=waitpoint_id, payload=payload
    )
    if outcome.queued:
        await context.queue.defer_run(run_id, sync=False)
    return outcome


for _method in _METHODS:
    router.add_api_route(
        "/{run_id}/waitpoints/{waitpoint_id}",
        resume,
        methods=[_method],
        name=f"resume_waitpoint_{_method.lower()}",
    )
    router.add_api_route(
        "/{run_id}/waitpoints/{waitpoint_id}/sync",
        resume_sync,
        methods=[_method],
        name=f"resume_waitpoint_sync_{_method.lower()}",
    )
