"""Helpers for driving the desktop app in tests: run coroutines on the Qt loop, click canvas items."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsItem

from desktop.canvas.view import FlowView
from desktop.client.connection_monitor import WATCHER_TASK_PREFIX

T = TypeVar("T")


def run(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine on the app's event loop, then lets the tasks it started finish.

    The app runs one loop forever; tests run it call by call. A request still in flight when
    qasync's run_until_complete returns does not resume in the next call, so none is left.
    """
    return loop.run_until_complete(_settled(work))


async def _settled(work: Coroutine[Any, Any, T], *, limit_s: float = 10) -> T:
    result = await work
    # Tasks that keep going (a save queue retrying) are left after `limit_s`; the window's
    # server watchers (health checks, live updates) run as long as the connection.
    others = {
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task() and not t.get_name().startswith(WATCHER_TASK_PREFIX)
    }
    if others:
        await asyncio.wait(others, timeout=limit_s)
    return result


def until(
    loop: asyncio.AbstractEventLoop, predicate: Callable[[], bool], timeout_s: float = 15
) -> None:
    """Lets the app run until the predicate holds."""

    async def wait() -> None:
        async with asyncio.timeout(timeout_s):
            while not predicate():  # noqa: ASYNC110  (polls a widget: there is no event to wait on)
                await asyncio.sleep(0.05)

    loop.run_until_complete(_settled(wait(), limit_s=0.5))


def click(view: FlowView, item: QGraphicsItem) -> None:
    """A real left click on a canvas item (scrolled into view first)."""
    view.centerOn(item)
    point = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )


def drag(view: FlowView, item: QGraphicsItem, target: QGraphicsItem) -> None:
    """Presses on an item, moves to the target in steps and releases there."""
    start = view.mapFromScene(item.sceneBoundingRect().center())
    end = view.mapFromScene(target.sceneBoundingRect().center())
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for fraction in (0.25, 0.5, 0.75, 1.0):
        point = start + (end - start) * fraction
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
