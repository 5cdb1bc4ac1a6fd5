"""New Email: polls a folder and fires for each message whose UID is past the last one seen."""

import asyncio
from typing import Any

from pieces.framework import (
    Number,
    PieceError,
    Trigger,
    TriggerContext,
    TriggerStrategy,
    validators,
)
from pieces.framework.connection import require_connection
from pieces.imap.parse import parse_email
from pieces.imap.props import FOLDER
from pieces.imap.session import Mailbox, describe_error

#: Store key (FLOW scope): {uidvalidity, last_uid} of the folder.
STATE_KEY = "imap_state"


def _poll(
    auth: dict[str, Any], folder: str, state: dict[str, Any], limit: int
) -> tuple[dict[str, Any], list[tuple[int, bytes]]]:
    with Mailbox(auth) as box:
        validity, uidnext = box.select(folder, readonly=True)
        if state.get("uidvalidity") != validity:
            # A new folder identity (first poll, or the server renumbered): start from now.
            return {"uidvalidity": validity, "last_uid": uidnext - 1}, []
        uids = box.uids_after(int(state["last_uid"]))[:limit]
        messages = [(uid, box.fetch(uid)) for uid in uids]
    last = uids[-1] if uids else int(state["last_uid"])
    return {"uidvalidity": validity, "last_uid": last}, messages


def _recent(auth: dict[str, Any], folder: str) -> list[tuple[int, bytes]]:
    with Mailbox(auth) as box:
        box.select(folder, readonly=True)
        uids = box.uids_after(0)[-5:]
        return [(uid, box.fetch(uid)) for uid in reversed(uids)]


async def _items(ctx: TriggerContext, messages: list[tuple[int, bytes]]) -> list[Any]:
    folder = ctx.props["folder"]
    return [
        {"uid": uid, "folder": folder, **await parse_email(raw, files=ctx.files)}
        for uid, raw in messages
    ]


async def _guarded(ctx: TriggerContext, work: Any, *args: Any) -> Any:
    require_connection(ctx.auth, piece_name="IMAP")
    try:
        return await asyncio.to_thread(work, ctx.auth, ctx.props["folder"], *args)
    except PieceError:
        raise
    except Exception as err:  # a poll failure must be the framework's error, counted by the poller
        raise PieceError(describe_error(err, ctx.auth)) from err


async def _on_enable(ctx: TriggerContext) -> None:
    state, _ = await _guarded(ctx, _poll, {}, 0)
    await ctx.store.put(STATE_KEY, state)


async def _on_disable(ctx: TriggerContext) -> None:
    await ctx.store.delete(STATE_KEY)


async def _run(ctx: TriggerContext) -> list[Any]:
    state = await ctx.store.get(STATE_KEY) or {}
    new_state, messages = await _guarded(ctx, _poll, state, int(ctx.props["max_per_poll"]))
    await ctx.store.put(STATE_KEY, new_state)
    return await _items(ctx, messages)


async def _test(ctx: TriggerContext) -> list[Any]:
    return await _items(ctx, await _guarded(ctx, _recent))


new_email = Trigger(
    name="new_email",
    display_name="New Email",
    description="Starts the flow for each new email in a folder (checked every poll).",
    type=TriggerStrategy.POLLING,
    props={
        "folder": FOLDER,
        "max_per_poll": Number(
            display_name="Emails per poll",
            default=20,
            validators=(validators.min_value(1), validators.max_value(100)),
        ),
    },
    run=_run,
    test=_test,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={
        "uid": 42,
        "folder": "INBOX",
        "messageId": "<abc@example.com>",
        "subject": "Invoice 2026-001",
        "from": [{"name": "Ada", "address": "ada@example.com"}],
        "to": [{"name": "", "address": "you@example.com"}],
        "cc": [],
        "replyTo": [],
        "date": "2026-01-02T10:00:00+00:00",
        "headers": {"Subject": "Invoice 2026-001"},
        "text": "Please find the invoice attached.",
        "html": "",
        "attachments": [
            {
                "name": "invoice.pdf",
                "contentType": "application/pdf",
                "size": 48213,
                "file": "pw-file://…/invoice.pdf",
            }
        ],
        "defects": [],
    },
)
