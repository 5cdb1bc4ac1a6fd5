"""`ctx.files`: files a step writes for later steps, by reference, and an in-memory store of them."""

import uuid
from dataclasses import dataclass
from typing import Protocol

from pieces.framework.errors import PieceError
from pieces.framework.props.basic import FILE_REFERENCE_PREFIX

#: Largest file a step may write (PW_MAX_FILE_SIZE_MB default).
MAX_FILE_BYTES = 25 * 1024 * 1024


class FileError(PieceError):
    """A file is too large, or a reference points at no file."""

    code = "FILE_INVALID"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFile:
    """A file's name and bytes."""

    name: str
    data: bytes


class Files(Protocol):
    """What `ctx.files` offers."""

    async def write(self, *, name: str, data: bytes) -> str:
        """Stores a file and returns its reference (`pw-file://...`), usable as a File prop value."""
        ...

    async def read(self, reference: str) -> StoredFile:
        """The file behind a reference; FileError if there is none."""
        ...


class InMemoryFiles:
    """Files in a dict, for tests and for runs with no server."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}

    async def write(self, *, name: str, data: bytes) -> str:
        if len(data) > MAX_FILE_BYTES:
            raise FileError(
                f"File {name!r} is {len(data) // (1024 * 1024)} MB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
            )
        reference = f"{FILE_REFERENCE_PREFIX}{uuid.uuid4().hex}/{name}"
        self._files[reference] = StoredFile(name=name, data=bytes(data))
        return reference

    async def read(self, reference: str) -> StoredFile:
        try:
            return self._files[reference]
        except KeyError:
            raise FileError(f"no file for reference {reference!r}") from None
