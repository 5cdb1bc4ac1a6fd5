"""Experimental: code steps in fresh V8 contexts inside warm Deno processes (PW_CODE_ISOLATION=CONTEXT).

Each warm process runs `deno_context_server.ts` under the same permission flags as a single-use
process and executes requests one at a time, each in a new `node:vm` context that holds nothing of
the host (see DECISIONS.md for what this proves and what it does not). Steps a context cannot run
(imports, TypeScript syntax, host APIs such as fetch or timers) come back as a fallback and run in
their own process. A process whose execution timed out, ran out of memory or crashed is killed and
the next request starts a new one; requests queued on other processes are not affected.
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


class CodeIsolation(StrEnum):
    """PROCESS: a single-use process per execution (the default); CONTEXT: experimental contexts."""

    PROCESS = "PROCESS"
    CONTEXT = "CONTEXT"


def isolation_from_env() -> CodeIsolation:
    """Reads PW_CODE_ISOLATION (PROCESS or CONTEXT).

    Raises:
        ValueError: the value is neither; the message names it.
    """
    raw = os.environ.get("PW_CODE_ISOLATION", "PROCESS").strip().upper()
    try:
        return CodeIsolation(raw)
    except ValueError:
        raise ValueError(f"PW_CODE_ISOLATION must be PROCESS or CONTEXT, not {raw!r}") from None


@dataclass(slots=True, kw_only=True, eq=False)
class _Server:
    process: asyncio.subprocess.Process
    workdir: Path


class DenoContextPool:
    """Up to `size` warm context servers, each running one execution at a time."""

    def __init__(self, *, size: int, command: Callable[[Path], list[str]], env: dict[str, str]):
        """Creates an idle pool; servers start on demand.

        Args:
            size: how many servers may run at once (at least 1).
            command: the Deno command line for a script in a given directory.
            env: the servers' environment.
        """
        self._size = max(1, size)
        self._command = command
        self._env = env
        self._idle: list[_Server] = []
        self._all: set[_Server] = set()
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def execute(self, code: str, inputs: str, *, timeout_s: float) -> dict[str, Any]:
        """Runs one execution in a fresh context and returns the server's answer.

        Args:
            code: the step's source.
            inputs: the step's inputs as JSON text.
            timeout_s: wall-clock limit.

        Returns:
            `{"fallback": true}`, or the runner's result shape `{ok, logs, output | error}`.

        Raises:
            CodeExecutionError: the execution timed out, never settled, or its process died.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._size)
            self._idle = []
        assert self._slots is not None
        async with self._slots:
            server = self._idle.pop() if self._idle else await self._start()
            try:
                answer = await self._ask(server, code, inputs, timeout_s)
            except BaseException:
                await self._stop(server)
                raise
            self._idle.append(server)
        return answer

    def server_pids(self) -> list[int]:
        """The ids of the running servers, for tests and diagnostics."""
        return [server.process.pid for server in self._all]

    async def close(self) -> None:
        """Stops every server."""
        for server in list(self._all):
            await self._stop(server)
        self._idle = []

    async def _ask(
        self, server: _Server, code: str, inputs: str, timeout_s: float
    ) -> dict[str, Any]:
        process = server.process
        assert process.stdin is not None
        assert process.stdout is not None
        nonce = secrets.token_hex(16)
        request = {"nonce": nonce, "code": code, "inputs": inputs}
        request["timeoutMs"] = max(1, int(timeout_s * 1000))  # type: ignore[assignment]
        process.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        try:
            async with asyncio.timeout(timeout_s + _KILL_SLACK_S):
                await process.stdin.drain()
                line = await process.stdout.readuntil(b"\n")
        except TimeoutError:
            raise _timeout(timeout_s) from None
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as err:
            raise await _died(server) from err
        if not line.startswith(nonce.encode()):
            raise CodeExecutionError(
                "The code step could not run: the context server answered out of turn"
            )
        answer = json.loads(line[len(nonce) :])
        if answer == "timeout":
            raise _timeout(timeout_s)
        if answer == "unsettled":
            raise CodeExecutionError(
                "The code step returned a promise that never settles (a context has no timers or I/O)"
            )
        assert isinstance(answer, dict)
        return answer

    async def _start(self) -> _Server:
        workdir = Path(tempfile.mkdtemp(prefix="pw-context-"))
        source = resources.files("engine.runtime").joinpath("deno_context_server.ts")
        (workdir / "runner.ts").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command(workdir),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=workdir,
                env=self._env,
                limit=_LINE_LIMIT,
            )
        except OSError as err:
            shutil.rmtree(workdir, ignore_errors=True)
            raise CodeExecutionError(f"Could not start Deno to run the code step: {err}") from err
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


def _timeout(timeout_s: float) -> CodeExecutionError:
    return CodeExecutionError(
        f"The code step ran longer than {timeout_s:g} s and was stopped; make it faster or split the work"
    )


async def _died(server: _Server) -> CodeExecutionError:
    assert server.process.stderr is not None
    stderr = (await server.process.stderr.read()).decode(errors="replace")
    if "heap" in stderr or "out of memory" in stderr:
        return CodeExecutionError("The code step ran out of memory and was stopped")
    log.debug("context server exited: %s", stderr)
    return CodeExecutionError("The code step could not run: its Deno process exited")
