"""SQL statements and transactions the worker spends on one run of the benchmark flow.

Starts the server's context in-process on an embedded PostgreSQL in a temp dir (no worker),
publishes `webhook_sync.py`'s flow (Catch Webhook → Code → Return Response), then executes
`--runs` QUEUED runs one after the other through the worker's run executor and counts, per run,
the statements sent (through SQLAlchemy, and on the run connection the executor starts, saves
and ends runs with), the transactions, the round trips of the run connection (a pipeline is one
transaction and one round trip; SQLAlchemy's round trips are not counted: its statements plus
BEGIN and COMMIT), and the queue's (procrastinate's) queries the executor makes itself
(procrastinate's own fetch and finish of the job are not included: about three more per run).
`--show` prints the statements of the last run.

Usage: .venv/bin/python bench/run_statements.py [--runs 20] [--show]
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from webhook_sync import flow_document, say  # noqa: E402

from server.app import create_app  # noqa: E402
from server.context import ServerContext, open_context  # noqa: E402
from server.db.models import FlowRow, FlowRunRow  # noqa: E402
from server.services import runs  # noqa: E402
from server.settings import Settings  # noqa: E402


class Counting:
    """Counts what goes to the database; `statements` keeps the SQL of the current run."""

    def __init__(self, context: ServerContext) -> None:
        self.counts: Counter[str] = Counter()
        self.statements: list[str] = []
        engine = context.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        connector = context.queue.app.connector
        for name in ("execute_query_async", "execute_query_one_async", "execute_query_all_async"):
            setattr(connector, name, self._queue_query(getattr(connector, name)))
        own = context.run_executor.run_connection
        use = own.use

        @contextlib.asynccontextmanager
        async def counted_use() -> AsyncIterator[Any]:
            async with use() as connection:
                yield _CountedConnection(connection, self)

        own.use = counted_use  # type: ignore[method-assign]

    def reset(self) -> None:
        self.counts.clear()
        self.statements.clear()

    def add(self, statement: str, *, own: bool = False) -> None:
        self.counts["sql"] += 1
        self.statements.append(
            ("run connection: " if own else "") + " ".join(statement.split())[:160]
        )

    def _statement(self, *args: Any) -> None:
        self.add(str(args[2]))

    def _begin(self, *_args: Any) -> None:
        self.counts["transactions"] += 1

    def _queue_query(self, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def counted(query: str, **arguments: Any) -> Any:
            self.counts["queue"] += 1
            self.statements.append("queue: " + " ".join(query.split())[:150])
            return await call(query, **arguments)

        return counted


class _CountedConnection:
    """The run connection, counting its statements, transactions and round trips."""

    def __init__(self, connection: Any, counting: Counting) -> None:
        self._connection = connection
        self._counting = counting
        self.piped = False

    def cursor(self, **kwargs: Any) -> "_CountedCursor":
        return _CountedCursor(self._connection.cursor(**kwargs), self)

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await self.cursor().execute(query, *args, **kwargs)

    def count(self, query: str) -> None:
        self._counting.add(query, own=True)
        if not self.piped:  # autocommit: a transaction and a round trip of its own
            self._counting.counts["transactions"] += 1
            self._counting.counts["round trips"] += 1

    @contextlib.asynccontextmanager
    async def pipeline(self) -> AsyncIterator[Any]:
        self._counting.counts["transactions"] += 1  # ended by the pipeline's one Sync
        self._counting.counts["round trips"] += 1
        self.piped = True
        try:
            async with self._connection.pipeline() as pipeline:
                yield pipeline
        finally:
            self.piped = False


class _CountedCursor:
    """A cursor of the run connection whose statements are counted."""

    def __init__(self, cursor: Any, connection: _CountedConnection) -> None:
        self._cursor = cursor
        self._connection = connection

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._connection.count(query)
        await self._cursor.execute(query, *args, **kwargs)
        return self._cursor

    def __getattr__(self, name: str) -> Any:  # fetchone and the rest: the cursor's own
        return getattr(self._cursor, name)


async def publish(context: ServerContext, settings: Settings) -> str:
    app = create_app(settings, context=context)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://bench/api/v1"
        ) as api,
    ):
        body = {"email": "bench@example.com", "password": "correct horse", "firstName": "B"}
        signed = (await api.post("/authentication/sign-up", json=body)).json()
        headers = {"Authorization": f"Bearer {signed['token']}"}
        flow = {"displayName": "Benchmark", "projectId": signed["projectId"]}
        flow_id = str((await api.post("/flows", json=flow, headers=headers)).json()["id"])
        for operation in (
            {"type": "IMPORT_FLOW", "request": flow_document()},
            {"type": "LOCK_AND_PUBLISH", "request": {}},
        ):
            answer = await api.post(f"/flows/{flow_id}", json=operation, headers=headers)
            answer.raise_for_status()
    return flow_id


async def queued_run(context: ServerContext, flow_id: str) -> str:
    async with context.sessions() as session:
        flow = await session.get(FlowRow, flow_id)
        assert flow is not None
        assert flow.published_version_id is not None
        payload = {"body": {"a": 1, "b": 2, "msg": "hello"}, "headers": {}, "queryParams": {}}
        run = await runs.create_run(
            session, flow=flow, version_id=flow.published_version_id, payload=payload
        )
        await session.commit()
        return run.id


async def measure(data_dir: Path, *, count: int, show: bool) -> None:
    settings = Settings(data_dir=data_dir, run_worker=False).with_secrets()
    async with open_context(settings, worker=False) as context:
        flow_id = await publish(context, settings)
        counting = Counting(context)
        per_run: list[Counter[str]] = []
        for _ in range(count + 1):  # the first run warms caches up and is not counted
            run_id = await queued_run(context, flow_id)
            counting.reset()
            assert await context.run_executor(run_id)
            per_run.append(Counter(counting.counts))
        async with context.sessions() as session:
            last = await session.get(FlowRunRow, run_id)
        if last is None or last.status != "SUCCEEDED":
            raise SystemExit(f"the last run did not succeed: {last and last.status}")
    for kind in ("sql", "transactions", "round trips", "queue"):
        values = [counts[kind] for counts in per_run[1:]]
        say(
            f"{kind}: median {statistics.median(values):g} per run "
            f"(min {min(values)}, max {max(values)}, {count} runs)"
        )
    if show:
        say("\n".join(counting.statements))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    os.chmod(tmp, 0o755)  # as root, Postgres runs as `pgserver` and must reach the data dir
    try:
        asyncio.run(measure(tmp / "data", count=args.runs, show=args.show))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
