"""The SMTP connection: server, port, account and TLS; checked by signing in."""

from typing import Any

import aiosmtplib

from pieces.framework import Checkbox, CustomAuth, Number, ShortText, validators
from pieces.smtp.errors import describe

#: Seconds to wait for the server before giving up.
TIMEOUT_S = 30.0


def client(auth: dict[str, Any], *, timeout: float = TIMEOUT_S) -> aiosmtplib.SMTP:
    """An SMTP client for the connection: implicit TLS when `TLS` is on, else STARTTLS when offered."""
    return aiosmtplib.SMTP(
        hostname=auth["host"],
        port=int(auth["port"]),
        use_tls=bool(auth["TLS"]),
        # None: upgrade with STARTTLS whenever the server offers it, send in clear only if it does not.
        start_tls=False if auth["TLS"] else None,
        timeout=timeout,
    )


async def sign_in(smtp: aiosmtplib.SMTP, auth: dict[str, Any]) -> None:
    """Connects and, when the connection has a password, logs in."""
    await smtp.connect()
    if auth.get("password"):
        await smtp.login(auth["email"], auth["password"])


async def _validate(auth: Any) -> str | None:
    smtp = client(auth, timeout=10.0)
    try:
        await sign_in(smtp, auth)
    except aiosmtplib.SMTPException as err:
        return describe(err, auth)
    finally:
        if smtp.is_connected:
            smtp.close()
    return None


smtp_auth = CustomAuth(
    display_name="SMTP server",
    description=(
        "The outgoing mail server of your account, e.g. smtp.gmail.com port 465 with TLS on, or "
        "port 587 with TLS off (STARTTLS is used when the server offers it). Gmail and Outlook "
        "need an app password."
    ),
    props={
        "host": ShortText(display_name="Host", required=True),
        "port": Number(
            display_name="Port",
            required=True,
            default=587,
            validators=(validators.min_value(1), validators.max_value(65535)),
        ),
        "email": ShortText(display_name="Email (user name)", required=True),
        "password": ShortText(display_name="Password", default=""),
        "TLS": Checkbox(
            display_name="Use TLS",
            description="On for implicit TLS (usually port 465); off uses STARTTLS when offered.",
            default=False,
        ),
    },
    validate=_validate,
)
