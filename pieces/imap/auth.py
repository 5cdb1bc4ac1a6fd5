"""The IMAP connection: server, port, account and TLS mode; checked by signing in."""

import asyncio
from typing import Any

from pieces.framework import CustomAuth, Number, Option, ShortText, StaticDropdown, validators
from pieces.imap.session import Mailbox, describe_error


async def _validate(auth: Any) -> str | None:
    def check() -> None:
        with Mailbox(auth, timeout=15.0):
            pass

    try:
        await asyncio.to_thread(check)
    except Exception as err:
        return describe_error(err, auth)
    return None


imap_auth = CustomAuth(
    display_name="IMAP account",
    description=(
        "The incoming mail server of your account, e.g. imap.gmail.com port 993 with TLS "
        "(Gmail and Outlook need an app password)."
    ),
    props={
        "host": ShortText(display_name="Host", required=True),
        "port": Number(
            display_name="Port",
            required=True,
            default=993,
            validators=(validators.min_value(1), validators.max_value(65535)),
        ),
        "username": ShortText(display_name="User name (usually the email)", required=True),
        "password": ShortText(display_name="Password", required=True),
        "tls": StaticDropdown(
            display_name="Security",
            default="tls",
            options=(
                Option(label="TLS (port 993)", value="tls"),
                Option(label="STARTTLS (port 143)", value="starttls"),
                Option(label="None (trusted networks only)", value="none"),
            ),
        ),
    },
    validate=_validate,
)
