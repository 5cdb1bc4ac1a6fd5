"""Queue metrics: how many jobs wait, run, are delayed or failed, per queue."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Model
from server.services.platform import require_platform_admin
from server.services.principal import Principal


class QueueMetrics(Model):
    """One queue's job counts."""

    queue: str
    queued: int = 0
    running: int = 0
    delayed: int = 0
    failed: int = 0


_COUNTS = text(
    """
    SELECT queue_name,
           count(*) FILTER (WHERE status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now())),
           count(*) FILTER (WHERE status = 'doing'),
           count(*) FILTER (WHERE status = 'todo' AND scheduled_at > now()),
           count(*) FILTER (WHERE status = 'failed')
      FROM procrastinate_jobs
     GROUP BY queue_name
     ORDER BY queue_name
    """
)


async def queue_metrics(session: AsyncSession, principal: Principal) -> list[QueueMetrics]:
    """Counts per queue (platform owners and admins only).

    Raises:
        PermissionDeniedError: the caller does not administer the platform.
    """
    await require_platform_admin(session, principal, action="see queue metrics")
    rows = await session.execute(_COUNTS)
    return [
        QueueMetrics(queue=name, queued=queued, running=running, delayed=delayed, failed=failed)
        for name, queued, running, delayed, failed in rows.all()
    ]
