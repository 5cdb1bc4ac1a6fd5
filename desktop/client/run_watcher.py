"""Following a run until it ends: polling for now (the WebSocket /api/v1/ws can replace it here)."""

import asyncio
from collections.abc import Callable

from desktop.client.api_client import ApiClient
from engine.model import TERMINAL, RunStatus
from engine.model.resources import FlowRunRead

POLL_INTERVAL_S = 0.3


async def watch_run(
    client: ApiClient,
    run_id: str,
    *,
    on_update: Callable[[FlowRunRead], None] = lambda run: None,
    timeout_s: float = 120.0,
    interval_s: float = POLL_INTERVAL_S,
) -> FlowRunRead:
    """Reads the run until it is finished (or PAUSED), calling `on_update` with each new state.

    Raises:
        TimeoutError: still going after `timeout_s` (it goes on running on the server).
    """
    async with asyncio.timeout(timeout_s):
        while True:
            run = await client.run(run_id)
            on_update(run)
            if run.status in TERMINAL or run.status == RunStatus.PAUSED:
                return run
            await asyncio.sleep(interval_s)
