"""New Item: fires once for each item that appears in a feed (dedupe by item id)."""

from typing import Any

from pieces.framework import Trigger, TriggerContext, TriggerStrategy
from pieces.rss.feed import fetch_feed
from pieces.rss.props import FEED_URL

#: Store key (FLOW scope) of the ids already seen.
SEEN_KEY = "rss_seen_ids"
#: How many ids are remembered; feeds keep far fewer items than this.
MAX_SEEN = 1000
#: Items one poll fires at most (a feed that changed all its ids at once).
MAX_NEW = 100


async def _items(ctx: TriggerContext) -> list[dict[str, Any]]:
    feed = await fetch_feed(ctx.http, ctx.props["url"])
    items: list[dict[str, Any]] = feed["items"]
    for item in items:
        item["feed"] = {"title": feed["title"], "link": feed["link"]}
    return items


async def _on_enable(ctx: TriggerContext) -> None:
    items = await _items(ctx)
    await ctx.store.put(SEEN_KEY, [item["id"] for item in items][:MAX_SEEN])


async def _on_disable(ctx: TriggerContext) -> None:
    await ctx.store.delete(SEEN_KEY)


async def _run(ctx: TriggerContext) -> list[Any]:
    items = await _items(ctx)
    seen = list(await ctx.store.get(SEEN_KEY) or [])
    known = set(seen)
    fresh = [item for item in items if item["id"] not in known]
    # Current ids first, so ids of items still in the feed are never forgotten.
    current = [item["id"] for item in items]
    kept = current + [old for old in seen if old not in set(current)]
    await ctx.store.put(SEEN_KEY, kept[:MAX_SEEN])
    # Oldest first, so runs start in the order the items were published.
    return list(reversed(fresh[:MAX_NEW]))


async def _test(ctx: TriggerContext) -> list[Any]:
    return (await _items(ctx))[:5]


new_item = Trigger(
    name="new_item",
    display_name="New Item in Feed",
    description="Starts the flow for each new item of an RSS or Atom feed (checked every poll).",
    type=TriggerStrategy.POLLING,
    props={"url": FEED_URL},
    run=_run,
    test=_test,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={
        "id": "https://example.com/posts/42",
        "title": "A new post",
        "link": "https://example.com/posts/42",
        "description": "<p>The summary</p>",
        "content": "",
        "author": "Ada",
        "published": "2026-01-02T10:00:00Z",
        "updated": "2026-01-02T10:00:00Z",
        "publishedEpochMs": 1767348000000,
        "categories": ["news"],
        "enclosures": [],
        "feed": {"title": "Example blog", "link": "https://example.com/"},
    },
)
