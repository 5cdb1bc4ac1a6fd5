"""File prop values: references from earlier steps, and http(s) URLs fetched through ctx.http."""

import httpx
import pytest

from pieces.framework import FileError, InMemoryFiles
from pieces.framework.file_input import load_file


def _http(response: httpx.Response) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda _: response))


async def test_reference_is_read_from_the_files() -> None:
    files = InMemoryFiles()
    reference = await files.write(name="a.txt", data=b"hi")
    async with _http(httpx.Response(500)) as http:
        stored = await load_file(value=reference, files=files, http=http)
    assert (stored.name, stored.data) == ("a.txt", b"hi")


async def test_url_is_downloaded_with_its_file_name() -> None:
    async with _http(httpx.Response(200, content=b"%PDF")) as http:
        stored = await load_file(
            value="https://files.example.com/docs/my%20report.pdf?x=1",
            files=InMemoryFiles(),
            http=http,
        )
    assert (stored.name, stored.data) == ("my report.pdf", b"%PDF")


async def test_failed_downloads_and_missing_references_are_file_errors() -> None:
    async with _http(httpx.Response(404)) as http:
        with pytest.raises(FileError, match="answered 404"):
            await load_file(value="https://x.example/a", files=InMemoryFiles(), http=http)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(FileError, match="could not download"):
            await load_file(value="https://x.example/a", files=InMemoryFiles(), http=http)
        with pytest.raises(FileError, match="no file for reference"):
            await load_file(value="pw-file://nothing/a", files=InMemoryFiles(), http=http)
