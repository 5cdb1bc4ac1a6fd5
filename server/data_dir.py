"""Checks on a personal-mode data dir before the server uses it, and the version marker it keeps there.

Every check refuses with a message that says what happened and what to do; none of them deletes,
moves or rewrites user data. The marker (`piecework-version.json`) records the newest Piecework
and the PostgreSQL major that used the dir, so an older app can refuse a dir a newer one migrated.
"""

import contextlib
import json
import os
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

#: {"appVersion": "0.1.0", "postgresMajor": 18}, rewritten by each start of a newer app.
VERSION_FILE = "piecework-version.json"
#: Below this much free space the server does not start PostgreSQL (initdb needs ~40 MB, and a
#: cluster that runs out of space mid-write stops).
MIN_FREE_BYTES = 100 * 1024 * 1024
#: Files pgserver itself may leave in an empty cluster dir (a failed first start).
_HARMLESS_IN_EMPTY_PGDATA = frozenset({"log", ".handle_pids.json"})


class DataDirError(RuntimeError):
    """The data dir cannot be used as it is; the message says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def app_version() -> str:
    """The installed Piecework's version (from its distribution metadata, also in frozen builds)."""
    try:
        return version("piecework")
    except PackageNotFoundError:
        return "0"


def version_key(text: str) -> tuple[int, ...]:
    """Comparable form of a version like `1.2.10` (pre-release and build suffixes ignored)."""
    core = text.split("+", 1)[0].split("-", 1)[0]
    return tuple(int(part) if part.isdigit() else 0 for part in core.split("."))


def read_marker(data_dir: Path) -> dict[str, Any] | None:
    """The version marker's content, or None when there is none (or it is unreadable)."""
    try:
        marker = json.loads((data_dir / VERSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def check_app_version(data_dir: Path, *, current: str) -> None:
    """Refuses a data dir that a newer Piecework has used (its database may be migrated past us).

    Raises:
        DataDirError: the marker names a newer version.
    """
    marker = read_marker(data_dir)
    recorded = str(marker.get("appVersion", "")) if marker else ""
    if recorded and version_key(recorded) > version_key(current):
        raise DataDirError(
            "DATA_DIR_TOO_NEW",
            f"The data in {data_dir} was last used by Piecework {recorded}, which is newer than this "
            f"Piecework {current}. Install Piecework {recorded} or newer to open it, or start with "
            "--data-dir pointing to another folder. Nothing was changed.",
        )


def write_marker(data_dir: Path, *, current: str, postgres_major: int) -> None:
    """Records this version in the data dir (creating the marker, or raising the recorded version)."""
    marker = read_marker(data_dir) or {}
    recorded = str(marker.get("appVersion", ""))
    if recorded and version_key(recorded) > version_key(current):
        return
    wanted = {"appVersion": current, "postgresMajor": postgres_major}
    if marker == wanted:
        return
    path = data_dir / VERSION_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def check_free_space(path: Path, *, minimum: int = MIN_FREE_BYTES) -> None:
    """Refuses to start PostgreSQL on a nearly full disk.

    Raises:
        DataDirError: less than `minimum` bytes are free where `path` lives.
    """
    free = shutil.disk_usage(_existing(path)).free
    if free < minimum:
        raise DataDirError(
            "DISK_FULL",
            f"Only {free // (1024 * 1024)} MB are free on the disk that holds {path}; Piecework needs at "
            f"least {minimum // (1024 * 1024)} MB to start its database. Free some space and start "
            "again. Nothing was changed.",
        )


def check_pgdata(pgdata: Path, *, major: int) -> None:
    """Refuses a cluster dir this PostgreSQL cannot open: another major version, or damaged.

    An absent or empty dir is fine (a new cluster is created there).

    Raises:
        DataDirError: the dir holds a cluster of another major version, or is not a whole cluster.
    """
    try:
        entries = {entry.name for entry in pgdata.iterdir()}
    except FileNotFoundError:
        return
    except OSError as err:
        raise DataDirError(
            "DATA_DIR_UNREADABLE",
            f"Piecework cannot read its database folder {pgdata} ({err.strerror}). Check that it belongs "
            "to you and can be read, then start again.",
        ) from err
    if not entries - _HARMLESS_IN_EMPTY_PGDATA:
        return
    version_file = pgdata / "PG_VERSION"
    try:
        found = int(version_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise _damaged(pgdata, "its PG_VERSION file is missing or unreadable") from err
    if found > major:
        raise DataDirError(
            "POSTGRES_TOO_NEW",
            f"The database in {pgdata} was created by PostgreSQL {found}, newer than the PostgreSQL "
            f"{major} inside this Piecework. Install the newer Piecework that created it, or start "
            "with --data-dir pointing to another folder. Nothing was changed.",
        )
    if found < major:
        raise DataDirError(
            "POSTGRES_TOO_OLD",
            f"The database in {pgdata} was created by PostgreSQL {found}; this Piecework includes "
            f"PostgreSQL {major} and cannot open it directly. Export your flows with the Piecework "
            "that created it, or upgrade the folder with pg_upgrade, then start again. Nothing was "
            "changed.",
        )
    if not (pgdata / "global" / "pg_control").is_file():
        raise _damaged(pgdata, "its control file (global/pg_control) is missing")


def _damaged(pgdata: Path, reason: str) -> DataDirError:
    return DataDirError(
        "DATA_DIR_DAMAGED",
        f"The database in {pgdata} is damaged: {reason}. Piecework did not change or delete it. "
        "Restore the folder from a backup, or move it elsewhere (for example rename it to "
        "pgdata.damaged) to start with an empty database.",
    )


def _existing(path: Path) -> Path:
    # disk_usage needs an existing path; a data dir not created yet lives on its parent's disk.
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists():
                return candidate
    return path
