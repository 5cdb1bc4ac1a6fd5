"""A raw email as JSON: headers, text and HTML bodies, attachments saved as file references."""

import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from pieces.framework import Files


def _addresses(message: EmailMessage, header: str) -> list[dict[str, str]]:
    values = [str(v) for v in message.get_all(header, [])]
    return [{"name": name, "address": address} for name, address in getaddresses(values) if address]


def _date(message: EmailMessage) -> str | None:
    raw = message.get("Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(str(raw)).isoformat()
    except (TypeError, ValueError):
        return None


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


async def parse_email(raw: bytes, *, files: Files) -> dict[str, Any]:
    """The email's headers, bodies and attachments (each written to `files`)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    attachments = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = part.get_filename() or "attachment"
        attachments.append(
            {
                "name": name,
                "contentType": part.get_content_type(),
                "size": len(data),
                "file": await files.write(name=name, data=data),
            }
        )
    return {
        "messageId": str(message.get("Message-ID", "")),
        "subject": str(message.get("Subject", "")),
        "from": _addresses(message, "From"),
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "replyTo": _addresses(message, "Reply-To"),
        "date": _date(message),
        "headers": {key: str(value) for key, value in message.items()},
        "text": _body(message, "plain"),
        "html": _body(message, "html"),
        "attachments": attachments,
        "defects": [type(d).__name__ for d in message.defects],
    }
