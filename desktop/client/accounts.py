"""Remembered team-server accounts: the list in a JSON file, their sign-in tokens in the OS keyring.

Where no keyring works (a headless Linux machine, a locked or broken backend) the tokens go to a
file only the user can read (0600), as DESIGN §6 has the server do with its encryption key. The
account list never holds a token. Keyring calls can block (D-Bus, a locked keychain), so the
async methods run them in a worker thread.
"""

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The keyring service name of the desktop's tokens.
KEYRING_SERVICE = "piecework-desktop"
ACCOUNTS_FILE = "accounts.json"
#: Where tokens go when no keyring works (0600).
TOKENS_FILE = "tokens.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """A person on a team server."""

    server_url: str
    email: str

    @property
    def key(self) -> str:
        """The name its token is stored under."""
        return f"{self.email}@{self.server_url}"

    @property
    def label(self) -> str:
        """How the account is shown."""
        return f"{self.email} · {self.server_url}"


def usable_keyring() -> Any:
    """The OS keyring backend when one really stores secrets, else None."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring installation must not stop the app
        log.warning("the OS keyring is not usable; keeping sign-in tokens in a private file")
        return None
    return backend if getattr(backend, "priority", 0) > 0 else None


class AccountStore:
    """The accounts this computer signed in to, newest first, with their refresh tokens."""

    def __init__(self, directory: Path, *, keyring_backend: Any = None) -> None:
        self.directory = directory
        self._keyring = keyring_backend

    def accounts(self) -> list[Account]:
        """The remembered accounts, most recently used first."""
        try:
            raw = json.loads((self.directory / ACCOUNTS_FILE).read_text(encoding="utf-8"))
            return [Account(server_url=a["serverUrl"], email=a["email"]) for a in raw]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.warning("ignoring the remembered accounts: %s", err)
            return []

    async def remember(self, account: Account, refresh_token: str) -> None:
        """Puts the account first in the list and stores its token."""
        others = [a for a in self.accounts() if a != account]
        self._write_accounts([account, *others])
        await asyncio.to_thread(self._store_token, account.key, refresh_token)

    async def token(self, account: Account) -> str | None:
        """The account's stored refresh token, if any."""
        return await asyncio.to_thread(self._read_token, account.key)

    async def forget(self, account: Account) -> None:
        """Removes the account and its token."""
        self._write_accounts([a for a in self.accounts() if a != account])
        await asyncio.to_thread(self._delete_token, account.key)

    def _write_accounts(self, accounts: list[Account]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        body = [{"serverUrl": a.server_url, "email": a.email} for a in accounts]
        (self.directory / ACCOUNTS_FILE).write_text(json.dumps(body, indent=2), encoding="utf-8")

    def _backend(self) -> Any:
        return self._keyring if self._keyring is not None else usable_keyring()

    def _store_token(self, key: str, token: str) -> None:
        backend = self._backend()
        if backend is not None:
            try:
                backend.set_password(KEYRING_SERVICE, key, token)
            except Exception:  # a locked or failing keyring: fall back to the private file
                log.warning("could not store a sign-in token in the OS keyring; using a file")
            else:
                self._write_file_token(key, None)
                return
        self._write_file_token(key, token)

    def _read_token(self, key: str) -> str | None:
        backend = self._backend()
        if backend is not None:
            try:
                value = backend.get_password(KEYRING_SERVICE, key)
            except Exception:  # a locked or failing keyring: try the private file
                log.warning("could not read a sign-in token from the OS keyring")
                value = None
            if value:
                return str(value)
        return self._file_tokens().get(key)

    def _delete_token(self, key: str) -> None:
        backend = self._backend()
        if backend is not None:
            try:
                backend.delete_password(KEYRING_SERVICE, key)
            except Exception:  # not there, or the keyring fails: nothing more to remove
                log.debug("no keyring entry removed for a forgotten account")
        self._write_file_token(key, None)

    def _file_tokens(self) -> dict[str, str]:
        try:
            raw = json.loads((self.directory / TOKENS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def _write_file_token(self, key: str, token: str | None) -> None:
        tokens = self._file_tokens()
        if token is None and key not in tokens:
            return
        if token is None:
            tokens.pop(key, None)
        else:
            tokens[key] = token
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / TOKENS_FILE
        # Created 0600 from the start: the token is never readable by others, even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(tokens, out)
        os.chmod(path, 0o600)
