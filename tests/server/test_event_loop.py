"""Server, worker and engine processes run on uvloop where it exists, and the result comes back."""

import asyncio
import sys

import pytest

from server import event_loop


async def _loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not exist on Windows")
def test_runs_on_uvloop() -> None:
    assert event_loop.run(_loop_module()).startswith("uvloop")


def test_an_error_in_the_coroutine_comes_back_as_is() -> None:
    async def fail() -> None:
        raise LookupError("kept")

    with pytest.raises(LookupError, match="kept"):
        event_loop.run(fail())
