"""Files only their owner may read (mode 0600): generated secrets and the server's address file."""

import os
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Writes `text` to `path` with mode 0600, replacing it atomically if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in `path`; made with `make()` and stored (0600) the first time."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    secret = make()
    write_private(path, secret)
    return secret
