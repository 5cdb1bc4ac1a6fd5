"""HTML to Markdown: convert HTML to Markdown text."""

from pieces.framework import Action, ActionContext
from pieces.text_helper.props import TEXT


async def _run(ctx: ActionContext) -> str:
    # Imported on use: markdownify (with BeautifulSoup) adds ~90 ms to every server start.
    from markdownify import markdownify

    return markdownify(ctx.props["text"], heading_style="ATX").strip()


html_to_markdown = Action(
    name="html_to_markdown",
    effects=False,
    display_name="HTML to Markdown",
    description="Convert HTML to Markdown text.",
    props={"text": TEXT},
    run=_run,
)
