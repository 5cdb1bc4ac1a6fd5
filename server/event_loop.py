"""The event loop the server, worker and engine processes run on: uvloop where it exists
(Linux, macOS), asyncio's own elsewhere (Windows).

uvloop makes every await on a socket cheaper; with a database round trip per statement that is
6-20 % more sync webhooks per second on the 2-core test machine (docs/BENCHMARKS.md).
"""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


def run(main: Coroutine[Any, Any, _T]) -> _T:
    """Runs `main` to completion on a new event loop, as `asyncio.run` does."""
    try:
        import uvloop  # not on Windows
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
