"""Read File: a file in an allowed folder, as text or as a file reference for later steps."""

import asyncio
import os
from typing import Any

from pieces.framework import Action, ActionContext, Option, PieceError, ShortText, StaticDropdown
from pieces.framework.files import MAX_FILE_BYTES
from pieces.local_files.entries import entry
from pieces.local_files.paths import describe_os_error, open_flags, resolve


def _read(path: str) -> tuple[bytes, dict[str, Any]]:
    real = resolve(path)
    if real.is_dir():
        raise PieceError(f"{path} is a folder; use List Folder")
    try:
        fd = os.open(real, open_flags(write=False))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise PieceError(describe_os_error(err, path)) from err
    if len(data) > MAX_FILE_BYTES:
        raise PieceError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return data, entry(real)


async def _run(ctx: ActionContext) -> dict[str, Any]:
    data, info = await asyncio.to_thread(_read, ctx.props["path"])
    if ctx.props["read_as"] == "file":
        return {**info, "file": await ctx.files.write(name=info["name"], data=data)}
    try:
        text = data.decode(ctx.props["encoding"])
    except (UnicodeDecodeError, LookupError) as err:
        raise PieceError(
            f"{ctx.props['path']} is not {ctx.props['encoding']} text ({err}); read it as a file"
        ) from err
    return {**info, "content": text}


read_file = Action(
    name="read_file",
    display_name="Read File",
    description="Read a file from a folder allowed in Settings.",
    props={
        "path": ShortText(
            display_name="Path",
            description="Absolute, or relative to the first allowed folder",
            required=True,
        ),
        "read_as": StaticDropdown(
            display_name="Read as",
            default="text",
            options=(
                Option(label="Text", value="text"),
                Option(label="File (a reference for later steps)", value="file"),
            ),
        ),
        "encoding": ShortText(display_name="Text encoding", default="utf-8"),
    },
    run=_run,
)
