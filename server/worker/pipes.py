"""Waiting for a multiprocessing connection without blocking the event loop."""

import asyncio
from multiprocessing.connection import Connection
from typing import Any


async def readable(*handles: int) -> set[int]:
    """Waits until one of these file descriptors is readable; returns the readable ones."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    found: set[int] = set()

    def mark(handle: int) -> None:
        found.add(handle)
        if not ready.done():
            ready.set_result(None)

    for handle in handles:
        loop.add_reader(handle, mark, handle)
    try:
        await ready
    finally:
        for handle in handles:
            loop.remove_reader(handle)
    return found


async def receive(connection: Connection) -> Any:
    """The next object sent on the connection.

    Raises:
        EOFError: the other end closed it (its process ended).
    """
    if not connection.poll():
        await readable(connection.fileno())
    return connection.recv()
