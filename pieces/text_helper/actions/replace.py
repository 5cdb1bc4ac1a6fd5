"""Replace: replace text, or matches of a regular expression, with other text."""

import re

from pieces.framework import Action, ActionContext, Checkbox, ShortText
from pieces.text_helper.props import TEXT, compile_pattern


async def _run(ctx: ActionContext) -> str:
    text: str = ctx.props["text"]
    search: str = ctx.props["searchValue"]
    replacement: str = ctx.props["replaceValue"] or ""
    count = 1 if ctx.props["replaceOnlyFirst"] else 0
    if ctx.props["useRegex"]:
        pattern = compile_pattern(search, prop="Search value")
    else:
        pattern = re.compile(re.escape(search))
        replacement = replacement.replace("\\", "\\\\")
    return pattern.sub(replacement, text, count=count)


replace = Action(
    name="replace",
    effects=False,
    display_name="Replace",
    description="Replace text, or every match of a regular expression, with other text.",
    props={
        "text": TEXT,
        "searchValue": ShortText(display_name="Search value", required=True),
        "replaceValue": ShortText(display_name="Replace with", default=""),
        "useRegex": Checkbox(
            display_name="Search value is a regular expression",
            description="Python syntax; the replacement may refer to groups as \\1.",
            default=False,
        ),
        "replaceOnlyFirst": Checkbox(display_name="Replace only the first match", default=False),
    },
    run=_run,
)
