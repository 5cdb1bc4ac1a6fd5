"""The code runtime: runs a code step's JavaScript/TypeScript in the bundled Deno binary, sandboxed.

Each execution gets a fresh Deno process and a temporary directory that is removed afterwards, so no
JavaScript state survives from one execution to the next. The processes are started ahead of
demand by a pool (`deno_pool`, sized by PW_CODE_POOL_SIZE) and serve one execution each. A process
may read and write only its directory, has no environment, subprocess, FFI or system access, and
may not reach the networks of the network policy. A wall-clock timeout and a V8 heap cap are
enforced from here.
"""

import asyncio
import contextlib
import functools
import json
import logging
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from engine.runtime.deno_contexts import CodeIsolation, DenoContextPool, isolation_from_env
from engine.runtime.deno_pool import DenoProcessPool, WarmProcess, pool_size_from_env
from engine.runtime.errors import CodeExecutionError
from pieces.framework.network import NetworkPolicy

log = logging.getLogger(__name__)

#: The process exit status V8 uses when it gives up on a full heap (SIGTRAP or abort).
_OUT_OF_MEMORY_MARKERS = ("out of memory", "Reached heap limit", "JavaScript heap")


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeResult:
    """What one execution returned, and what it logged with console.*."""

    output: Any
    logs: tuple[str, ...] = ()


def find_deno() -> str:
    """Returns the path of the Deno binary shipped by the `deno` PyPI package.

    Raises:
        CodeExecutionError: the package is missing or ships no binary for this platform.
    """
    try:
        import deno  # the PyPI package; imported here so the engine loads without it

        path = deno.find_deno_bin()
    except (ImportError, FileNotFoundError) as err:
        raise CodeExecutionError(
            "The Deno binary that runs code steps is missing; reinstall Piecework (pip package 'deno')"
        ) from err
    return str(path)


@functools.cache
def _runner_source() -> str:
    return resources.files("engine.runtime").joinpath("deno_runner.ts").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True, kw_only=True)
class DenoCodeRuntime:
    """Runs code steps in Deno under strict permissions, each in its own pre-started process.

    The process pool starts on the first `run()`; call `close()` to stop it (it also stops when
    the event loop shuts down). Use one runtime from one event loop at a time.
    """

    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    heap_mb: int = 256
    cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "piecework-deno")
    deno_path: str = field(default_factory=find_deno)
    pool_size: int = field(default_factory=pool_size_from_env)
    isolation: CodeIsolation = field(default_factory=isolation_from_env)
    _pool: DenoProcessPool = field(init=False, repr=False, compare=False)
    _contexts: DenoContextPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_pool", DenoProcessPool(size=self.pool_size, spawn=self._start_process)
        )
        contexts = DenoContextPool(size=self.pool_size, command=self.command, env=self._env())
        object.__setattr__(self, "_contexts", contexts)

    @property
    def pool(self) -> DenoProcessPool:
        """The pool of started processes."""
        return self._pool

    async def run(
        self, code: str, inputs: Mapping[str, Any], *, timeout_s: float = 60.0
    ) -> CodeResult:
        """Runs `code(inputs)` once and returns its JSON result.

        Args:
            code: the module source; it exports `code`, a function of the inputs.
            inputs: the step's resolved input values (JSON).
            timeout_s: wall-clock limit; the process is killed past it.

        Returns:
            The result and the console output.

        Raises:
            CodeExecutionError: the code threw, timed out, ran out of memory, or could not start.
        """
        if self.isolation is CodeIsolation.CONTEXT:
            answer = await self._contexts.execute(code, json.dumps(inputs), timeout_s=timeout_s)
            if not answer.get("fallback"):
                return _result(answer)
        nonce = secrets.token_hex(16)
        request = json.dumps({"nonce": nonce, "inputs": inputs}).encode()
        warm = await self._pool.acquire()
        try:
            (warm.workdir / "step.ts").write_text(code, encoding="utf-8")
            stdout, stderr, returncode = await _execute(
                warm, request, marker=nonce.encode(), timeout_s=timeout_s
            )
        except BaseException:
            await self._pool.discard(warm)
            raise
        self._pool.release(warm)
        try:
            return _parse(stdout, stderr, returncode, nonce=nonce, heap_mb=self.heap_mb)
        except CodeExecutionError as err:
            # Show positions as "step.ts:1:6", not as the removed temporary directory.
            message = err.message.replace(warm.workdir.as_uri() + "/", "")
            raise CodeExecutionError(message, logs=err.logs) from None

    async def close(self) -> None:
        """Stops every Deno process this runtime started; a later `run()` starts them again."""
        await self._pool.close()
        await self._contexts.close()

    def _env(self) -> dict[str, str]:
        return {"DENO_DIR": str(self.cache_dir), "NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1"}

    def command(self, workdir: Path) -> list[str]:
        """The Deno command line for one execution in `workdir`."""
        args = [
            self.deno_path,
            "run",
            "--quiet",
            "--no-prompt",
            "--no-config",
            "--no-lock",
            "--no-remote",
            "--cached-only",
            f"--allow-read={workdir}",
            f"--allow-write={workdir}",
            "--deny-env",
            "--deny-run",
            "--deny-ffi",
            "--deny-sys",
            "--allow-net",
            f"--v8-flags=--max-old-space-size={self.heap_mb}",
        ]
        denied = self.network.denied()
        if denied:
            args.insert(-1, "--deny-net=" + ",".join(denied))
        return [*args, str(workdir / "runner.ts")]

    async def _start_process(self) -> WarmProcess:
        workdir = Path(tempfile.mkdtemp(prefix="pw-code-"))
        try:
            (workdir / "runner.ts").write_text(_runner_source(), encoding="utf-8")
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            process = await asyncio.create_subprocess_exec(
                *self.command(workdir),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=workdir,
                env=self._env(),
            )
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        return WarmProcess(process=process, workdir=workdir)


