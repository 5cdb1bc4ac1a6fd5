"""Mark as Read: set the \\Seen flag on an email."""

import asyncio
from typing import Any

from pieces.framework import Action, ActionContext, PieceError
from pieces.imap.props import FOLDER, UID
from pieces.imap.session import Mailbox


def _mark(auth: dict[str, Any], folder: str, uid: int) -> None:
    with Mailbox(auth) as box:
        box.select(folder, readonly=False)
        if not box.exists(uid):
            raise PieceError(f"no email with UID {uid} in {folder!r}")
        box.add_flags(uid, "\\Seen")


async def _run(ctx: ActionContext) -> dict[str, Any]:
    uid = int(ctx.props["uid"])
    await asyncio.to_thread(_mark, ctx.auth, ctx.props["folder"], uid)
    return {"uid": uid, "folder": ctx.props["folder"], "seen": True}


mark_as_read = Action(
    name="mark_as_read",
    display_name="Mark as Read",
    description="Mark an email as read.",
    props={"folder": FOLDER, "uid": UID},
    run=_run,
)
