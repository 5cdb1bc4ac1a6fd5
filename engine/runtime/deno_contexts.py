"""Code steps and expressions in fresh V8 contexts inside warm Deno processes (the default).

Each warm process runs `deno_context_server.ts` under the same permission flags as a single-use
process and executes requests one at a time, each in a new `node:vm` context that holds nothing of
the host (see DECISIONS.md for what this proves and what it does not). Steps a context cannot run
(imports, TypeScript syntax, host APIs such as fetch or timers) come back as a fallback and run in
their own process.

The pool is supervised: `size` processes are started ahead of demand; a process whose execution
timed out, ran out of memory or crashed is killed and a replacement is started at once, and an
idle process found dead is replaced before it is used. Executions running in other processes are
not affected.
"""

import asyncio
import contextlib
import json
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from engine.runtime.errors import CodeExecutionError

log = logging.getLogger(__name__)

#: Largest answer line accepted from a context server (results are JSON on one line).
_LINE_LIMIT = 512 * 1024 * 1024

#: Extra time Python gives a context server past the in-context timeout before killing it.
_KILL_SLACK_S = 1.0

#: Executions a context server serves before it is replaced: bounds what a (hypothetical) escape
#: from a context could observe of later executions, and any slow growth of the process.
RECYCLE_AFTER = 1000


class CodeIsolation(StrEnum):
    """CONTEXT: fresh V8 contexts in warm processes (default); PROCESS: a process per execution."""

    CONTEXT = "CONTEXT"
    PROCESS = "PROCESS"


def isolation_from_env() -> CodeIsolation:
    """Reads PW_CODE_ISOLATION (CONTEXT, the default, or PROCESS).

    Raises:
        ValueError: the value is neither; the message names it.
    """
    raw = os.environ.get("PW_CODE_ISOLATION", "CONTEXT").strip().upper()
    try:
        return CodeIsolation(raw)
    except ValueError:
        raise ValueError(f"PW_CODE_ISOLATION must be CONTEXT or PROCESS, not {raw!r}") from None


@dataclass(slots=True, kw_only=True, eq=False)
class _Server:
    process: asyncio.subprocess.Process
    workdir: Path
    served: int = 0


