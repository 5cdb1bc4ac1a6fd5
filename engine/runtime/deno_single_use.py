"""One code-step execution in a pre-started single-use Deno process (the PROCESS isolation).

Used for every step with PW_CODE_ISOLATION=PROCESS, and by default for steps a fresh context
cannot run (imports, npm packages, TypeScript, fetch, timers, Deno APIs). The process gets the
request on stdin, imports the step from its own temporary directory, writes the result line and
exits; the pool (`deno_pool`) starts its replacement.
"""

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from engine.runtime.code_results import CodeResult, result_from_answer
from engine.runtime.deno_contexts import timeout_error
from engine.runtime.deno_pool import DenoProcessPool, WarmProcess
from engine.runtime.errors import CodeExecutionError

log = logging.getLogger(__name__)

#: What Deno writes on stderr when V8 gives up on a full heap.
_OUT_OF_MEMORY_MARKERS = ("out of memory", "Reached heap limit", "JavaScript heap")


async def run_in_process(
    pool: DenoProcessPool,
    code: str,
    inputs: Mapping[str, Any],
    *,
    timeout_s: float,
    memory_hint: str,
) -> CodeResult:
    """Runs `code(inputs)` once in a process of `pool`, which is discarded afterwards.

    Raises:
        CodeExecutionError: the code threw, timed out, ran out of memory, or could not start.
    """
    nonce = secrets.token_hex(16)
    request = json.dumps({"nonce": nonce, "inputs": inputs}).encode()
    warm = await pool.acquire()
    try:
        (warm.workdir / "step.ts").write_text(code, encoding="utf-8")
        stdout, stderr, returncode = await _execute(
            warm, request, marker=nonce.encode(), timeout_s=timeout_s
        )
    except BaseException:
        await pool.discard(warm)
        raise
    pool.release(warm)
    try:
        return _parse(stdout, stderr, returncode, nonce=nonce, memory_hint=memory_hint)
    except CodeExecutionError as err:
        # Show positions as "step.ts:1:6", not as the removed temporary directory.
        message = err.message.replace(warm.workdir.as_uri() + "/", "")
        raise CodeExecutionError(message, logs=err.logs) from None


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
        raise timeout_error(timeout_s) from None
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
    stdout: bytes, stderr: bytes, returncode: int, *, nonce: str, memory_hint: str
) -> CodeResult:
    marker = nonce.encode()
    for line in reversed(stdout.splitlines()):
        if line.startswith(marker):
            return result_from_answer(json.loads(line[len(marker) :]), memory_hint=memory_hint)
    text = stderr.decode(errors="replace")
    if any(marker_text in text for marker_text in _OUT_OF_MEMORY_MARKERS):
        raise CodeExecutionError(f"The code step ran out of memory ({memory_hint}) and was stopped")
    log.debug("deno exited %s without a result: %s", returncode, text)
    detail = _first_error_line(text) or f"Deno exited with status {returncode}"
    raise CodeExecutionError(f"The code step could not run: {detail}")


def _first_error_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("error:") or "Error" in stripped:
            return stripped.removeprefix("error: ")
    return text.strip().splitlines()[0] if text.strip() else ""
