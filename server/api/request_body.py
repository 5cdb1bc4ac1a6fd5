"""Reading a raw request body with a size limit, without holding more than the limit."""

from fastapi import Request

from server.services.errors import TooLargeError


async def read_limited(request: Request, *, limit: int, too_large: str) -> bytes:
    """The whole body, or TooLargeError (413) with `too_large` as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError(too_large)
        chunks.append(chunk)
    return b"".join(chunks)
