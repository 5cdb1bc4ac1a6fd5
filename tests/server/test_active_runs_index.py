"""With a long run history, the queries that look at runs in flight read only those (the
partial index of QUEUED and RUNNING runs), never all of a project's runs."""

import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.context import ServerContext
from server.db.base import utcnow
from server.services import runs
from server.services.queue import RUN_TASK
from server.services.run_sweeper import _ORPHANS, SWEEP_BATCH
from tests.server.conftest import sign_up
from tests.server.helpers import publish, queued_run, sample, server_without_worker, start_run

HISTORY = 20_000


async def add_history(context: ServerContext, seed_run: str) -> None:
    """HISTORY finished runs in the seed run's project, then fresh planner statistics."""
    async with context.sessions() as session:
        await session.execute(
            text(
                "INSERT INTO flow_runs (id, project_id, flow_id, flow_version_id, status,"
                " trigger_payload, created, updated)"
                " SELECT substr(md5(g::text), 1, 21), project_id, flow_id, flow_version_id,"
                " 'SUCCEEDED', trigger_payload, created, updated"
                " FROM flow_runs run, generate_series(1, :n) g WHERE run.id = :seed"
            ),
            {"n": HISTORY, "seed": seed_run},
        )
        await session.commit()
    async with context.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE flow_runs"))


@contextlib.asynccontextmanager
async def flow_with_history(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[ServerContext, str]]:
    """A server (no worker) with a published flow that has HISTORY finished runs; yields the
    context and the flow's id."""
    async with server_without_worker(tmp_path, database_url) as (api, context):
        owner = await sign_up(api)
        flow_id = await publish(api, owner, sample())
        await add_history(context, await queued_run(context, flow_id))
        yield context, flow_id


def _literal(value: Any) -> str:
    """A parameter's value as the text of a literal: JSON (psycopg's `Json`) as JSON."""
    if hasattr(value, "obj"):
        return json.dumps(value.obj)
    return str(value)


async def generic_plan(session: AsyncSession, statement: str, parameters: dict[str, Any]) -> str:
    """The plan PostgreSQL makes for a statement as the driver sent it, prepared and planned
    without its parameters' values (as prepared statements are after a few executions)."""
    names = re.findall(r"%\((\w+)\)s", statement)
    numbered = statement
    for number, name in enumerate(names, start=1):
        numbered = numbered.replace(f"%({name})s", f"${number}", 1)
    conn = await session.connection()
    await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    await conn.exec_driver_sql(f"PREPARE counted AS {numbered}")
    # EXPLAIN EXECUTE takes no bound parameters: the values go in as quoted literals.
    values = [_literal(getattr(parameters[name], "value", parameters[name])) for name in names]
    arguments = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    result = await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) EXECUTE counted({arguments})")
    return json.dumps(result.scalar_one())


async def test_starting_a_run_counts_running_runs_through_the_active_runs_index(
    tmp_path: Path, database_url: str
) -> None:
    async with flow_with_history(tmp_path, database_url) as (context, flow_id):
        run_id = await queued_run(context, flow_id)
        assert "count(*)" in runs._START  # the count is the start's own statement
        async with context.sessions() as session:
            explained = await generic_plan(
                session,
                runs._START,
                {
                    "run_id": run_id,
                    "now": utcnow(),
                    "limit": 5,
                    "audit_id": "a",
                    "action": "flow.run.started",
                    "live_channel": "live",
                },
            )
        assert "ix_flow_runs_active" in explained, explained
        assert "Seq Scan" not in explained, explained
        assert (await start_run(context, run_id)).run is not None  # and it starts the run


async def test_the_sweeper_reads_queued_runs_through_the_active_runs_index(
    tmp_path: Path, database_url: str
) -> None:
    async with flow_with_history(tmp_path, database_url) as (context, flow_id):
        await queued_run(context, flow_id, age=timedelta(minutes=5))
        async with context.sessions() as session:
            conn = await session.connection()
            result = await conn.execute(
                text("EXPLAIN (FORMAT JSON) " + _ORPHANS.text),
                {"age_s": 60.0, "task": RUN_TASK, "batch": SWEEP_BATCH},
            )
            explained = json.dumps(result.scalar_one())
        assert "ix_flow_runs_active" in explained, explained
        assert "Seq Scan on flow_runs" not in explained, explained
