"""Subflows on the server: a run starts runs of other flows of its project and answers its caller."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTrigger, load_flow
from engine.model.resources import FlowStatus
from pieces.framework import SubflowError
from server.db.models import FlowRow, FlowVersionRow
from server.services import waitpoints
from server.services.errors import ServiceError
from server.services.queue import JobQueue
from server.services.runs import create_run

#: The trigger a flow needs to be called by another.
CALLABLE = ("subflows", "callable_flow")


class DatabaseSubflows:
    """The SubflowClient of one run: it calls flows of the run's project only."""

    def __init__(
        self,
        *,
        sessions: Callable[[], AsyncSession],
        queue: JobQueue,
        project_id: str,
        trigger_payload: Any,
    ) -> None:
        self._sessions = sessions
        self._queue = queue
        self._project_id = project_id
        self._trigger_payload = trigger_payload

    async def call(self, *, flow_id: str, data: Any, callback: dict[str, str] | None) -> str:
        async with self._sessions() as session:
            flow = await session.get(FlowRow, flow_id)
            if (
                flow is None
                or flow.project_id != self._project_id
                or flow.published_version_id is None
                or flow.status != FlowStatus.ENABLED
            ):
                raise SubflowError(
                    f"No published, enabled flow {flow_id!r} in this project; "
                    "publish the flow to call and turn it on"
                )
            version = await session.get(FlowVersionRow, flow.published_version_id)
            trigger = load_flow(version.definition).trigger if version else None
            if (
                not isinstance(trigger, PieceTrigger)
                or (
                    trigger.settings.piece_name,
                    trigger.settings.trigger_name,
                )
                != CALLABLE
            ):
                raise SubflowError(
                    f"Flow {flow_id!r} does not start with Callable Flow; only such flows "
                    "can be called"
                )
            run = await create_run(
                session,
                flow=flow,
                version_id=flow.published_version_id,
                payload={"data": data, "callback": callback},
            )
            await session.commit()
        await self._queue.defer_run(run.id, sync=False)
        return run.id

    async def respond(self, body: Any) -> bool:
        payload = self._trigger_payload if isinstance(self._trigger_payload, dict) else {}
        callback = payload.get("callback")
        if not isinstance(callback, dict) or "runId" not in callback:
            return False
        async with self._sessions() as session:
            try:
                outcome = await waitpoints.resume(
                    session,
                    run_id=str(callback["runId"]),
                    waitpoint_id=str(callback.get("waitpointId", "")),
                    payload={"body": body, "headers": {}, "queryParams": {}},
                )
            except ServiceError as err:
                raise SubflowError(f"The calling flow cannot be answered: {err.message}") from err
        if outcome.queued:
            await self._queue.defer_run(str(callback["runId"]), sync=False)
        return True
