"""Loose ends between runs and their jobs: QUEUED runs that have no job (their server died
between saving and queueing) are queued again; jobs still running for runs that ended long ago
(their end failed while their worker lived on) are ended."""

import logging
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.services.queue import RUN_TASK, JobQueue

log = logging.getLogger(__name__)

#: A QUEUED run without a job for this long is taken as lost (normal paths queue it at once).
ORPHAN_AGE = timedelta(seconds=60)
#: Runs queued again per pass at most; the next pass takes the rest.
SWEEP_BATCH = 200

# One sweeper at a time across every worker (the key is arbitrary but fixed): the next one
# looks only after the previous one's jobs are in the table, so a run never gets two jobs.
_SWEEP_LOCK = "SELECT pg_try_advisory_xact_lock(7042001)"

# `updated` moves with every status change, so a run that was PAUSED for a week and has just
# been resumed is not taken for an old lost one while its resumer queues it.
_ORPHANS = text(
    """
SELECT run.id
  FROM flow_runs run
 WHERE run.status = 'QUEUED' AND run.updated < now() - make_interval(secs => :age_s)
   AND NOT EXISTS (
       SELECT 1 FROM procrastinate_jobs job
        WHERE job.task_name = :task AND job.status IN ('todo', 'doing')
          AND job.args->>'run_id' = run.id)
 ORDER BY run.updated
 LIMIT :batch
"""
)


async def requeue_orphaned_runs(
    session: AsyncSession, *, queue: JobQueue, age: timedelta = ORPHAN_AGE
) -> list[str]:
    """Queues a job for every QUEUED run older than `age` that has none waiting or running.

    Safe with several workers: passes are serialized by a transaction-level advisory lock, held
    until the jobs are queued (a pass that finds it taken does nothing). Returns the run ids.
    """
    if not await session.scalar(text(_SWEEP_LOCK)):
        await session.rollback()
        return []
    try:
        rows = await session.scalars(
            _ORPHANS,
            {"age_s": age.total_seconds(), "task": RUN_TASK, "batch": SWEEP_BATCH},
        )
        run_ids = list(rows)
        for run_id in run_ids:
            # Not sync: a caller who waited for it gave up long ago (the webhook timeout).
            await queue.defer_run(run_id, sync=False)
            log.warning("run %s was QUEUED without a job (its server stopped); queued it", run_id)
    finally:
        await session.rollback()  # releases the lock, after the jobs are committed
    return run_ids


# A run job still `doing` under a live worker, though its run ended a while ago: the worker's
# end of the job failed (the database was gone for that statement) and nothing else would end
# it. Ended as procrastinate ends a job that succeeded (`queue.END_RUN_JOBS_SQL`).
_STRAY_JOBS = text(
    """
DELETE FROM procrastinate_jobs job
 USING flow_runs run
 WHERE job.task_name = :task AND job.status = 'doing'
   AND run.id = job.args->>'run_id'
   AND run.status NOT IN ('QUEUED', 'RUNNING', 'PAUSED')
   AND run.updated < now() - make_interval(secs => :age_s)
RETURNING run.id
"""
)


async def end_stray_jobs(session: AsyncSession, *, age: timedelta = ORPHAN_AGE) -> list[str]:
    """Ends the run jobs still running for runs that ended over `age` ago (a worker ends its
    job within milliseconds of the run's end); returns their runs' ids."""
    run_ids = list(
        await session.scalars(_STRAY_JOBS, {"task": RUN_TASK, "age_s": age.total_seconds()})
    )
    await session.commit()
    for run_id in run_ids:
        log.warning("the job of run %s was still running after the run ended; ended it", run_id)
    return run_ids
