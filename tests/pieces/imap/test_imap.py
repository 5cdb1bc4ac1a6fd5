"""The IMAP piece against a real Dovecot: new email by UID, mark as read, move, TLS, errors."""

import imaplib
import itertools
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from pieces.framework import AuthError, InMemoryFiles, InMemoryStore, PieceError, TriggerContext
from pieces.framework.testing import run_action
from pieces.imap import piece
from pieces.imap.actions.mark_as_read import mark_as_read
from pieces.imap.actions.move_email import move_email
from pieces.imap.triggers.new_email import new_email
from tests.pieces.imap.dovecot import Dovecot, dovecot
from tests.pieces.tls_cert import Certificate, self_signed

_folders = itertools.count()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("imap-tls"))


@pytest.fixture(scope="module")
def server(certificate: Certificate) -> Iterator[Dovecot]:
    with dovecot(cert=certificate.cert, key=certificate.key) as running:
        yield running


@pytest.fixture
def folder(server: Dovecot) -> str:
    """A fresh folder for one test."""
    name = f"Test{next(_folders)}"
    with _client(server) as conn:
        conn.create(name)
    return name


class _client:
    def __init__(self, server: Dovecot) -> None:
        self.conn = imaplib.IMAP4("127.0.0.1", server.port)
        self.conn.login(server.user, server.password)

    def __enter__(self) -> imaplib.IMAP4:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.logout()


def _auth(server: Dovecot, *, password: str | None = None, tls: str = "none") -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.user,
        "password": password or server.password,
        "tls": tls,
    }


def _append(server: Dovecot, folder: str, raw: bytes) -> None:
    with _client(server) as conn:
        status, _ = conn.append(folder, None, None, raw)
        assert status == "OK"


