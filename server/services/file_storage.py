"""Where file contents live: in the files table (the default) or in an S3-compatible bucket.

The files table holds every file's metadata (name, size, project, run) either way; a storage
only moves the bytes. The key of a file's contents is its id.
"""

import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Protocol

import httpx

from server.db.models import FileRow
from server.s3_client import S3Client, S3Config, S3Error
from server.services.errors import ServiceError, StorageFailedError, StorageUnavailableError


class FileStorage(Protocol):
    """Puts, gets and deletes a file's contents by the file's id."""

    async def put(self, row: FileRow, data: bytes) -> None:
        """Stores `data` as the contents of `row` (before the row is inserted).

        Raises:
            ServiceError: the storage refused or cannot be reached.
        """

    async def get(self, row: FileRow) -> bytes:
        """The contents of `row`.

        Raises:
            ServiceError: the storage refused or cannot be reached.
        """

    async def delete(self, file_ids: Sequence[str]) -> None:
        """Deletes the contents of these files (their rows are deleted by the caller).

        Raises:
            ServiceError: the storage refused or cannot be reached.
        """


class DatabaseStorage:
    """Contents in the row's `data` column: they go with the row, nothing else to do."""

    async def put(self, row: FileRow, data: bytes) -> None:
        row.data = data

    async def get(self, row: FileRow) -> bytes:
        return row.data

    async def delete(self, file_ids: Sequence[str]) -> None:
        return None


DATABASE_STORAGE = DatabaseStorage()


class S3Storage:
    """Contents as objects `<PW_S3_PREFIX><fileId>` in a bucket; the row's `data` stays empty."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    async def put(self, row: FileRow, data: bytes) -> None:
        row.data = b""
        with _service_errors():
            await self._client.put_object(row.id, data)

    async def get(self, row: FileRow) -> bytes:
        if row.data or row.size == 0:
            # Written before PW_FILE_STORAGE=S3 was set: the bytes are still in the row.
            return row.data
        with _service_errors():
            return await self._client.get_object(row.id)

    async def delete(self, file_ids: Sequence[str]) -> None:
        with _service_errors():
            for file_id in file_ids:
                await self._client.delete_object(file_id)


@contextlib.contextmanager
def _service_errors() -> Iterator[None]:
    try:
        yield
    except S3Error as err:
        kind: type[ServiceError] = (
            StorageUnavailableError if err.unreachable else StorageFailedError
        )
        raise kind(err.message) from err


@contextlib.asynccontextmanager
async def open_file_storage(config: S3Config | None) -> AsyncIterator[FileStorage]:
    """The storage the settings choose, open for the server's lifetime."""
    if config is None:
        yield DATABASE_STORAGE
        return
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0)) as http:
        yield S3Storage(S3Client(config, http=http))
