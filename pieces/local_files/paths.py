"""Which folders the piece may touch (PW_LOCAL_FILES_ALLOWED_DIRS), and resolving paths inside them.

Every path is resolved with symlinks followed before it is checked, so a symlink (or `..`) that
leads outside the allowed folders is refused; files are then opened with O_NOFOLLOW so a
symlink swapped in after the check is refused too.
"""

import os
from pathlib import Path

from pieces.framework import PieceError

#: The setting: folders the piece may read and write, separated by the OS path separator.
ALLOWED_DIRS_ENV = "PW_LOCAL_FILES_ALLOWED_DIRS"


class PathNotAllowedError(PieceError):
    """A path is outside the allowed folders, or none are allowed."""

    code = "PATH_NOT_ALLOWED"


def allowed_dirs() -> list[Path]:
    """The allowed folders, resolved; empty when the setting is unset."""
    raw = os.environ.get(ALLOWED_DIRS_ENV, "")
    return [Path(part).expanduser().resolve() for part in raw.split(os.pathsep) if part.strip()]


def resolve(path: str, *, must_exist: bool = True) -> Path:
    """The real path of `path` (relative paths are under the first allowed folder).

    Raises:
        PathNotAllowedError: no folder is allowed, or the real path is outside all of them.
        PieceError: `must_exist` and there is nothing at the path.
    """
    roots = allowed_dirs()
    if not roots:
        raise PathNotAllowedError(
            f"no folder is allowed for the Local Files piece; list folders in {ALLOWED_DIRS_ENV} "
            "(Settings) to let flows use them"
        )
    if not path.strip():
        raise PieceError("the path is empty")
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        candidate = roots[0] / candidate
    real = candidate.resolve(strict=False)
    if not any(real == root or real.is_relative_to(root) for root in roots):
        shown = ", ".join(str(root) for root in roots)
        raise PathNotAllowedError(
            f"{path} is outside the folders flows may use ({shown}); symbolic links out of "
            "them are refused too"
        )
    if must_exist and not real.exists():
        raise PieceError(f"{path}: no such file or folder")
    return real


def open_flags(*, write: bool, append: bool = False, exclusive: bool = False) -> int:
    """os.open flags that refuse a symlink as the last path component."""
    flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    if not write:
        return flags | os.O_RDONLY
    flags |= os.O_WRONLY | os.O_CREAT
    if exclusive:
        flags |= os.O_EXCL
    return flags | (os.O_APPEND if append else os.O_TRUNC)


def describe_os_error(err: OSError, path: str) -> str:
    """An OSError in plain words with the path the user gave."""
    return f"{path}: {err.strerror or err}"
