"""Runs execute in engine processes: a killed one is replaced and its run continues from its log;
one past its memory or time is stopped and its run ends with a status that says so."""

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.worker import engine_main
from tests.server.conftest import User, make_settings, serve_app, sign_up
from tests.server.helpers import finished_run, piece_step, publish, until, webhook_flow
from tests.server.piece_wheels import piece_wheel

_SOURCE = '''
"""Actions that misbehave the ways an engine process must survive."""

import asyncio
import os
import time

from pieces.framework import Action, Number, Piece, ShortText


async def _mark(ctx):
    with open(ctx.props["path"], "a") as marks:
        marks.write(f"{ctx.props['label']} {os.getpid()}\\n")
    return {"pid": os.getpid()}


async def _nap(ctx):
    await asyncio.sleep(ctx.props["seconds"])
    return {"slept": ctx.props["seconds"]}


async def _block(ctx):
    time.sleep(ctx.props["seconds"])  # holds the event loop: only a kill from outside stops it
    return {}


async def _grow(ctx):
    hoard = bytearray(int(ctx.props["mb"]) * 2**20)
    for at in range(0, len(hoard), 4096):
        hoard[at] = 1
    await asyncio.sleep(5)
    return {"size": len(hoard)}


async def _crash(ctx):
    os._exit(7)


def _action(name, run, **props):
    return Action(name=name, display_name=name, props=props, run=run)


piece = Piece(
    name="test_engine",
    display_name="Test engine",
    version="1.0.0",
    actions=(
        _action("mark", _mark, path=ShortText(display_name="Path"), label=ShortText(display_name="Label")),
        _action("nap", _nap, seconds=Number(display_name="Seconds")),
        _action("block", _block, seconds=Number(display_name="Seconds")),
        _action("grow", _grow, mb=Number(display_name="MB")),
        _action("crash", _crash),
    ),
)
'''


def step(name: str, action: str, **values: Any) -> dict[str, Any]:
    return piece_step(name, "test_engine", action, version="1.0.0", **values)


def flow(*steps: dict[str, Any]) -> dict[str, Any]:
    return webhook_flow("Engine test", *steps)