def _invoice() -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.com>"
    message["To"] = "you@example.com, Bob <bob@example.com>"
    message["Subject"] = "Invoice 2026-001"
    message["Date"] = "Fri, 02 Jan 2026 10:00:00 +0000"
    message["Message-ID"] = "<inv-1@example.com>"
    message.set_content("Please find the invoice attached.")
    message.add_alternative("<p>Please find the <b>invoice</b> attached.</p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    return bytes(message)


def _context(
    auth: dict[str, Any], folder: str, store: InMemoryStore, files: InMemoryFiles
) -> TriggerContext:
    return TriggerContext(
        props={"folder": folder, "max_per_poll": 20}, auth=auth, store=store, files=files
    )


async def test_new_email_fires_each_new_message_once_with_attachments(
    server: Dovecot, folder: str
) -> None:
    _append(server, folder, b"Subject: before\r\n\r\nold\r\n")
    store, files = InMemoryStore(), InMemoryFiles()
    ctx = _context(_auth(server), folder, store, files)
    assert new_email.on_enable is not None
    await new_email.on_enable(ctx)
    assert await new_email.run(ctx) == []
    _append(server, folder, _invoice())
    _append(server, folder, b"Subject: second\r\nFrom: bob@example.com\r\n\r\nhello\r\n")
    first, second = await new_email.run(ctx)
    assert first["uid"] == 2
    assert first["subject"] == "Invoice 2026-001"
    assert first["from"] == [{"name": "Ada Lovelace", "address": "ada@example.com"}]
    assert [a["address"] for a in first["to"]] == ["you@example.com", "bob@example.com"]
    assert first["date"] == "2026-01-02T10:00:00+00:00"
    assert first["text"].strip() == "Please find the invoice attached."
    assert "<b>invoice</b>" in first["html"]
    [attachment] = first["attachments"]
    assert (attachment["name"], attachment["contentType"], attachment["size"]) == (
        "invoice.pdf",
        "application/pdf",
        16,
    )
    assert (await files.read(attachment["file"])).data == b"%PDF-1.4 invoice"
    assert second["subject"] == "second"
    assert await new_email.run(ctx) == []
    # Polling peeks: the messages are still unread.
    with _client(server) as conn:
        conn.select(folder, readonly=True)
        _, unseen = conn.search(None, "UNSEEN")
    assert unseen[0].split() == [b"1", b"2", b"3"]
    assert new_email.test is not None
    recent = await new_email.test(ctx)
    assert [m["subject"] for m in recent] == ["second", "Invoice 2026-001", "before"]


async def test_mark_as_read_and_move(server: Dovecot, folder: str) -> None:
    _append(server, folder, b"Subject: one\r\n\r\nx\r\n")
    auth = _auth(server)
    await run_action(mark_as_read, {"folder": folder, "uid": 1}, auth=auth)
    with _client(server) as conn:
        conn.select(folder, readonly=True)
        _, seen = conn.search(None, "SEEN")
    assert seen[0].split() == [b"1"]
    archive = f"{folder}Archive"
    with _client(server) as conn:
        conn.create(archive)
    moved = await run_action(
        move_email, {"folder": folder, "uid": 1, "destination": archive}, auth=auth
    )
    assert moved.output == {"uid": 1, "from": folder, "to": archive}
    with _client(server) as conn:
        assert conn.select(folder)[1] == [b"0"]
        assert conn.select(archive)[1] == [b"1"]
    with pytest.raises(PieceError, match="no email with UID 1"):
        await run_action(mark_as_read, {"folder": folder, "uid": 1}, auth=auth)
    with pytest.raises(PieceError, match="opening folder 'Nowhere'"):
        await run_action(
            move_email, {"folder": archive, "uid": 1, "destination": "Nowhere"}, auth=auth
        )


async def test_malformed_email_is_read_with_its_defects(server: Dovecot, folder: str) -> None:
    raw = (
        b"Subject: =?utf-8?q?broken_=E2=82?=\r\nContent-Type: multipart/mixed\r\n\r\n"
        b"no boundary here\r\n"
    )
    _append(server, folder, raw)
    ctx = _context(_auth(server), folder, InMemoryStore(), InMemoryFiles())
    await ctx.store.put("imap_state", {"uidvalidity": None})
    assert new_email.test is not None
    [message] = await new_email.test(ctx)
    assert message["subject"].startswith("broken")
    assert "NoBoundaryInMultipartDefect" in message["defects"]


async def test_starttls_with_a_trusted_certificate(
    server: Dovecot, folder: str, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    _append(server, folder, b"Subject: tls\r\n\r\nx\r\n")
    await run_action(mark_as_read, {"folder": folder, "uid": 1}, auth=_auth(server, tls="starttls"))
    with pytest.raises(PieceError, match=r"TLS with 127\.0\.0\.1"):
        await run_action(mark_as_read, {"folder": folder, "uid": 1}, auth=_auth(server, tls="tls"))


@pytest.fixture
def fresh_server(certificate: Certificate) -> Iterator[Dovecot]:
    """A server of its own: Dovecot delays sign-ins from an address after a failed one."""
    with dovecot(cert=certificate.cert, key=certificate.key) as running:
        yield running


async def _fails_step(auth: dict[str, Any]) -> None:
    await run_action(mark_as_read, {"folder": "INBOX", "uid": 1}, auth=auth)


async def _fails_poll(auth: dict[str, Any]) -> None:
    await new_email.run(_context(auth, "INBOX", InMemoryStore(), InMemoryFiles()))


async def _fails_check(auth: dict[str, Any]) -> None:
    assert piece.auth is not None
    await piece.auth.check(auth)


@pytest.mark.parametrize("attempt", [_fails_step, _fails_poll, _fails_check])
async def test_wrong_password_fails_the_step_the_poll_and_the_check(
    fresh_server: Dovecot, attempt: Any
) -> None:
    auth = _auth(fresh_server, password="wrong")
    with pytest.raises(
        AuthError, match=r"refused the sign-in for ada@example.com: .*AUTHENTICATIONFAILED"
    ):
        await attempt(auth)


async def test_connection_check_passes_with_the_right_password(server: Dovecot) -> None:
    assert piece.auth is not None
    await piece.auth.check(_auth(server))


async def test_unreachable_server_and_missing_folder_are_framework_errors(server: Dovecot) -> None:
    closed = {**_auth(server), "port": 1}
    with pytest.raises(PieceError, match=r"could not connect to 127\.0\.0\.1:1"):
        await new_email.run(_context(closed, "INBOX", InMemoryStore(), InMemoryFiles()))
    with pytest.raises(PieceError, match="opening folder 'Missing'"):
        await new_email.run(_context(_auth(server), "Missing", InMemoryStore(), InMemoryFiles()))
