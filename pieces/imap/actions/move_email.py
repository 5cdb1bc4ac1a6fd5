"""Move Email: move an email to another folder."""

import asyncio
from typing import Any

from pieces.framework import Action, ActionContext, PieceError, ShortText
from pieces.imap.props import FOLDER, UID
from pieces.imap.session import Mailbox


def _move(auth: dict[str, Any], folder: str, uid: int, destination: str) -> None:
    with Mailbox(auth) as box:
        box.select(destination, readonly=True)  # fails clearly when the destination is missing
        box.select(folder, readonly=False)
        if not box.exists(uid):
            raise PieceError(f"no email with UID {uid} in {folder!r}")
        box.move(uid, destination)


async def _run(ctx: ActionContext) -> dict[str, Any]:
    uid = int(ctx.props["uid"])
    await asyncio.to_thread(_move, ctx.auth, ctx.props["folder"], uid, ctx.props["destination"])
    return {"uid": uid, "from": ctx.props["folder"], "to": ctx.props["destination"]}


move_email = Action(
    name="move_email",
    display_name="Move Email",
    description="Move an email to another folder.",
    props={
        "folder": FOLDER,
        "uid": UID,
        "destination": ShortText(display_name="Destination folder", required=True),
    },
    run=_run,
)