async def installed(api: httpx.AsyncClient) -> User:
    """The first account, with the test piece installed (after the engines started)."""
    owner = await sign_up(api)
    response = await api.post(
        "/pieces",
        content=piece_wheel("pw_test_engine", "1.0.0", _SOURCE, {"test_engine": "piece"}),
        headers={**owner.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    return owner


async def start(api: httpx.AsyncClient, owner: User, document: dict[str, Any]) -> str:
    flow_id = await publish(api, owner, document)
    response = await api.post(f"/webhooks/{flow_id}", json={})
    assert response.status_code == 200, response.text
    return str(response.json()["runId"])


async def test_a_killed_engine_process_is_replaced_and_the_run_continues_from_its_log(
    tmp_path: Path, database_url: str
) -> None:
    marks = tmp_path / "marks.txt"
    async with serve_app(tmp_path, database_url) as api:
        owner = await installed(api)
        run_id = await start(
            api,
            owner,
            flow(
                step("first", "mark", path=str(marks), label="first"),
                step("wait", "nap", seconds=3),
                step("last", "mark", path=str(marks), label="last"),
            ),
        )
        async with asyncio.timeout(15):
            while True:
                await asyncio.sleep(0.05)
                if marks.exists():
                    break
        await asyncio.sleep(0.5)  # into the nap: the first step's record is saved by now
        engine_pid = int(marks.read_text().split()[1])
        assert engine_pid != os.getpid()
        os.kill(engine_pid, signal.SIGKILL)
        run = await finished_run(api, owner, run_id, timeout_s=30)
        assert run["status"] == "SUCCEEDED", run
        lines = [line.split() for line in marks.read_text().splitlines()]
        assert [label for label, _pid in lines] == ["first", "last"]  # each step once
        assert int(lines[1][1]) != engine_pid  # finished by a new engine process
        again = await start(api, owner, flow(step("only", "mark", path=str(marks), label="x")))
        assert (await finished_run(api, owner, again))["status"] == "SUCCEEDED"


async def test_a_run_past_the_memory_limit_ends_memory_limit_exceeded(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, sandbox_memory_limit_mb=400) as api:
        owner = await installed(api)
        run_id = await start(api, owner, flow(step("hog", "grow", mb=800)))
        run = await finished_run(api, owner, run_id, timeout_s=30)
        assert run["status"] == "MEMORY_LIMIT_EXCEEDED", run
        message = run["error"]
        assert "400 MB" in message, message
        assert "PW_SANDBOX_MEMORY_LIMIT_MB" in message, message
        # The worker carries on with a new engine process.
        fine = await start(api, owner, flow(step("small", "grow", mb=10)))
        assert (await finished_run(api, owner, fine, timeout_s=30))["status"] == "SUCCEEDED"


async def test_a_run_that_holds_its_engine_past_the_timeout_is_stopped(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, flow_timeout_s=1.0) as api:
        owner = await installed(api)
        run_id = await start(api, owner, flow(step("stuck", "block", seconds=60)))
        run = await finished_run(api, owner, run_id, timeout_s=30)
        assert run["status"] == "TIMEOUT", run
        assert "PW_FLOW_TIMEOUT_SECONDS" in run["error"]


async def test_an_engine_that_always_dies_ends_the_run_with_the_reason(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url) as api:
        owner = await installed(api)
        run_id = await start(api, owner, flow(step("boom", "crash")))
        run = await finished_run(api, owner, run_id, timeout_s=60)
        assert run["status"] == "INTERNAL_ERROR", run
        message = run["error"]
        assert "stopped 3 times" in message, message
        assert "exit status 7" in message, message


def forkservers() -> list[psutil.Process]:
    """This process's live forkservers (the template of its engine processes)."""
    found = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):  # gone meanwhile
            if child.status() != psutil.STATUS_ZOMBIE and "multiprocessing.forkserver" in " ".join(
                child.cmdline()
            ):
                found.append(child)
    return found


async def test_an_idle_pool_goes_cold_and_the_next_run_starts_an_engine(
    tmp_path: Path, database_url: str
) -> None:
    marks = tmp_path / "marks.txt"
    # 1.2 s without a run: the warm engine process stops (at the keeper's next look, every 5 s).
    app = create_app(make_settings(tmp_path, database_url, engine_cold_after_minutes=0.02))
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver/api/v1"
        ) as api,
    ):
        engines = app.state.context.engines
        database = app.state.context.engine
        # Warmed at start; it stays at least until the keeper's next look, 5 s later.
        await until(lambda: bool(engines.pids))
        warm_pid = engines.pids[0]
        owner = await installed(api)
        connections = database.pool
        await until(lambda: not engines.pids)  # gone cold
        # The server's idle database connections are closed too (a new pool, empty).
        await until(lambda: database.pool is not connections)
        assert not psutil.pid_exists(warm_pid) or psutil.Process(warm_pid).status() == "zombie"
        # The template engine processes are forked from (the forkserver) stops too.
        await until(lambda: not forkservers())

        run_id = await start(api, owner, flow(step("only", "mark", path=str(marks), label="x")))
        assert (await finished_run(api, owner, run_id))["status"] == "SUCCEEDED"
        ran_in = int(marks.read_text().split()[1])
        assert ran_in not in (os.getpid(), warm_pid)  # a new engine process, started for it
        assert forkservers()  # started again for it


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
async def test_an_engine_process_exits_at_once_when_its_worker_is_gone(
    pidfd: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine's parent is the forkserver, which outlives a killed worker while any engine
    # runs: the engine watches the worker's pid itself (a pidfd, else a look every 0.2 s).
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open")
    exited = asyncio.Event()
    monkeypatch.setattr(os, "_exit", lambda _status: exited.set())
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)"
    )
    try:
        watch = asyncio.create_task(engine_main.watch_worker(worker.pid))
        await asyncio.sleep(0.5)
        assert not exited.is_set()  # the worker is alive
        worker.kill()
        await worker.wait()
        async with asyncio.timeout(2):
            await exited.wait()
        watch.cancel()
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
