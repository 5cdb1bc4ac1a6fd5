"""A blocking IMAP session (imaplib, run in a thread): sign in, select, search, fetch, store, move."""

import imaplib
import re
import socket
import ssl
from types import TracebackType
from typing import Any

from pieces.framework import AuthError, PieceError

#: Seconds to wait for the server.
TIMEOUT_S = 30.0
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")


class ImapError(PieceError):
    """The server refused a command; the message quotes its answer."""

    code = "IMAP_ERROR"


def describe_error(err: Exception, auth: dict[str, Any]) -> str:
    """One sentence about a failure, with the server's answer when there is one."""
    where = f"{auth['host']}:{auth['port']}"
    if isinstance(err, PieceError):
        return err.message
    if isinstance(err, ssl.SSLError):
        return f"TLS with {where} failed ({err.reason}); check the port and the security setting"
    if isinstance(err, TimeoutError | socket.timeout):
        return f"{where} did not answer in time"
    if isinstance(err, OSError):
        return f"could not connect to {where}: {err.strerror or err}"
    return f"{where}: {err}"


def _text(data: Any) -> str:
    if isinstance(data, list):
        return " ".join(_text(item) for item in data if item is not None)
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return str(data)


def quote(mailbox: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """An IMAP connection, signed in; use as a context manager (it logs out at the end)."""

    def __init__(self, auth: dict[str, Any], *, timeout: float = TIMEOUT_S) -> None:
        self.auth = auth
        host, port, mode = auth["host"], int(auth["port"]), auth.get("tls") or "tls"
        context = ssl.create_default_context()
        try:
            if mode == "tls":
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    host, port, ssl_context=context, timeout=timeout
                )
            else:
                self.conn = imaplib.IMAP4(host, port, timeout=timeout)
                if mode == "starttls":
                    self.conn.starttls(ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as err:
            raise PieceError(describe_error(err, auth)) from err
        try:
            self.conn.login(auth["username"], auth["password"])
        except imaplib.IMAP4.error as err:
            self.conn.shutdown()
            raise AuthError(
                f"{host} refused the sign-in for {auth['username']}: {_text(err.args)}"
            ) from err

    def __enter__(self) -> "Mailbox":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            self.conn.shutdown()

    def _ok(self, answer: tuple[str, Any], what: str) -> Any:
        status, data = answer
        if status != "OK":
            raise ImapError(f"{what}: the server answered {status} {_text(data)}")
        return data

    def select(self, folder: str, *, readonly: bool) -> tuple[int, int]:
        """Selects a folder; returns its (UIDVALIDITY, UIDNEXT)."""
        try:
            self._ok(
                self.conn.select(quote(folder), readonly=readonly), f"opening folder {folder!r}"
            )
            status = self._ok(
                self.conn.status(quote(folder), "(UIDVALIDITY UIDNEXT)"), f"folder {folder!r}"
            )
        except imaplib.IMAP4.error as err:
            raise ImapError(f"opening folder {folder!r}: {_text(err.args)}") from err
        raw = b" ".join(item for item in status if isinstance(item, bytes))
        validity, uidnext = _UIDVALIDITY.search(raw), _UIDNEXT.search(raw)
        if validity is None or uidnext is None:
            raise ImapError(f"folder {folder!r}: no UIDVALIDITY/UIDNEXT in {raw[:100]!r}")
        return int(validity.group(1)), int(uidnext.group(1))

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than `last_uid` in the selected folder, ascending."""
        data = self._ok(self.conn.uid("SEARCH", f"UID {last_uid + 1}:*"), "searching")
        # `n:*` always includes the newest message, even when its UID is below n.
        return sorted(uid for uid in map(int, _text(data).split()) if uid > last_uid)

    def fetch(self, uid: int) -> bytes:
        """The raw message (BODY.PEEK: fetching does not mark it read)."""
        data = self._ok(self.conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"fetching UID {uid}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                raw: bytes = item[1]
                return raw
        raise ImapError(f"no message with UID {uid}")

    def exists(self, uid: int) -> bool:
        """Whether the selected folder has a message with this UID."""
        data = self._ok(self.conn.uid("SEARCH", f"UID {uid}"), "searching")
        return str(uid) in _text(data).split()

    def add_flags(self, uid: int, flags: str) -> None:
        """Adds flags (e.g. `\\Seen`) to a message."""
        self._ok(self.conn.uid("STORE", str(uid), "+FLAGS", f"({flags})"), f"flagging UID {uid}")

    def move(self, uid: int, destination: str) -> None:
        """Moves a message (MOVE when offered, else COPY + delete + expunge)."""
        capabilities = {c.upper() for c in self.conn.capabilities}
        if "MOVE" in capabilities:
            self._ok(self.conn.uid("MOVE", str(uid), quote(destination)), f"moving UID {uid}")
            return
        self._ok(self.conn.uid("COPY", str(uid), quote(destination)), f"copying UID {uid}")
        self.add_flags(uid, "\\Deleted")
        if "UIDPLUS" in capabilities:
            self._ok(self.conn.uid("EXPUNGE", str(uid)), "expunging")
        else:
            self._ok(self.conn.expunge(), "expunging")
