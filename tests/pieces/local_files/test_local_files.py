"""Local Files in temp folders: allowed folders only, symlink escapes refused, new-file polling."""

import os
from pathlib import Path

import pytest

from pieces.framework import InMemoryFiles, InMemoryStore, PieceError
from pieces.framework.metadata import piece_metadata
from pieces.framework.testing import enable_trigger, run_action, run_trigger
from pieces.local_files import piece
from pieces.local_files.actions.list_folder import list_folder
from pieces.local_files.actions.move_file import move_file
from pieces.local_files.actions.read_file import read_file
from pieces.local_files.actions.write_file import write_file
from pieces.local_files.paths import ALLOWED_DIRS_ENV, PathNotAllowedError
from pieces.local_files.triggers.new_file_in_folder import new_file_in_folder


@pytest.fixture
def allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    inside = tmp_path / "allowed"
    (inside / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("top secret")
    monkeypatch.setenv(ALLOWED_DIRS_ENV, os.pathsep.join([str(inside), str(tmp_path / "other")]))
    return inside


async def test_write_then_read_text_and_files(allowed: Path) -> None:
    written = await run_action(
        write_file, {"path": "notes/a.txt", "content": "héllo", "create_folders": True}
    )
    assert written.output["path"] == str(allowed / "notes" / "a.txt")
    assert written.output["size"] == len("héllo".encode())
    await run_action(write_file, {"path": "notes/a.txt", "content": " world", "mode": "append"})
    read = await run_action(read_file, {"path": str(allowed / "notes" / "a.txt")})
    assert read.output["content"] == "héllo world"
    assert read.output["type"] == "file"
    files = InMemoryFiles()
    as_file = await run_action(read_file, {"path": "notes/a.txt", "read_as": "file"}, files=files)
    assert (await files.read(as_file.output["file"])).data == "héllo world".encode()
    copy = await run_action(
        write_file, {"path": "copy.bin", "file": as_file.output["file"]}, files=files
    )
    assert (allowed / "copy.bin").read_bytes() == "héllo world".encode()
    assert copy.output["name"] == "copy.bin"
    with pytest.raises(PieceError, match="already exists"):
        await run_action(write_file, {"path": "copy.bin", "content": "x", "mode": "fail"})
    with pytest.raises(PieceError, match="does not exist"):
        await run_action(write_file, {"path": "nope/x.txt", "content": "x"})


async def test_list_and_move(allowed: Path) -> None:
    (allowed / "a.csv").write_text("1")
    (allowed / "b.txt").write_text("2")
    (allowed / "sub" / "c.csv").write_text("3")
    flat = (await run_action(list_folder, {"path": str(allowed)})).output
    assert [e["name"] for e in flat["entries"]] == ["a.csv", "b.txt", "sub"]
    assert flat["entries"][2]["type"] == "folder"
    deep = (
        await run_action(list_folder, {"path": ".", "pattern": "*.csv", "recursive": True})
    ).output
    assert [e["name"] for e in deep["entries"]] == ["a.csv", "c.csv"]
    moved = await run_action(move_file, {"source": "a.csv", "destination": "sub"})
    assert moved.output["path"] == str(allowed / "sub" / "a.csv")
    with pytest.raises(PieceError, match="already exists"):
        await run_action(move_file, {"source": "b.txt", "destination": "sub/c.csv"})
    await run_action(move_file, {"source": "b.txt", "destination": "sub/c.csv", "overwrite": True})
    assert (allowed / "sub" / "c.csv").read_text() == "2"


@pytest.mark.parametrize(
    "path", ["../secret.txt", "{tmp}/secret.txt", "sub/../../secret.txt", "/etc/passwd"]
)
async def test_paths_outside_the_allowed_folders_are_refused(allowed: Path, path: str) -> None:
    with pytest.raises(PathNotAllowedError, match="outside the folders flows may use"):
        await run_action(read_file, {"path": path.format(tmp=allowed.parent)})


async def test_symlink_escapes_are_refused(allowed: Path) -> None:
    (allowed / "link.txt").symlink_to(allowed.parent / "secret.txt")
    (allowed / "linkdir").symlink_to(allowed.parent)
    with pytest.raises(PathNotAllowedError):
        await run_action(read_file, {"path": "link.txt"})
    with pytest.raises(PathNotAllowedError):
        await run_action(write_file, {"path": "linkdir/secret.txt", "content": "overwritten"})
    with pytest.raises(PathNotAllowedError):
        await run_action(move_file, {"source": "sub", "destination": "linkdir/stolen"})
    listed = (await run_action(list_folder, {"path": "."})).output["entries"]
    assert [e["name"] for e in listed] == ["sub"]
    assert (allowed.parent / "secret.txt").read_text() == "top secret"


@pytest.mark.parametrize("pattern", ["../*", "sub/../../*", "..", "*/../*"])
async def test_patterns_cannot_leave_the_folder(allowed: Path, pattern: str) -> None:
    with pytest.raises(PieceError, match="must not contain folders"):
        await run_action(list_folder, {"path": ".", "pattern": pattern})


async def test_no_allowed_folder_means_nothing_is_allowed(
    allowed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOWED_DIRS_ENV)
    with pytest.raises(PathNotAllowedError, match=ALLOWED_DIRS_ENV):
        await run_action(list_folder, {"path": str(allowed)})


async def test_read_errors_are_plain(allowed: Path) -> None:
    (allowed / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PieceError, match="no such file"):
        await run_action(read_file, {"path": "missing.txt"})
    with pytest.raises(PieceError, match="is a folder"):
        await run_action(read_file, {"path": "sub"})
    with pytest.raises(PieceError, match="is not utf-8 text"):
        await run_action(read_file, {"path": "bin"})


async def test_new_file_in_folder_fires_for_new_files_only(allowed: Path) -> None:
    (allowed / "old.pdf").write_text("old")
    store = InMemoryStore()
    props = {"folder": str(allowed), "pattern": "*.pdf"}
    await enable_trigger(new_file_in_folder, props, store=store)
    assert await run_trigger(new_file_in_folder, props, store=store) == []
    (allowed / "new.pdf").write_text("new")
    (allowed / "ignored.txt").write_text("x")
    fired = await run_trigger(new_file_in_folder, props, store=store)
    assert [f["name"] for f in fired] == ["new.pdf"]
    assert await run_trigger(new_file_in_folder, props, store=store) == []


async def test_poll_of_a_folder_outside_raises_the_framework_error(allowed: Path) -> None:
    with pytest.raises(PieceError):
        await run_trigger(
            new_file_in_folder, {"folder": str(allowed.parent)}, store=InMemoryStore()
        )


def test_metadata_marks_the_piece_personal_only() -> None:
    assert piece_metadata(piece).personal_only is True
