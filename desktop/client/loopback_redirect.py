"""A one-shot HTTP listener on 127.0.0.1 that receives an OAuth2 redirect (RFC 8252 §7.3)."""

import asyncio
import logging
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

#: The path the provider is told to redirect to.
CALLBACK_PATH = "/callback"

#: A blank line (or the connection closing) ends an HTTP request's headers.
_HEAD_END = (b"\r\n", b"\n", b"")

_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>Piecework</title>"
    "<body style='font-family: sans-serif; margin: 3em'><h2>{title}</h2>"
    "<p>You can close this tab and go back to Piecework.</p></body>"
)


class LoopbackRedirect:
    """Listens on an ephemeral port of 127.0.0.1 until one request to the callback path arrives.

    Use as `async with LoopbackRedirect() as loopback:`, give `loopback.url` to the provider,
    then `await loopback.received()` for the redirect's query parameters.
    """

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._query: asyncio.Future[dict[str, str]] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The redirect URL (loopback IP literal, as RFC 8252 recommends over "localhost")."""
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    async def __aenter__(self) -> "LoopbackRedirect":
        self._query = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._query is not None and not self._query.done():
            self._query.cancel()

    async def received(self) -> dict[str, str]:
        """The callback's query parameters (first value of each), once the browser arrives."""
        assert self._query is not None, "use LoopbackRedirect as an async context manager"
        return await asyncio.shield(self._query)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=10)
            while await asyncio.wait_for(reader.readline(), timeout=10) not in _HEAD_END:
                pass  # the headers: the callback needs only the request line
            parts = request_line.decode("latin-1").split()
            target = urlsplit(parts[1]) if len(parts) >= 2 and parts[0] == "GET" else None
            if target is None or target.path != CALLBACK_PATH:
                await _answer(writer, 404, "Not found")
                return
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            title = "Sign-in declined" if "error" in query else "Signed in"
            await _answer(writer, 200, _PAGE.format(title=title))
            if self._query is not None and not self._query.done():
                self._query.set_result(query)
        except (TimeoutError, ConnectionError, UnicodeDecodeError) as err:
            log.debug("loopback request dropped: %s", err)
        finally:
            writer.close()


async def _answer(writer: asyncio.StreamWriter, status: int, html: str) -> None:
    body = html.encode()
    reason = "OK" if status == 200 else "Not Found"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
