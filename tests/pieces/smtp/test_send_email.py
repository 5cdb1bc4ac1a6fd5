"""Send Email against a real aiosmtpd server: sign-in, text/HTML, cc/bcc, attachments, TLS, errors."""

import email
import email.policy
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from pieces.framework import (
    AuthError,
    InMemoryFiles,
    NetworkPolicy,
    PieceError,
    PropsValidationError,
)
from pieces.framework.testing import run_action
from pieces.smtp import piece
from pieces.smtp.actions.send_email import send_email
from tests.pieces.local_http import Reply, free_port, local_http_server
from tests.pieces.tls_cert import Certificate, self_signed

USER, PASSWORD = "ada@example.com", "s3cret"
LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))


@dataclass
class Mailbox:
    """What the server received."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def last(self) -> EmailMessage:
        data = self.envelopes[-1].content
        assert isinstance(data, bytes)
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


def _authenticator(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Server:
    port: int
    mailbox: Mailbox


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("smtp-tls"))


def _start(mailbox: Mailbox, **kwargs: Any) -> Controller:
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
        **kwargs,
    )
    controller.start()
    return controller


def _port(controller: Controller) -> int:
    port: int = controller.port
    return port


@pytest.fixture(scope="module")
def plain_server() -> Iterator[Server]:
    mailbox = Mailbox()
    controller = _start(mailbox)
    yield Server(port=_port(controller), mailbox=mailbox)
    controller.stop()


@pytest.fixture(scope="module")
def starttls_server(certificate: Certificate) -> Iterator[Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    mailbox = Mailbox()
    controller = _start(mailbox, tls_context=context, require_starttls=True)
    yield Server(port=_port(controller), mailbox=mailbox)
    controller.stop()


@pytest.fixture(scope="module")
def tls_server(certificate: Certificate) -> Iterator[Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    mailbox = Mailbox()
    controller = _start(mailbox, ssl_context=context)
    yield Server(port=_port(controller), mailbox=mailbox)
    controller.stop()


def _auth(port: int, *, password: str = PASSWORD, tls: bool = False) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "email": USER, "password": password, "TLS": tls}


async def test_sends_plain_text_to_to_cc_and_bcc(plain_server: Server) -> None:
    result = await run_action(
        send_email,
        {
            "to": ["bob@example.com"],
            "cc": ["cy@example.com"],
            "bcc": ["dee@example.com"],
            "subject": "Hello",
            "body": "Plain words\nsecond line",
            "reply_to": "replies@example.com",
            "senderName": "Ada L",
        },
        auth=_auth(plain_server.port),
    )
    assert result.output["accepted"] == ["bob@example.com", "cy@example.com", "dee@example.com"]
    assert result.output["rejected"] == {}
    envelope = plain_server.mailbox.envelopes[-1]
    assert envelope.mail_from == USER
    assert envelope.rcpt_tos == ["bob@example.com", "cy@example.com", "dee@example.com"]
    message = plain_server.mailbox.last()
    assert message["From"] == "Ada L <ada@example.com>"
    assert message["Cc"] == "cy@example.com"
    assert message["Bcc"] is None  # bcc recipients never appear in the headers
    assert message["Reply-To"] == "replies@example.com"
    assert message["Message-ID"] == result.output["messageId"]
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().splitlines() == ["Plain words", "second line"]


async def test_sends_html_with_a_text_alternative_and_attachments(plain_server: Server) -> None:
    files = InMemoryFiles()
    reference = await files.write(name="report.csv", data=b"a,b\n1,2\n")
    with local_http_server(lambda _: Reply(body=b"%PDF-1.4 fake")) as web:
        await run_action(
            send_email,
            {
                "from": "Ada <ada@example.com>",
                "to": ["bob@example.com"],
                "subject": "Report",
                "body_type": "html",
                "body": "<p>Hi <b>Bob</b></p><p>See attached</p>",
                "attachments": [
                    {"file": reference},
                    {"file": f"{web.url}/files/scan.pdf", "name": "scan-renamed.pdf"},
                ],
            },
            auth=_auth(plain_server.port),
            files=files,
            network=LOCAL,
        )
    message = plain_server.mailbox.last()
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None
    assert text is not None
    assert "<b>Bob</b>" in html.get_content()
    assert text.get_content().split() == ["Hi", "Bob", "See", "attached"]
    attachments = {a.get_filename(): a for a in message.iter_attachments()}
    assert set(attachments) == {"report.csv", "scan-renamed.pdf"}
    assert attachments["report.csv"].get_content_type() == "text/csv"
    assert attachments["scan-renamed.pdf"].get_content() == b"%PDF-1.4 fake"


async def test_refused_recipient_is_listed_and_all_refused_fails(plain_server: Server) -> None:
    partly = await run_action(
        send_email,
        {"to": ["bob@example.com", "nobody@example.com"], "subject": "s", "body": "b"},
        auth=_auth(plain_server.port),
    )
    assert partly.output["accepted"] == ["bob@example.com"]
    assert partly.output["rejected"] == {"nobody@example.com": "550 5.1.1 No such user here"}
    with pytest.raises(PieceError, match=r"refused every recipient.*550 5\.1\.1 No such user"):
        await run_action(
            send_email,
            {"to": ["nobody@example.com"], "subject": "s", "body": "b"},
            auth=_auth(plain_server.port),
        )


async def test_wrong_password_fails_with_the_servers_reply(plain_server: Server) -> None:
    with pytest.raises(AuthError, match=r"refused the sign-in for ada@example.com: 535"):
        await run_action(
            send_email,
            {"to": ["bob@example.com"], "subject": "s", "body": "b"},
            auth=_auth(plain_server.port, password="wrong"),
        )


async def test_connection_validate_signs_in(plain_server: Server) -> None:
    assert piece.auth is not None
    await piece.auth.check(_auth(plain_server.port))
    with pytest.raises(AuthError, match="535"):
        await piece.auth.check(_auth(plain_server.port, password="wrong"))


async def test_upgrades_with_starttls_when_offered(
    starttls_server: Server, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    await run_action(
        send_email,
        {"to": ["bob@example.com"], "subject": "Secure", "body": "b"},
        auth=_auth(starttls_server.port),
    )
    assert starttls_server.mailbox.last()["Subject"] == "Secure"


async def test_implicit_tls(
    tls_server: Server, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    await run_action(
        send_email,
        {"to": ["bob@example.com"], "subject": "Implicit", "body": "b"},
        auth=_auth(tls_server.port, tls=True),
    )
    assert tls_server.mailbox.last()["Subject"] == "Implicit"


async def test_untrusted_certificate_and_closed_port_fail_clearly(
    tls_server: Server, tmp_path: Path
) -> None:
    with pytest.raises(PieceError, match=r"127\.0\.0\.1:\d+"):
        await run_action(
            send_email,
            {"to": ["bob@example.com"], "subject": "s", "body": "b"},
            auth=_auth(tls_server.port, tls=True),
        )
    with pytest.raises(PieceError, match=r"could not connect to 127\.0\.0\.1:1"):
        await run_action(
            send_email, {"to": ["bob@example.com"], "subject": "s", "body": "b"}, auth=_auth(1)
        )


async def test_missing_fields_and_bad_headers_are_field_errors(plain_server: Server) -> None:
    with pytest.raises(PropsValidationError, match="To"):
        await run_action(send_email, {"subject": "s", "body": "b"}, auth=_auth(plain_server.port))
    with pytest.raises(PieceError, match="cannot be built"):
        await run_action(
            send_email,
            {"to": ["bob@example.com"], "subject": "two\nlines", "body": "b"},
            auth=_auth(plain_server.port),
        )
