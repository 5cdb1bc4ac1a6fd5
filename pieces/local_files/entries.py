"""A file or folder as JSON: name, path, type, size and modification time."""

import datetime as dt
import stat
from pathlib import Path
from typing import Any


def entry(path: Path) -> dict[str, Any]:
    """`{name, path, type (file|folder|other), size, modified (ISO 8601 UTC)}` (no symlinks followed)."""
    info = path.lstat()
    kind = (
        "folder"
        if stat.S_ISDIR(info.st_mode)
        else "file"
        if stat.S_ISREG(info.st_mode)
        else "other"
    )
    modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC)
    return {
        "name": path.name,
        "path": str(path),
        "type": kind,
        "size": info.st_size,
        "modified": modified.isoformat().replace("+00:00", "Z"),
    }
