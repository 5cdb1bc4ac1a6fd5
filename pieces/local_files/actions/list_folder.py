"""List Folder: the files and folders in an allowed folder, optionally recursive and filtered."""

import asyncio
from typing import Any

from pieces.framework import Action, ActionContext, Checkbox, PieceError, ShortText
from pieces.local_files.entries import entry
from pieces.local_files.paths import resolve

#: Entries returned at most.
MAX_ENTRIES = 10_000


def list_entries(folder: str, *, pattern: str, recursive: bool) -> list[dict[str, Any]]:
    """Entries under the folder matching the glob pattern, sorted by path (symlinks not followed)."""
    if any(part in (pattern or "") for part in ("/", "\\", "..")):
        raise PieceError(f"the name pattern {pattern!r} must not contain folders or '..'")
    real = resolve(folder)
    if not real.is_dir():
        raise PieceError(f"{folder} is not a folder")
    matches = real.rglob(pattern or "*") if recursive else real.glob(pattern or "*")
    found = []
    for path in sorted(matches):
        if path.is_symlink():
            continue  # a link may lead outside the allowed folders
        found.append(entry(path))
        if len(found) >= MAX_ENTRIES:
            break
    return found


async def _run(ctx: ActionContext) -> dict[str, Any]:
    entries = await asyncio.to_thread(
        list_entries,
        ctx.props["path"],
        pattern=ctx.props["pattern"],
        recursive=ctx.props["recursive"],
    )
    return {"entries": entries, "count": len(entries)}


list_folder = Action(
    name="list_folder",
    display_name="List Folder",
    description="List the files and folders in a folder allowed in Settings.",
    props={
        "path": ShortText(display_name="Folder", required=True),
        "pattern": ShortText(display_name="Name pattern", description="e.g. *.csv", default="*"),
        "recursive": Checkbox(display_name="Include sub-folders", default=False),
    },
    run=_run,
)
