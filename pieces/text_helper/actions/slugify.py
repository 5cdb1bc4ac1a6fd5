"""Slugify: turn text into a lowercase URL slug ("Héllo, World!" → "hello-world")."""

import re
import unicodedata

from pieces.framework import Action, ActionContext
from pieces.text_helper.props import TEXT


async def _run(ctx: ActionContext) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", ctx.props["text"]).encode("ascii", "ignore").decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


slugify = Action(
    name="slugify",
    effects=False,
    display_name="Slugify",
    description="Turn text into a lowercase, dash-separated slug for URLs and file names.",
    props={"text": TEXT},
    run=_run,
)
