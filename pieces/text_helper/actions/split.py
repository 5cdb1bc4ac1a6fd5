"""Split: split text into a list at a delimiter."""

from pieces.framework import Action, ActionContext, PieceError, ShortText
from pieces.text_helper.props import TEXT


async def _run(ctx: ActionContext) -> list[str]:
    delimiter: str = ctx.props["delimiter"]
    if delimiter == "":
        raise PieceError("Delimiter must not be empty")
    text: str = ctx.props["text"]
    return text.split(delimiter.replace("\\n", "\n").replace("\\t", "\t"))


split = Action(
    name="split",
    effects=False,
    display_name="Split",
    description="Split text into a list at every occurrence of a delimiter.",
    props={
        "text": TEXT,
        "delimiter": ShortText(
            display_name="Delimiter",
            description="\\n and \\t mean a new line and a tab.",
            default=",",
        ),
    },
    run=_run,
)
