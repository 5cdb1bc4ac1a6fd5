"""Fetching and parsing RSS and Atom feeds into plain JSON items."""

import calendar
import time
from typing import Any

import httpx

from pieces.framework import PieceError
from pieces.framework.api_errors import send

#: Largest feed read.
MAX_FEED_BYTES = 10 * 1024 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)


async def fetch_feed(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """The feed at `url` as `{title, link, description, updated, items: [...]}`, newest first.

    Raises:
        PieceError: the URL cannot be fetched, answers an error, or is not an RSS/Atom feed.
    """
    response = await send(
        http, "GET", url, service=url, headers={"Accept": _ACCEPT, "User-Agent": "Piecework"}
    )
    if len(response.content) > MAX_FEED_BYTES:
        raise PieceError(f"the feed at {url} is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    return parse_feed(response.content, url=url)


def parse_feed(data: bytes, *, url: str) -> dict[str, Any]:
    """Parses RSS 0.9x/1.0/2.0 or Atom bytes; refuses what is not a feed, naming the problem."""
    import feedparser  # imported on use: it adds ~20 ms to every server start

    parsed = feedparser.parse(
        data,
        sanitize_html=True,
        resolve_relative_uris=True,
        response_headers={"content-location": url},
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # Like feed readers, a feed with small XML errors is read as far as it goes; one that yields
    # nothing (or is no feed at all) is refused with the parser's reason.
    if not parsed.get("version") or (problem is not None and not parsed.entries):
        why = f": {problem}" if problem else ""
        raise PieceError(f"{url} is not an RSS or Atom feed{why}")
    feed = parsed.feed
    items = [_item(entry) for entry in parsed.entries]
    items.sort(key=lambda item: item["publishedEpochMs"] or 0, reverse=True)
    return {
        "title": feed.get("title", ""),
        "link": feed.get("link", ""),
        "description": feed.get("subtitle", ""),
        "updated": _iso(_raw(feed, "updated_parsed")),
        "format": parsed.version,
        "items": items,
    }


def _item(entry: Any) -> dict[str, Any]:
    # Plain dict lookups: feedparser's own mapping of updated <-> published warns.
    published = _raw(entry, "published_parsed") or _raw(entry, "updated_parsed")
    content = entry.get("content") or []
    return {
        "id": entry.get("id") or entry.get("link") or entry.get("title", ""),
        "title": entry.get("title", ""),
        "link": entry.get("link", ""),
        "description": entry.get("summary", ""),
        "content": content[0].get("value", "") if content else "",
        "author": entry.get("author", ""),
        "published": _iso(published),
        "updated": _iso(_raw(entry, "updated_parsed") or published),
        "publishedEpochMs": calendar.timegm(published) * 1000 if published else None,
        "categories": [tag.get("term", "") for tag in entry.get("tags", [])],
        "enclosures": [
            {"url": e.get("href", ""), "type": e.get("type", ""), "length": e.get("length", "")}
            for e in entry.get("enclosures", [])
        ],
    }


def _raw(mapping: Any, key: str) -> Any:
    return dict.get(mapping, key)


def _iso(value: time.struct_time | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", value) if value else None
