"""Polling dedupe: only items after enabling fire, each once; test shows up to five recent ones."""

import time
from typing import Any

from pieces.framework import InMemoryStore, TriggerContext
from pieces.framework.polling import (
    DedupeStrategy,
    PolledItem,
    Polling,
    PollRequest,
    polling_trigger,
)


class Feed:
    """A fake vendor feed: newest first."""

    def __init__(self) -> None:
        self.items: list[PolledItem] = []
        self.requests: list[int] = []

    def add(self, n: int, *, epoch_ms: int | None = None) -> None:
        self.items.insert(0, PolledItem(data={"n": n}, id=f"id-{n}", epoch_ms=epoch_ms))

    async def fetch(self, request: PollRequest) -> list[PolledItem]:
        self.requests.append(request.last_fetch_epoch_ms)
        return list(self.items)


def _ctx(store: InMemoryStore) -> TriggerContext:
    return TriggerContext(props={}, store=store)


async def test_last_item_fires_each_new_item_once() -> None:
    feed, store = Feed(), InMemoryStore()
    for n in (1, 2):
        feed.add(n)
    trigger = polling_trigger(
        name="new_item",
        display_name="New item",
        polling=Polling(strategy=DedupeStrategy.LAST_ITEM, items=feed.fetch),
    )
    assert trigger.on_enable is not None
    await trigger.on_enable(_ctx(store))
    assert await trigger.run(_ctx(store)) == []
    feed.add(3)
    feed.add(4)
    assert await trigger.run(_ctx(store)) == [{"n": 4}, {"n": 3}]
    assert await trigger.run(_ctx(store)) == []


async def test_timebased_fires_items_newer_than_the_last_poll() -> None:
    feed, store = Feed(), InMemoryStore()
    now = int(time.time() * 1000)
    feed.add(1, epoch_ms=now - 60_000)
    polling = Polling(strategy=DedupeStrategy.TIMEBASED, items=feed.fetch, max_items=1)
    await polling.on_enable(_ctx(store))
    assert await polling.poll(_ctx(store)) == []
    feed.add(2, epoch_ms=now + 1_000)
    feed.add(3, epoch_ms=now + 2_000)
    assert await polling.poll(_ctx(store)) == [{"n": 3}]
    assert await polling.poll(_ctx(store)) == []
    assert feed.requests[-1] == now + 2_000


async def test_test_returns_up_to_five_recent_items_and_disable_forgets() -> None:
    feed, store = Feed(), InMemoryStore()
    for n in range(8):
        feed.add(n)
    polling = Polling(strategy=DedupeStrategy.LAST_ITEM, items=feed.fetch)
    items: list[Any] = await polling.test(_ctx(store))
    assert [item["n"] for item in items] == [7, 6, 5, 4, 3]
    await polling.on_enable(_ctx(store))
    await polling.on_disable(_ctx(store))
    assert len(await polling.poll(_ctx(store))) == 8