class DenoContextPool:
    """`size` warm context servers, each running one execution at a time."""

    def __init__(
        self,
        *,
        size: int,
        command: Callable[[Path], list[str]],
        env: dict[str, str],
        on_start: Callable[[int], None] = lambda _pid: None,
        recycle_after: int = RECYCLE_AFTER,
    ) -> None:
        """Creates an idle pool; the servers start on first use.

        Args:
            size: how many servers run (at least 1).
            command: the Deno command line for a script in a given directory.
            env: the servers' environment.
            on_start: called with a new server's pid before it gets a request (limits).
            recycle_after: executions after which a server is replaced by a new one.
        """
        self._size = max(1, size)
        self._command = command
        self._env = env
        self._on_start = on_start
        self._recycle_after = recycle_after
        self._retiring: set[asyncio.Task[None]] = set()
        self._idle: list[_Server] = []
        self._starting: list[asyncio.Task[_Server]] = []
        self._all: set[_Server] = set()
        self._slots = asyncio.Semaphore(self._size)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def execute(self, request: dict[str, Any], *, timeout_s: float) -> dict[str, Any]:
        """Runs one request in a fresh context and returns the server's answer.

        Args:
            request: `{kind, code, inputs (JSON text), names?}` (see deno_context_server.ts).
            timeout_s: wall-clock limit.

        Returns:
            `{"fallback": true}`, or the runner's result shape `{ok, logs, output | error}`.

        Raises:
            CodeExecutionError: the execution timed out, never settled, or its process died.
        """
        self._bind_loop()
        async with self._slots:
            server = await self._take()
            try:
                answer = await self._ask(server, request, timeout_s)
            except BaseException:
                await self._stop(server)
                self._start_spare()
                raise
            server.served += 1
            if server.served < self._recycle_after:
                self._idle.append(server)
            else:
                self._retire(server)
        return answer

    def server_pids(self) -> list[int]:
        """The ids of the running servers, for tests and diagnostics."""
        return [server.process.pid for server in self._all]

    async def wait_ready(self) -> None:
        """Starts the servers if needed and waits until every one has started."""
        self._bind_loop()
        if self._starting:
            await asyncio.gather(*self._starting, return_exceptions=True)

    async def close(self) -> None:
        """Stops every server; the pool starts again on next use."""
        starting, self._starting = self._starting, []
        pending = [*starting, *self._retiring]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for server in list(self._all):
            await self._stop(server)
        self._idle = []
        self._loop = None

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None:
            # Used from a new event loop: the old loop's processes cannot be awaited from here.
            for server in self._all:
                with contextlib.suppress(ProcessLookupError):
                    server.process.kill()
                shutil.rmtree(server.workdir, ignore_errors=True)
        self._loop = loop
        self._retiring = set()
        self._all = set()
        self._idle = []
        self._starting = []
        self._slots = asyncio.Semaphore(self._size)
        for _ in range(self._size):
            self._start_spare()

    def _retire(self, server: _Server) -> None:
        self._start_spare()
        task = asyncio.create_task(self._stop(server), name="deno-context-retire")
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    def _start_spare(self) -> None:
        if self._loop is not None:
            self._starting.append(asyncio.create_task(self._start(), name="deno-context-start"))

    async def _take(self) -> _Server:
        while True:
            if self._idle:
                server = self._idle.pop()
            else:
                if not self._starting:
                    self._start_spare()
                # Processes start in tasks of their own: cancelling a caller inside
                # create_subprocess_exec can hang Python 3.11 (see DECISIONS.md).
                task = self._starting.pop(0)
                try:
                    server = await asyncio.shield(task)
                except asyncio.CancelledError:
                    task.add_done_callback(self._adopt)
                    raise
                except CodeExecutionError:
                    self._start_spare()
                    raise
            if _alive(server):
                return server
            log.warning("a Deno context server exited while idle; starting another")
            await self._stop(server)

    def _adopt(self, task: asyncio.Task[_Server]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._idle.append(task.result())

    async def _ask(
        self, server: _Server, request: dict[str, Any], timeout_s: float
    ) -> dict[str, Any]:
        process = server.process
        assert process.stdin is not None
        assert process.stdout is not None
        nonce = secrets.token_hex(16)
        message = {**request, "nonce": nonce, "timeoutMs": max(1, int(timeout_s * 1000))}
        process.stdin.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
        try:
            async with asyncio.timeout(timeout_s + _KILL_SLACK_S):
                await process.stdin.drain()
                line = await process.stdout.readuntil(b"\n")
        except TimeoutError:
            raise timeout_error(timeout_s) from None
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as err:
            raise await _died(server) from err
        if not line.startswith(nonce.encode()):
            raise CodeExecutionError(
                "The code step could not run: the context server answered out of turn"
            )
        answer = json.loads(line[len(nonce) :])
        if answer == "timeout":
            raise timeout_error(timeout_s)
        if answer == "unsettled":
            raise CodeExecutionError(
                "The code returned a promise that never settles (a context has no timers or I/O)"
            )
        assert isinstance(answer, dict)
        return answer

    async def _start(self) -> _Server:
        workdir = Path(tempfile.mkdtemp(prefix="pw-context-"))
        source = resources.files("engine.runtime").joinpath("deno_context_server.ts")
        (workdir / "runner.ts").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            # stderr goes to a file, not a pipe nobody reads while the server idles.
            with (workdir / "stderr.log").open("wb") as stderr:
                process = await asyncio.create_subprocess_exec(
                    *self._command(workdir),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=stderr,
                    cwd=workdir,
                    env=self._env,
                    limit=_LINE_LIMIT,
                )
        except OSError as err:
            shutil.rmtree(workdir, ignore_errors=True)
            raise CodeExecutionError(f"Could not start Deno to run the code step: {err}") from err
        self._on_start(process.pid)
        server = _Server(process=process, workdir=workdir)
        self._all.add(server)
        return server

    async def _stop(self, server: _Server) -> None:
        self._all.discard(server)
        with contextlib.suppress(ValueError):
            self._idle.remove(server)
        if server.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                server.process.kill()
        await server.process.communicate()
        shutil.rmtree(server.workdir, ignore_errors=True)


def _alive(server: _Server) -> bool:
    stdout = server.process.stdout
    return server.process.returncode is None and stdout is not None and not stdout.at_eof()


def timeout_error(timeout_s: float) -> CodeExecutionError:
    """The error of an execution stopped at its time limit."""
    return CodeExecutionError(
        f"The code step ran longer than {timeout_s:g} s and was stopped; make it faster or split the work"
    )


async def _died(server: _Server) -> CodeExecutionError:
    await server.process.wait()
    path = server.workdir / "stderr.log"
    stderr = await asyncio.to_thread(path.read_text, errors="replace") if path.exists() else ""
    if "heap" in stderr or "out of memory" in stderr:
        return CodeExecutionError("The code step ran out of memory and was stopped")
    log.debug("context server exited: %s", stderr)
    return CodeExecutionError("The code step could not run: its Deno process exited")
