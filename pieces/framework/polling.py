"""Polling triggers: fetch recent items, and fire only for the new ones (state in the store).

TIMEBASED keeps the newest timestamp seen; LAST_ITEM keeps the id of the newest item seen (items
come newest first). Enabling records the current state, so items that exist already never fire.
"""

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pieces.framework.context import TriggerContext
from pieces.framework.props import Prop
from pieces.framework.trigger import Trigger, TriggerStrategy

#: Store key (FLOW scope) of the dedupe state.
STATE_KEY = "_polling_state"
#: How many items `test` returns.
TEST_ITEMS = 5


class DedupeStrategy(StrEnum):
    """How a poll tells new items from seen ones."""

    TIMEBASED = "TIMEBASED"
    LAST_ITEM = "LAST_ITEM"


@dataclass(frozen=True, slots=True, kw_only=True)
class PolledItem:
    """One fetched item: its data, and its timestamp (TIMEBASED) or id (LAST_ITEM)."""

    data: Any
    epoch_ms: int | None = None
    id: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PollRequest:
    """What the items function gets."""

    ctx: TriggerContext
    last_fetch_epoch_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Polling:
    """A dedupe strategy and the function that fetches recent items (newest first for LAST_ITEM)."""

    strategy: DedupeStrategy
    items: Callable[[PollRequest], Awaitable[list[PolledItem]]]
    max_items: int = 100

    async def on_enable(self, ctx: TriggerContext) -> None:
        """Records the current state so only items after enabling fire."""
        if self.strategy is DedupeStrategy.TIMEBASED:
            await ctx.store.put(STATE_KEY, {"last_epoch_ms": _now_ms()})
            return
        items = await self.items(PollRequest(ctx=ctx, last_fetch_epoch_ms=0))
        await ctx.store.put(STATE_KEY, {"last_id": items[0].id if items else None})

    async def on_disable(self, ctx: TriggerContext) -> None:
        """Forgets the state."""
        await ctx.store.delete(STATE_KEY)

    async def poll(self, ctx: TriggerContext) -> list[Any]:
        """The data of the items that are new since the last poll (at most `max_items`)."""
        state = await ctx.store.get(STATE_KEY) or {}
        last_ms = int(state.get("last_epoch_ms") or 0)
        items = await self.items(PollRequest(ctx=ctx, last_fetch_epoch_ms=last_ms))
        if self.strategy is DedupeStrategy.TIMEBASED:
            fresh = [item for item in items if (item.epoch_ms or 0) > last_ms]
            newest = max((item.epoch_ms or 0 for item in items), default=last_ms)
            await ctx.store.put(STATE_KEY, {"last_epoch_ms": max(newest, last_ms)})
        else:
            fresh = []
            for item in items:
                if item.id == state.get("last_id"):
                    break
                fresh.append(item)
            if items:
                await ctx.store.put(STATE_KEY, {"last_id": items[0].id})
        return [item.data for item in fresh[: self.max_items]]

    async def test(self, ctx: TriggerContext) -> list[Any]:
        """Up to five recent items, whatever was seen, for "Test trigger"."""
        items = await self.items(PollRequest(ctx=ctx, last_fetch_epoch_ms=0))
        return [item.data for item in items[:TEST_ITEMS]]


def polling_trigger(
    *,
    name: str,
    display_name: str,
    polling: Polling,
    description: str = "",
    props: Mapping[str, Prop] | None = None,
    sample_data: Any = None,
) -> Trigger:
    """A POLLING trigger whose run, test, on_enable and on_disable come from `polling`."""
    return Trigger(
        name=name,
        display_name=display_name,
        description=description,
        type=TriggerStrategy.POLLING,
        props=props or {},
        sample_data=sample_data,
        run=polling.poll,
        test=polling.test,
        on_enable=polling.on_enable,
        on_disable=polling.on_disable,
    )


def _now_ms() -> int:
    return int(time.time() * 1000)
