"""Concatenate: join texts with an optional separator."""

from pieces.framework import Action, ActionContext, Array, ShortText


async def _run(ctx: ActionContext) -> str:
    separator: str = ctx.props["separator"] or ""
    return separator.join(ctx.props["texts"])


concat = Action(
    name="concat",
    effects=False,
    display_name="Concatenate",
    description="Join texts into one, with an optional separator between them.",
    props={
        "texts": Array(display_name="Texts", required=True),
        "separator": ShortText(display_name="Separator", default=""),
    },
    run=_run,
)
