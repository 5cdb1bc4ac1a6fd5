"""The code runtime: runs a code step's JavaScript/TypeScript in the bundled Deno binary, sandboxed.

Each execution gets a fresh Deno process and a temporary directory that is removed afterwards, so no
JavaScript state survives from one execution to the next. The process may read and write only that
directory, has no environment, subprocess, FFI or system access, and may not reach the networks
of the network policy. A wall-clock timeout and a V8 heap cap are enforced from here.
"""

import asyncio
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


@dataclass(frozen=True, slots=True, kw_only=True)
class DenoCodeRuntime:
    """Runs code steps in Deno under strict permissions."""

    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    heap_mb: int = 256
    cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "piecework-deno")
    deno_path: str = field(default_factory=find_deno)

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
        workdir = Path(tempfile.mkdtemp(prefix="pw-code-"))
        try:
            (workdir / "step.ts").write_text(code, encoding="utf-8")
            runner = (
                resources.files("engine.runtime")
                .joinpath("deno_runner.ts")
                .read_text(encoding="utf-8")
            )
            (workdir / "runner.ts").write_text(runner, encoding="utf-8")
            nonce = secrets.token_hex(16)
            request = json.dumps({"nonce": nonce, "inputs": inputs}).encode()
            stdout, stderr, returncode = await self._spawn(workdir, request, timeout_s)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        try:
            return _parse(stdout, stderr, returncode, nonce=nonce, heap_mb=self.heap_mb)
        except CodeExecutionError as err:
            # Show positions as "step.ts:1:6", not as the removed temporary directory.
            message = err.message.replace(workdir.as_uri() + "/", "")
            raise CodeExecutionError(message, logs=err.logs) from None

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

    async def _spawn(
        self, workdir: Path, request: bytes, timeout_s: float
    ) -> tuple[bytes, bytes, int]:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        env = {"DENO_DIR": str(self.cache_dir), "NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1"}
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command(workdir),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=workdir,
                env=env,
            )
        except OSError as err:
            raise CodeExecutionError(f"Could not start Deno to run the code step: {err}") from err
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(request), timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise CodeExecutionError(
                f"The code step ran longer than {timeout_s:g} s and was stopped; make it faster or split the work"
            ) from None
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
        return stdout, stderr, process.returncode if process.returncode is not None else -1


def _parse(
    stdout: bytes, stderr: bytes, returncode: int, *, nonce: str, heap_mb: int
) -> CodeResult:
    marker = nonce.encode()
    for line in reversed(stdout.splitlines()):
        if line.startswith(marker):
            payload = json.loads(line[len(marker) :])
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
    text = stderr.decode(errors="replace")
    if any(marker_text in text for marker_text in _OUT_OF_MEMORY_MARKERS):
        raise CodeExecutionError(
            f"The code step ran out of memory (limit {heap_mb} MB) and was stopped"
        )
    log.debug("deno exited %s without a result: %s", returncode, text)
    detail = _first_error_line(text) or f"Deno exited with status {returncode}"
    raise CodeExecutionError(f"The code step could not run: {detail}")


def _first_error_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("error:") or "Error" in stripped:
            return stripped.removeprefix("error: ")
    return text.strip().splitlines()[0] if text.strip() else ""
