"""Move File: move or rename a file within the allowed folders."""

import asyncio
import os
from typing import Any

from pieces.framework import Action, ActionContext, Checkbox, PieceError, ShortText
from pieces.local_files.entries import entry
from pieces.local_files.paths import describe_os_error, resolve


def _move(source: str, destination: str, *, overwrite: bool) -> dict[str, Any]:
    real_source = resolve(source)
    real_destination = resolve(destination, must_exist=False)
    if real_destination.is_dir():
        real_destination = resolve(str(real_destination / real_source.name), must_exist=False)
    if real_destination.exists() and not overwrite:
        raise PieceError(f"{destination} already exists; turn on Overwrite to replace it")
    if not real_destination.parent.is_dir():
        raise PieceError(f"{destination}: the folder {real_destination.parent} does not exist")
    try:
        os.replace(real_source, real_destination)
    except OSError as err:
        raise PieceError(describe_os_error(err, source)) from err
    return {**entry(real_destination), "from": str(real_source)}


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return await asyncio.to_thread(
        _move, ctx.props["source"], ctx.props["destination"], overwrite=ctx.props["overwrite"]
    )


move_file = Action(
    name="move_file",
    display_name="Move File",
    description="Move or rename a file; both places must be in folders allowed in Settings.",
    props={
        "source": ShortText(display_name="File", required=True),
        "destination": ShortText(
            display_name="Destination", description="A new path, or a folder", required=True
        ),
        "overwrite": Checkbox(display_name="Overwrite", default=False),
    },
    run=_run,
)
