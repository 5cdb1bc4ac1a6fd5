"""New File in Folder: polls an allowed folder and fires for each file that was not there before."""

import asyncio
from typing import Any

from pieces.framework import Checkbox, ShortText, Trigger, TriggerContext, TriggerStrategy
from pieces.local_files.actions.list_folder import list_entries

#: Store key (FLOW scope) of the paths already seen.
SEEN_KEY = "local_files_seen"


async def _files(ctx: TriggerContext) -> list[dict[str, Any]]:
    entries = await asyncio.to_thread(
        list_entries,
        ctx.props["folder"],
        pattern=ctx.props["pattern"],
        recursive=ctx.props["recursive"],
    )
    return [e for e in entries if e["type"] == "file"]


async def _on_enable(ctx: TriggerContext) -> None:
    await ctx.store.put(SEEN_KEY, [f["path"] for f in await _files(ctx)])


async def _on_disable(ctx: TriggerContext) -> None:
    await ctx.store.delete(SEEN_KEY)


async def _run(ctx: TriggerContext) -> list[Any]:
    files = await _files(ctx)
    seen = set(await ctx.store.get(SEEN_KEY) or [])
    fresh = [f for f in files if f["path"] not in seen]
    # Only files still there are remembered: one deleted and made again fires again.
    await ctx.store.put(SEEN_KEY, [f["path"] for f in files])
    return sorted(fresh, key=lambda f: (f["modified"], f["path"]))


async def _test(ctx: TriggerContext) -> list[Any]:
    files = await _files(ctx)
    return sorted(files, key=lambda f: f["modified"], reverse=True)[:5]


new_file_in_folder = Trigger(
    name="new_file_in_folder",
    display_name="New File in Folder",
    description="Starts the flow for each new file in a folder allowed in Settings.",
    type=TriggerStrategy.POLLING,
    props={
        "folder": ShortText(display_name="Folder", required=True),
        "pattern": ShortText(display_name="Name pattern", description="e.g. *.pdf", default="*"),
        "recursive": Checkbox(display_name="Include sub-folders", default=False),
    },
    run=_run,
    test=_test,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={
        "name": "invoice.pdf",
        "path": "/home/ada/Inbox/invoice.pdf",
        "type": "file",
        "size": 48213,
        "modified": "2026-01-02T10:00:00Z",
    },
)
