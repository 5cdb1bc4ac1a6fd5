"""Send Email: text or HTML, to/cc/bcc, reply-to and attachments, through the connection's SMTP server."""

import mimetypes
import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib

from pieces.framework import (
    Action,
    ActionContext,
    Array,
    File,
    LongText,
    Option,
    PieceError,
    ShortText,
    StaticDropdown,
)
from pieces.framework.file_input import load_file
from pieces.smtp.auth import client, sign_in
from pieces.smtp.errors import to_piece_error


async def _run(ctx: ActionContext) -> dict[str, Any]:
    props, auth = ctx.props, ctx.auth
    recipients = [*props["to"], *(props["cc"] or []), *(props["bcc"] or [])]
    if not props["to"]:
        raise PieceError("To: add at least one recipient")
    message = await _message(ctx)
    smtp = client(auth)
    try:
        await sign_in(smtp, auth)
        refused, reply = await smtp.send_message(
            message, sender=_address(props["from"] or auth["email"]), recipients=recipients
        )
    except aiosmtplib.SMTPException as err:
        raise to_piece_error(err, auth) from err
    finally:
        if smtp.is_connected:
            try:
                await smtp.quit()
            except aiosmtplib.SMTPException:
                smtp.close()
    return {
        "messageId": message["Message-ID"],
        "accepted": [r for r in recipients if r not in refused],
        "rejected": {r: f"{code} {text}" for r, (code, text) in refused.items()},
        "response": reply,
    }


async def _message(ctx: ActionContext) -> EmailMessage:
    props = ctx.props
    sender = props["from"] or ctx.auth["email"]
    message = EmailMessage()
    try:
        message["From"] = f"{props['senderName']} <{sender}>" if props["senderName"] else sender
        message["To"] = ", ".join(props["to"])
        if props["cc"]:
            message["Cc"] = ", ".join(props["cc"])
        if props["reply_to"]:
            message["Reply-To"] = props["reply_to"]
        message["Subject"] = props["subject"]
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        if props["body_type"] == "html":
            message.set_content(_plain_fallback(props["body"]))
            message.add_alternative(props["body"], subtype="html")
        else:
            message.set_content(props["body"])
    except ValueError as err:  # e.g. a header with a line break in it
        raise PieceError(f"the email cannot be built: {err}") from err
    for attachment in props["attachments"] or []:
        stored = await load_file(value=attachment["file"], files=ctx.files, http=ctx.http)
        name = attachment.get("name") or stored.name
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        message.add_attachment(stored.data, maintype=maintype, subtype=subtype, filename=name)
    return message


def _address(text: str) -> str:
    return text.rpartition("<")[2].rstrip(">").strip()


def _plain_fallback(html: str) -> str:
    # Clients that show no HTML get the text with tags removed.
    text = re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</h\d>", "\n", text)
    return re.sub(r"<[^>]+>", "", text).strip() or " "


send_email = Action(
    name="send_email",
    display_name="Send Email",
    description="Send an email (text or HTML, with attachments) through your SMTP server.",
    props={
        "from": ShortText(
            display_name="From email",
            description="Defaults to the connection's email; the server may require it.",
        ),
        "senderName": ShortText(display_name="Sender name"),
        "to": Array(display_name="To", required=True),
        "cc": Array(display_name="CC", default=[]),
        "bcc": Array(display_name="BCC", default=[]),
        "reply_to": ShortText(display_name="Reply to"),
        "subject": ShortText(display_name="Subject", required=True),
        "body_type": StaticDropdown(
            display_name="Body type",
            default="plain_text",
            options=(
                Option(label="Plain text", value="plain_text"),
                Option(label="HTML", value="html"),
            ),
        ),
        "body": LongText(display_name="Body", required=True),
        "attachments": Array(
            display_name="Attachments",
            default=[],
            items={
                "file": File(display_name="File", required=True),
                "name": ShortText(display_name="File name", description="Defaults to the file's"),
            },
        ),
    },
    run=_run,
)
