"""Data dir checks: version marker, PostgreSQL major, damaged clusters, disk space; nothing is deleted."""

import json
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from server import data_dir
from server.data_dir import DataDirError, check_app_version, check_free_space, check_pgdata

_Usage = namedtuple("_Usage", "total used free")


def _cluster(pgdata: Path, major: int = 18) -> Path:
    (pgdata / "global").mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text(f"{major}\n")
    (pgdata / "global" / "pg_control").write_bytes(b"\0" * 64)
    (pgdata / "base").mkdir()
    (pgdata / "base" / "user-data").write_text("rows")
    return pgdata


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_marker_is_written_when_there_is_none_and_raised_by_newer_versions(tmp_path: Path) -> None:
    assert data_dir.read_marker(tmp_path) is None
    data_dir.write_marker(tmp_path, current="0.1.0", postgres_major=18)
    assert data_dir.read_marker(tmp_path) == {"appVersion": "0.1.0", "postgresMajor": 18}
    data_dir.write_marker(tmp_path, current="0.2.0", postgres_major=18)
    assert data_dir.read_marker(tmp_path) == {"appVersion": "0.2.0", "postgresMajor": 18}
    # An older app never lowers it (it refuses before getting here, but the marker stays right).
    data_dir.write_marker(tmp_path, current="0.1.5", postgres_major=18)
    assert data_dir.read_marker(tmp_path) == {"appVersion": "0.2.0", "postgresMajor": 18}


def test_a_data_dir_of_a_newer_app_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / data_dir.VERSION_FILE).write_text(json.dumps({"appVersion": "0.10.0"}))
    _cluster(tmp_path / "pgdata")
    before = _files(tmp_path)

    with pytest.raises(DataDirError) as caught:
        check_app_version(tmp_path, current="0.9.3")

    assert caught.value.code == "DATA_DIR_TOO_NEW"
    message = str(caught.value)
    assert "Piecework 0.10.0" in message
    assert "newer than this Piecework 0.9.3" in message
    assert "--data-dir" in message
    assert "Nothing was changed" in message
    assert _files(tmp_path) == before


@pytest.mark.parametrize("recorded", ["0.1.0", "0.0.9", "0.1.0-beta", "garbage"])
def test_same_or_older_or_unreadable_versions_are_accepted(tmp_path: Path, recorded: str) -> None:
    (tmp_path / data_dir.VERSION_FILE).write_text(json.dumps({"appVersion": recorded}))
    check_app_version(tmp_path, current="0.1.0")
    (tmp_path / data_dir.VERSION_FILE).write_text("{not json")
    check_app_version(tmp_path, current="0.1.0")


def test_version_key_orders_numerically() -> None:
    assert data_dir.version_key("0.10.0") > data_dir.version_key("0.9.12")
    assert data_dir.version_key("1.2.3+build.5") == data_dir.version_key("1.2.3")


def test_app_version_comes_from_the_distribution() -> None:
    from piecework import __version__

    assert data_dir.app_version() == __version__


@pytest.mark.parametrize("content", [None, [], ["log"], ["log", ".handle_pids.json"]])
def test_absent_or_empty_cluster_dirs_are_fine(tmp_path: Path, content: list[str] | None) -> None:
    pgdata = tmp_path / "pgdata"
    if content is not None:
        pgdata.mkdir()
        for name in content:
            (pgdata / name).write_text("")
    check_pgdata(pgdata, major=18)


def test_a_whole_cluster_of_the_same_major_is_fine(tmp_path: Path) -> None:
    check_pgdata(_cluster(tmp_path / "pgdata"), major=18)


@pytest.mark.parametrize(
    ("major", "code", "words"),
    [
        (19, "POSTGRES_TOO_NEW", "created by PostgreSQL 19, newer than the PostgreSQL 18"),
        (16, "POSTGRES_TOO_OLD", "created by PostgreSQL 16; this Piecework includes PostgreSQL 18"),
    ],
)
def test_a_cluster_of_another_major_is_refused_and_left_alone(
    tmp_path: Path, major: int, code: str, words: str
) -> None:
    pgdata = _cluster(tmp_path / "pgdata", major)
    before = _files(pgdata)
    with pytest.raises(DataDirError) as caught:
        check_pgdata(pgdata, major=18)
    assert caught.value.code == code
    assert words in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    assert _files(pgdata) == before


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("no-version", "PG_VERSION file is missing or unreadable"),
        ("bad-version", "PG_VERSION file is missing or unreadable"),
        ("no-control", "global/pg_control) is missing"),
    ],
)
def test_a_damaged_cluster_is_refused_with_what_to_do(
    tmp_path: Path, damage: str, reason: str
) -> None:
    pgdata = _cluster(tmp_path / "pgdata")
    if damage == "no-version":
        (pgdata / "PG_VERSION").unlink()
    elif damage == "bad-version":
        (pgdata / "PG_VERSION").write_bytes(b"\xff\xfe garbage")
    else:
        (pgdata / "global" / "pg_control").unlink()
    before = _files(pgdata)

    with pytest.raises(DataDirError) as caught:
        check_pgdata(pgdata, major=18)

    assert caught.value.code == "DATA_DIR_DAMAGED"
    assert reason in str(caught.value)
    assert "did not change or delete it" in str(caught.value)
    assert "backup" in str(caught.value)
    assert _files(pgdata) == before


def test_a_nearly_full_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: _Usage(10**12, 10**12, 5 * 2**20))
    with pytest.raises(DataDirError) as caught:
        check_free_space(tmp_path / "not-created-yet")
    assert caught.value.code == "DISK_FULL"
    assert "Only 5 MB are free" in str(caught.value)
    assert "Free some space" in str(caught.value)


def test_enough_space_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: _Usage(10**12, 0, 10**10))
    check_free_space(tmp_path)
