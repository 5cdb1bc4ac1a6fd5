"""Strip HTML: the text of an HTML document, without tags, scripts or styles."""

import re
from html.parser import HTMLParser

from pieces.framework import Action, ActionContext
from pieces.text_helper.props import TEXT

_HIDDEN = {"script", "style", "head", "template"}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


async def _run(ctx: ActionContext) -> str:
    collector = _TextCollector()
    collector.feed(ctx.props["text"])
    collector.close()
    lines = (
        re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(collector.parts).split("\n")
    )
    return "\n".join(line for line in lines if line)


strip_html = Action(
    name="strip_html",
    effects=False,
    display_name="Strip HTML",
    description="Remove HTML tags (and scripts and styles), keeping the text.",
    props={"text": TEXT},
    run=_run,
)
