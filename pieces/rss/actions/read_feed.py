"""Read Feed: every item of an RSS or Atom feed."""

from typing import Any

from pieces.framework import Action, ActionContext
from pieces.rss.feed import fetch_feed
from pieces.rss.props import FEED_URL


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return await fetch_feed(ctx.http, ctx.props["url"])


read_feed = Action(
    name="read_feed",
    display_name="Read Feed",
    description="Fetch an RSS or Atom feed and return its items, newest first.",
    props={"url": FEED_URL},
    run=_run,
)