async def _execute(
    warm: WarmProcess, request: bytes, *, marker: bytes, timeout_s: float
) -> tuple[bytes, bytes, int]:
    """Sends the request and returns stdout, stderr and the exit status.

    When stdout holds the result line, this returns as soon as that line is complete, without
    waiting for the process to exit (stderr is then empty and the status 0).
    """
    process = warm.process
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    # stderr is drained alongside, so a chatty process cannot block on a full pipe.
    stderr_task = asyncio.create_task(process.stderr.read())
    try:
        async with asyncio.timeout(timeout_s):
            process.stdin.write(request)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await process.stdin.drain()
            process.stdin.close()
            stdout = await _read_result(process.stdout, marker)
            if marker in stdout:
                return stdout, b"", 0
            stderr = await stderr_task
            returncode = await process.wait()
    except TimeoutError:
        raise CodeExecutionError(
            f"The code step ran longer than {timeout_s:g} s and was stopped; make it faster or split the work"
        ) from None
    finally:
        if not stderr_task.done():
            stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stderr_task
    return stdout, stderr, returncode


async def _read_result(stdout: asyncio.StreamReader, marker: bytes) -> bytes:
    """Reads stdout up to the end of the result line (`marker` + JSON + newline), or to its end."""
    data = bytearray()
    found = -1
    while True:
        chunk = await stdout.read(1 << 16)
        if not chunk:
            return bytes(data)
        searched = max(0, len(data) - len(marker))
        data += chunk
        if found < 0:
            found = data.find(marker, searched)
        if found >= 0 and data.find(b"\n", max(found, searched)) >= 0:
            return bytes(data)


def _parse(
    stdout: bytes, stderr: bytes, returncode: int, *, nonce: str, heap_mb: int
) -> CodeResult:
    marker = nonce.encode()
    for line in reversed(stdout.splitlines()):
        if line.startswith(marker):
            return _result(json.loads(line[len(marker) :]))
    text = stderr.decode(errors="replace")
    if any(marker_text in text for marker_text in _OUT_OF_MEMORY_MARKERS):
        raise CodeExecutionError(
            f"The code step ran out of memory (limit {heap_mb} MB) and was stopped"
        )
    log.debug("deno exited %s without a result: %s", returncode, text)
    detail = _first_error_line(text) or f"Deno exited with status {returncode}"
    raise CodeExecutionError(f"The code step could not run: {detail}")


def _result(payload: dict[str, Any]) -> CodeResult:
    logs = tuple(payload.get("logs", ()))
    if payload["ok"]:
        return CodeResult(output=payload["output"], logs=logs)
    error = payload["error"]
    message = (
        f"{error['name']}: {error['message']}"
        if error["name"] != "CodeShapeError"
        else error["message"]
    )
    raise CodeExecutionError(message, logs=logs)


def _first_error_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("error:") or "Error" in stripped:
            return stripped.removeprefix("error: ")
    return text.strip().splitlines()[0] if text.strip() else ""
