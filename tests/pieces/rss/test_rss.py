"""RSS and Atom against a local HTTP server serving feed files: reading, new items, errors."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pieces.framework import InMemoryStore, NetworkPolicy, PieceError, TriggerContext
from pieces.framework.http_client import create_http_client
from pieces.framework.testing import run_action, run_trigger
from pieces.rss.actions.read_feed import read_feed
from pieces.rss.triggers.new_item import new_item
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

FIXTURES = Path(__file__).parent / "fixtures"
LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
#: path -> fixture file served; tests swap entries to make a feed change.
SERVED: dict[str, str] = {}


def _answer(request: Received) -> Reply:
    if request.path == "/down":
        return Reply(status=503, body=b"maintenance")
    name = SERVED.get(request.path)
    if name is None:
        return Reply(status=404, body=b"no such feed")
    kind = "text/html" if name.endswith(".html") else "application/rss+xml"
    return Reply(headers={"Content-Type": kind}, body=(FIXTURES / name).read_bytes())


@pytest.fixture
def server() -> Iterator[LocalServer]:
    SERVED.clear()
    SERVED.update(
        {
            "/rss": "rss2.xml",
            "/atom": "atom.xml",
            "/page": "not_a_feed.html",
            "/broken": "broken.xml",
        }
    )
    with local_http_server(_answer) as running:
        yield running


async def test_reads_rss2_items_newest_first(server: LocalServer) -> None:
    feed = (await run_action(read_feed, {"url": f"{server.url}/rss"}, network=LOCAL)).output
    assert feed["title"] == "Example blog"
    assert feed["format"] == "rss20"
    assert [item["id"] for item in feed["items"]] == ["post-2", "post-1"]
    second = feed["items"][0]
    assert second["published"] == "2026-01-06T09:30:00Z"
    assert second["content"] == "<p>Full text of two</p>"
    assert second["categories"] == ["news"]
    assert second["enclosures"] == [
        {"url": "https://blog.example.com/2.mp3", "type": "audio/mpeg", "length": "1234"}
    ]
    assert "<script>" not in second["description"]
    assert f'href="{server.url}/about"' in second["description"]  # relative links resolved


async def test_reads_atom(server: LocalServer) -> None:
    feed = (await run_action(read_feed, {"url": f"{server.url}/atom"}, network=LOCAL)).output
    assert feed["format"] == "atom10"
    assert feed["description"] == "Releases"
    [entry] = feed["items"]
    assert entry["title"] == "v1.0 released"
    assert entry["author"] == "Bob"
    assert entry["published"] == "2026-02-01T10:00:00Z"
    assert entry["content"] == "<p>Notes</p>"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page", "is not an RSS or Atom feed"),
        ("/broken", "is not an RSS or Atom feed: .*"),
        ("/missing", "answered 404 Not Found: no such feed"),
        ("/down", "answered 503 Service Unavailable: maintenance"),
    ],
)
async def test_bad_feeds_fail_with_the_reason(server: LocalServer, path: str, message: str) -> None:
    with pytest.raises(PieceError, match=message):
        await run_action(read_feed, {"url": f"{server.url}{path}"}, network=LOCAL)


async def test_private_addresses_are_refused_by_default(server: LocalServer) -> None:
    with pytest.raises(PieceError, match="blocked"):
        await run_action(read_feed, {"url": f"{server.url}/rss"})


async def _poll(url: str, store: InMemoryStore) -> list[dict[str, object]]:
    items: list[dict[str, object]] = await run_trigger(
        new_item, {"url": url}, store=store, network=LOCAL
    )
    return items


def _context(url: str, store: InMemoryStore, http: httpx.AsyncClient) -> TriggerContext:
    return TriggerContext(props={"url": url}, store=store, http=http)


async def test_new_item_fires_once_per_new_item_oldest_first(server: LocalServer) -> None:
    store = InMemoryStore()
    url = f"{server.url}/rss"
    assert new_item.on_enable is not None
    async with create_http_client(LOCAL) as http:
        await new_item.on_enable(_context(url, store, http))
    assert await _poll(url, store) == []
    SERVED["/rss"] = "rss2_newer.xml"
    fresh = await _poll(url, store)
    assert [item["id"] for item in fresh] == ["post-3", "post-4"]
    assert fresh[0]["feed"] == {"title": "Example blog", "link": "https://blog.example.com/"}
    assert await _poll(url, store) == []
    # post-1 dropped out of the feed and comes back: it was seen, so it does not fire again.
    SERVED["/rss"] = "rss2.xml"
    assert await _poll(url, store) == []
    assert new_item.on_disable is not None
    async with create_http_client(LOCAL) as http:
        await new_item.on_disable(_context(url, store, http))
    assert [item["id"] for item in await _poll(url, store)] == ["post-1", "post-2"]


async def test_trigger_test_returns_recent_items(server: LocalServer) -> None:
    assert new_item.test is not None
    async with create_http_client(LOCAL) as http:
        items = await new_item.test(_context(f"{server.url}/atom", InMemoryStore(), http))
    assert [item["title"] for item in items] == ["v1.0 released"]


async def test_poll_of_a_broken_feed_raises_the_framework_error(server: LocalServer) -> None:
    with pytest.raises(PieceError, match="is not an RSS or Atom feed"):
        await _poll(f"{server.url}/page", InMemoryStore())
