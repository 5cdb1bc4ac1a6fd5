"""CSV: parse with and without headers, quoting, delimiters, and writing back."""

import pytest

from pieces.csv.actions.parse_csv import parse_csv
from pieces.csv.actions.unparse_csv import unparse_csv
from pieces.framework import PieceError, PropsValidationError
from pieces.framework.testing import run_action

TEXT = '\ufeffname,note\nAda,"likes, commas"\n\nBob,"says ""hi"""\nCy\n'


async def test_parse_with_headers_gives_objects() -> None:
    rows = (await run_action(parse_csv, {"csv_text": TEXT})).output
    assert rows == [
        {"name": "Ada", "note": "likes, commas"},
        {"name": "Bob", "note": 'says "hi"'},
        {"name": "Cy", "note": ""},
    ]


async def test_parse_without_headers_and_with_tabs_gives_lists() -> None:
    rows = await run_action(
        parse_csv, {"csv_text": "a\tb\n1\t2\t3\n", "has_headers": False, "delimiter": "\t"}
    )
    assert rows.output == [["a", "b"], ["1", "2", "3"]]


async def test_parse_keeps_extra_cells_and_refuses_unknown_delimiters() -> None:
    rows = (await run_action(parse_csv, {"csv_text": "a;b\n1;2;3", "delimiter": ";"})).output
    assert rows == [{"a": "1", "b": "2", "_extra": ["3"]}]
    with pytest.raises(PropsValidationError, match="Delimiter ':' is not one of"):
        await run_action(parse_csv, {"csv_text": "a", "delimiter": ":"})


async def test_unparse_objects_round_trips() -> None:
    rows = [{"name": "Ada", "note": "likes, commas"}, {"name": "Bob", "tags": [1, 2], "note": None}]
    text = (await run_action(unparse_csv, {"csv_object": rows})).output
    assert text == 'name,note,tags\nAda,"likes, commas",\nBob,,"[1, 2]"\n'
    back = (await run_action(parse_csv, {"csv_text": text})).output
    assert back[0] == {"name": "Ada", "note": "likes, commas", "tags": ""}


async def test_unparse_lists_and_json_text() -> None:
    text = await run_action(unparse_csv, {"csv_object": "[[1, 2], [3, 4]]", "delimiter": "|"})
    assert text.output == "1|2\n3|4\n"


async def test_unparse_refuses_mixed_rows_and_non_lists() -> None:
    with pytest.raises(PieceError, match="not a mix"):
        await run_action(unparse_csv, {"csv_object": [{"a": 1}, [1]]})
    with pytest.raises(PieceError, match="must be a list"):
        await run_action(unparse_csv, {"csv_object": {"a": 1}})
