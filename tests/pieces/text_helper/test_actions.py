"""Text Helper: each action through the harness, with regex errors named."""

import pytest

from pieces.framework import PieceError, PropsValidationError
from pieces.framework.testing import run_action
from pieces.text_helper.actions.concat import concat
from pieces.text_helper.actions.find import find
from pieces.text_helper.actions.html_to_markdown import html_to_markdown
from pieces.text_helper.actions.markdown_to_html import markdown_to_html
from pieces.text_helper.actions.replace import replace
from pieces.text_helper.actions.slugify import slugify
from pieces.text_helper.actions.split import split
from pieces.text_helper.actions.strip_html import strip_html


async def test_concat_joins_with_the_separator() -> None:
    result = await run_action(concat, {"texts": ["a", 1, "c"], "separator": ", "})
    assert result.output == "a, 1, c"
    assert (await run_action(concat, {"texts": '["x", "y"]'})).output == "xy"


async def test_replace_plain_text_is_literal() -> None:
    props = {"text": "a.b.c", "searchValue": ".", "replaceValue": "\\1"}
    assert (await run_action(replace, props)).output == "a\\1b\\1c"
    first = await run_action(replace, {**props, "replaceValue": "-", "replaceOnlyFirst": True})
    assert first.output == "a-b.c"


async def test_replace_with_regex_uses_groups() -> None:
    props = {
        "text": "2026-01-31",
        "searchValue": r"(\d+)-(\d+)-(\d+)",
        "replaceValue": r"\3/\2/\1",
        "useRegex": True,
    }
    assert (await run_action(replace, props)).output == "31/01/2026"
    with pytest.raises(PieceError, match="Search value is not a valid regular expression"):
        await run_action(replace, {**props, "searchValue": "(unclosed"})


async def test_split_at_delimiters_including_new_lines() -> None:
    assert (await run_action(split, {"text": "a,b,,c"})).output == ["a", "b", "", "c"]
    assert (await run_action(split, {"text": "x\ny", "delimiter": "\\n"})).output == ["x", "y"]


async def test_find_returns_every_match_or_an_empty_list() -> None:
    text = "order 12 and 345"
    assert (await run_action(find, {"text": text, "expression": "[0-9]+"})).output == ["12", "345"]
    assert (await run_action(find, {"text": text, "expression": "z"})).output == []
    with pytest.raises(PieceError, match="Expression is not a valid regular expression"):
        await run_action(find, {"text": text, "expression": "[a-"})
    with pytest.raises(PropsValidationError, match="Expression is required"):
        await run_action(find, {"text": text})


async def test_markdown_and_html_convert_both_ways() -> None:
    html = (await run_action(markdown_to_html, {"text": "# T\n\nHi **b**"})).output
    assert html == "<h1>T</h1>\n<p>Hi <strong>b</strong></p>"
    markdown = (await run_action(html_to_markdown, {"text": html})).output
    assert markdown == "# T\n\nHi **b**"


async def test_strip_html_drops_tags_scripts_and_entities() -> None:
    page = "<head><style>p{}</style></head><p>Hello &amp; <b>bye</b></p><script>x()</script><div>Two</div>"
    assert (await run_action(strip_html, {"text": page})).output == "Hello & bye\nTwo"


async def test_slugify_folds_accents_and_punctuation() -> None:
    assert (
        await run_action(slugify, {"text": "  Héllo, World! 2026 "})
    ).output == "hello-world-2026"
