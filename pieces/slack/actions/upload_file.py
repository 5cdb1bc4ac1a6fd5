"""Upload File: Slack's external upload flow (get an upload URL, send the bytes, complete)."""

from typing import Any

from pieces.framework import Action, ActionContext, File, LongText, ShortText
from pieces.framework.api_errors import send
from pieces.framework.file_input import load_file
from pieces.slack.client import SERVICE, call
from pieces.slack.props import CHANNEL, THREAD


async def _run(ctx: ActionContext) -> dict[str, Any]:
    props = ctx.props
    stored = await load_file(value=props["file"], files=ctx.files, http=ctx.http)
    name = props["filename"] or stored.name
    ticket = await call(
        ctx.http,
        ctx.auth,
        "files.getUploadURLExternal",
        params={"filename": name, "length": len(stored.data)},
    )
    await send(
        ctx.http,
        "POST",
        ticket["upload_url"],
        service=SERVICE,
        content=stored.data,
        headers={"Content-Type": "application/octet-stream"},
    )
    complete: dict[str, Any] = {
        "files": [{"id": ticket["file_id"], "title": props["title"] or name}],
        "channel_id": props["channel"],
    }
    if props["initial_comment"]:
        complete["initial_comment"] = props["initial_comment"]
    if props["thread_ts"]:
        complete["thread_ts"] = props["thread_ts"]
    answer = await call(ctx.http, ctx.auth, "files.completeUploadExternal", json=complete)
    files = answer.get("files") or [{}]
    return {"file": files[0], "fileId": ticket["file_id"]}


upload_file = Action(
    name="upload_file",
    display_name="Upload File",
    description="Upload a file to a channel, with an optional comment.",
    props={
        "channel": CHANNEL,
        "file": File(display_name="File", required=True),
        "filename": ShortText(display_name="File name"),
        "title": ShortText(display_name="Title"),
        "initial_comment": LongText(display_name="Comment"),
        "thread_ts": THREAD,
    },
    run=_run,
)
