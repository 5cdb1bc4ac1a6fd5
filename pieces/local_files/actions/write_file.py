"""Write File: text or a file from an earlier step, into an allowed folder."""

import asyncio
import os
from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    Checkbox,
    File,
    LongText,
    Option,
    PieceError,
    ShortText,
    StaticDropdown,
)
from pieces.framework.file_input import load_file
from pieces.local_files.entries import entry
from pieces.local_files.paths import describe_os_error, open_flags, resolve


def _write(path: str, data: bytes, *, mode: str, create_folders: bool) -> dict[str, Any]:
    real = resolve(path, must_exist=False)
    if real.is_dir():
        raise PieceError(f"{path} is a folder")
    if create_folders:
        real.parent.mkdir(parents=True, exist_ok=True)
        real = resolve(path, must_exist=False)  # the new folders may not lead elsewhere
    elif not real.parent.is_dir():
        raise PieceError(f"{path}: the folder {real.parent} does not exist")
    flags = open_flags(write=True, append=mode == "append", exclusive=mode == "fail")
    try:
        fd = os.open(real, flags, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except FileExistsError as err:
        raise PieceError(f"{path} already exists (mode: fail if it exists)") from err
    except OSError as err:
        raise PieceError(describe_os_error(err, path)) from err
    return entry(real)


async def _run(ctx: ActionContext) -> dict[str, Any]:
    props = ctx.props
    if props["file"]:
        data = (await load_file(value=props["file"], files=ctx.files, http=ctx.http)).data
    elif props["content"] is not None:
        data = props["content"].encode(props["encoding"])
    else:
        raise PieceError("give the Content or a File to write")
    return await asyncio.to_thread(
        _write, props["path"], data, mode=props["mode"], create_folders=props["create_folders"]
    )


write_file = Action(
    name="write_file",
    display_name="Write File",
    description="Write text or a file to a folder allowed in Settings.",
    props={
        "path": ShortText(
            display_name="Path",
            description="Absolute, or relative to the first allowed folder",
            required=True,
        ),
        "content": LongText(display_name="Content (text)"),
        "file": File(display_name="Or a file", description="A file from an earlier step"),
        "encoding": ShortText(display_name="Text encoding", default="utf-8"),
        "mode": StaticDropdown(
            display_name="If the file exists",
            default="overwrite",
            options=(
                Option(label="Overwrite it", value="overwrite"),
                Option(label="Append to it", value="append"),
                Option(label="Fail", value="fail"),
            ),
        ),
        "create_folders": Checkbox(display_name="Create missing folders", default=False),
    },
    run=_run,
)
