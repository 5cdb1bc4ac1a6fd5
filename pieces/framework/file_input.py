"""Reading a File prop's value: a reference from an earlier step, or an http(s) URL fetched through `ctx.http`."""

from urllib.parse import unquote, urlsplit

import httpx

from pieces.framework.files import MAX_FILE_BYTES, FileError, Files, StoredFile
from pieces.framework.props import FILE_REFERENCE_PREFIX


async def load_file(*, value: str, files: Files, http: httpx.AsyncClient) -> StoredFile:
    """The name and bytes behind a File prop value.

    Args:
        value: `pw-file://...` (read from `files`) or an http(s) URL (downloaded with `http`,
            so the network policy applies).
        files: the step's files.
        http: the step's HTTP client.

    Raises:
        FileError: no such reference, the download failed, or the file is over the size limit.
    """
    if value.startswith(FILE_REFERENCE_PREFIX):
        return await files.read(value)
    try:
        response = await http.get(value)
    except httpx.HTTPError as err:
        raise FileError(f"could not download {value}: {err}") from err
    if response.is_error:
        raise FileError(f"downloading {value} answered {response.status_code}")
    if len(response.content) > MAX_FILE_BYTES:
        raise FileError(f"{value} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    name = unquote(urlsplit(value).path.rsplit("/", 1)[-1]) or "download"
    return StoredFile(name=name, data=response.content)
