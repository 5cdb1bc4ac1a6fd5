"""Finding the bundled Deno binary and starting a Deno process that waits for its request."""

import asyncio
import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from engine.runtime.deno_pool import WarmProcess
from engine.runtime.errors import CodeExecutionError

#: Variables of the host environment that Deno itself reads to reach the network (certificate
#: authorities, proxies, an npm mirror). Steps cannot read them (--deny-env); without them, a
#: machine behind a TLS-inspecting proxy could not reach the npm registry or any HTTPS site.
INHERITED_ENV = (
    "DENO_CERT",
    "DENO_TLS_CA_STORE",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "NPM_CONFIG_REGISTRY",
)


def cache_dir_from_env(default: Path) -> Path:
    """PW_CODE_CACHE_DIR if set, else `default`: where Deno keeps npm packages of code steps."""
    raw = os.environ.get("PW_CODE_CACHE_DIR", "").strip()
    return Path(raw).expanduser() if raw else default


def deno_env(cache_dir: Path) -> dict[str, str]:
    """The environment of every Deno process: its cache dir, plain output, and INHERITED_ENV."""
    env = {"DENO_DIR": str(cache_dir), "NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1"}
    for name in INHERITED_ENV:
        for variant in (name, name.lower()):
            if variant in os.environ:
                env[variant] = os.environ[variant]
    return env


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
def _source(name: str) -> str:
    return resources.files("engine.runtime").joinpath(name).read_text(encoding="utf-8")


async def start_process(
    *,
    runner: str,
    command: Callable[[Path], list[str]],
    env: dict[str, str],
    on_start: Callable[[int], None],
) -> WarmProcess:
    """Starts Deno on a copy of `runner` in a new temporary directory, the only one it may use.

    Args:
        runner: the script's file name in this package.
        command: the Deno command line for a script in a given directory.
        env: the process environment.
        on_start: called with the pid before the process gets any request (limits).
    """
    workdir = Path(tempfile.mkdtemp(prefix="pw-code-"))
    try:
        (workdir / "runner.ts").write_text(_source(runner), encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            *command(workdir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=workdir,
            env=env,
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    on_start(process.pid)
    return WarmProcess(process=process, workdir=workdir)
