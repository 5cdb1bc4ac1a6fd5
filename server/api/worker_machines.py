"""Worker metrics: the job queue's state, for operators."""

from fastapi import APIRouter

from server.api.deps import CurrentPrincipal, SessionDep
from server.services.queue_metrics import QueueMetrics, queue_metrics

router = APIRouter(prefix="/worker-machines", tags=["worker-machines"])


@router.get("/queue-metrics")
async def get_queue_metrics(principal: CurrentPrincipal, session: SessionDep) -> list[QueueMetrics]:
    """Per queue: queued (ready), running, delayed (scheduled later) and failed jobs."""
    return await queue_metrics(session, principal)
