"""The operating-system memory limit of code-step Deno processes (PW_CODE_MEMORY_LIMIT_MB).

The V8 heap cap (`--max-old-space-size`) bounds JavaScript objects only; ArrayBuffers, strings
held outside the heap and Deno's own allocations are not under it. On Linux each Deno process
therefore also gets RLIMIT_DATA (private writable memory), set with prlimit(2) right after it
starts and before it receives any code, so an allocation past it fails (an ArrayBuffer throws
RangeError; V8 aborts the process) instead of taking the machine's memory. RLIMIT_AS cannot be
used: V8 reserves tens of GB of address space it never commits. On macOS and Windows there is no
prlimit (and Windows no rlimits at all): there only the V8 heap cap applies.
"""

import logging
import os
import resource
import sys

log = logging.getLogger(__name__)

#: Default RLIMIT_DATA of a Deno process, in MB.
DEFAULT_MEMORY_LIMIT_MB = 1024

#: Memory V8 reserves at start-up that RLIMIT_DATA counts (its code range): a Deno process does
#: not start under about 560 MB, whatever its heap cap.
STARTUP_RESERVE_MB = 600


class MemoryLimitError(ValueError):
    """PW_CODE_MEMORY_LIMIT_MB is not a usable number of megabytes."""

    code = "INVALID_CODE_MEMORY_LIMIT"


def memory_limit_from_env() -> int:
    """Reads PW_CODE_MEMORY_LIMIT_MB: the OS memory limit of each Deno process (0: none).

    Raises:
        MemoryLimitError: the value is not a whole number, or too small for Deno to start.
    """
    raw = os.environ.get("PW_CODE_MEMORY_LIMIT_MB", "").strip()
    if not raw:
        return DEFAULT_MEMORY_LIMIT_MB
    try:
        limit = int(raw)
    except ValueError:
        limit = -1
    if limit != 0 and limit < STARTUP_RESERVE_MB:
        raise MemoryLimitError(
            f"PW_CODE_MEMORY_LIMIT_MB must be 0 (no limit) or at least {STARTUP_RESERVE_MB}"
            f" (Deno reserves about that much at start-up), not {raw!r}"
        )
    return limit


def check_memory_limit(*, limit_mb: int, heap_mb: int) -> None:
    """Checks that a process with this heap cap can start and use its heap under the limit.

    Raises:
        MemoryLimitError: the limit leaves no room for the heap.
    """
    if limit_mb and limit_mb < STARTUP_RESERVE_MB + heap_mb:
        raise MemoryLimitError(
            f"The code memory limit ({limit_mb} MB) must be at least {STARTUP_RESERVE_MB} MB"
            f" more than the heap cap ({heap_mb} MB)"
        )


def limit_memory(pid: int, limit_mb: int) -> None:
    """Sets RLIMIT_DATA of a running process to `limit_mb` (Linux; elsewhere nothing happens).

    Args:
        pid: the process.
        limit_mb: the limit; 0 sets none.
    """
    if not limit_mb or not sys.platform.startswith("linux"):
        return
    limit = limit_mb * 1024 * 1024
    try:
        resource.prlimit(pid, resource.RLIMIT_DATA, (limit, limit))
    except ProcessLookupError:
        pass  # it died already; its execution reports that
    except OSError as err:  # e.g. a sandbox without prlimit: the heap cap still applies
        log.warning("could not set the memory limit of Deno process %s: %s", pid, err)
