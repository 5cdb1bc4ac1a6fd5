"""The Text Helper piece: join, replace, split, find, convert and clean up text."""

from pieces.framework import Piece
from pieces.text_helper.actions.concat import concat
from pieces.text_helper.actions.find import find
from pieces.text_helper.actions.html_to_markdown import html_to_markdown
from pieces.text_helper.actions.markdown_to_html import markdown_to_html
from pieces.text_helper.actions.replace import replace
from pieces.text_helper.actions.slugify import slugify
from pieces.text_helper.actions.split import split
from pieces.text_helper.actions.strip_html import strip_html

piece = Piece(
    name="text_helper",
    display_name="Text Helper",
    version="0.1.0",
    description="Join, replace, split and search text; convert between Markdown and HTML.",
    logo="text_helper.svg",
    categories=("CORE",),
    actions=(
        concat,
        replace,
        split,
        find,
        markdown_to_html,
        html_to_markdown,
        strip_html,
        slugify,
    ),
)

__all__ = ["piece"]
