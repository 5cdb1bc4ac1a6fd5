"""The data dir lock: one server per data dir, and `server.json` telling others where it listens."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fasteners

from server.private_files import write_private

#: Written while a server runs: {"url", "token", "pid"}; readable by the owner only.
SERVER_INFO_FILE = "server.json"
LOCK_FILE = "server.lock"


class DataDirInUseError(RuntimeError):
    """Another server holds the data dir; the message names its address."""

    code = "DATA_DIR_IN_USE"


@dataclass(slots=True)
class ServerLock:
    """An exclusive, crash-safe lock on a data dir (released by the OS if the process dies)."""

    data_dir: Path
    _lock: Any = field(default=None, init=False)

    def acquire(self) -> None:
        """Takes the lock.

        Raises:
            DataDirInUseError: another process holds it.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        lock = fasteners.InterProcessLock(str(self.data_dir / LOCK_FILE))
        if not lock.acquire(blocking=False):
            info = read_server_info(self.data_dir)
            where = f"at {info['url']} (pid {info['pid']})" if info else "(it is still starting)"
            raise DataDirInUseError(
                f"Another Piecework server is already running on {self.data_dir} {where}. "
                "Use that one, stop it first, or pass --data-dir to start a separate server."
            )
        self._lock = lock

    def publish(self, *, url: str, token: str) -> None:
        """Writes server.json (0600) so the desktop and other commands find this server."""
        info = {"url": url, "token": token, "pid": os.getpid()}
        write_private(self.data_dir / SERVER_INFO_FILE, json.dumps(info))

    def release(self) -> None:
        """Removes server.json and releases the lock."""
        if self._lock is None:
            return
        (self.data_dir / SERVER_INFO_FILE).unlink(missing_ok=True)
        self._lock.release()
        self._lock = None


def read_server_info(data_dir: Path) -> dict[str, Any] | None:
    """The running server's {url, token, pid}, or None when there is none."""
    try:
        info = json.loads((data_dir / SERVER_INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None
