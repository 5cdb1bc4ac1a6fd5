"""Find: every match of a regular expression in a text."""

from pieces.framework import Action, ActionContext, ShortText
from pieces.text_helper.props import TEXT, compile_pattern


async def _run(ctx: ActionContext) -> list[str]:
    pattern = compile_pattern(ctx.props["expression"], prop="Expression")
    return [match.group(0) for match in pattern.finditer(ctx.props["text"])]


find = Action(
    name="find",
    effects=False,
    display_name="Find",
    description="Find every match of a regular expression; the output is the list of matches.",
    props={
        "text": TEXT,
        "expression": ShortText(
            display_name="Expression",
            description="A regular expression (Python syntax), e.g. [0-9]+",
            required=True,
        ),
    },
    run=_run,
)
