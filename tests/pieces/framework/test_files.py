"""In-memory files: write returns a reference a File prop accepts; read returns the bytes."""

import pytest

from pieces.framework import File, FileError, InMemoryFiles, validate_props
from pieces.framework.files import MAX_FILE_BYTES


async def test_written_file_is_read_back_through_its_reference() -> None:
    files = InMemoryFiles()
    reference = await files.write(name="report.csv", data=b"a,b\n")
    assert validate_props({"f": File(display_name="F")}, {"f": reference}) == {"f": reference}
    stored = await files.read(reference)
    assert (stored.name, stored.data) == ("report.csv", b"a,b\n")


async def test_unknown_reference_and_oversized_file_are_refused() -> None:
    files = InMemoryFiles()
    with pytest.raises(FileError, match="no file for reference"):
        await files.read("pw-file://missing/x")
    with pytest.raises(FileError, match="the limit is 25 MB"):
        await files.write(name="big.bin", data=b"0" * (MAX_FILE_BYTES + 1))
