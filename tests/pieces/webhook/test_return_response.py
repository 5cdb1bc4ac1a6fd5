"""Return Response: validates its input and sets the webhook response without stopping the run."""

import pytest

from pieces.framework import PieceError, PropsValidationError, RunControls, validate_props
from pieces.framework.testing import run_action
from pieces.webhook import piece
from pieces.webhook.actions.return_response import return_response


async def _run(values: dict[str, object]) -> tuple[object, RunControls]:
    result = await run_action(return_response, values)
    return result.output, result.run


async def test_json_body_and_headers_become_the_response() -> None:
    output, controls = await _run({"status": "201", "headers": {"X-A": 1}, "body": '{"ok": true}'})
    assert output == {"status": 201, "headers": {"X-A": "1"}, "body": {"ok": True}}
    assert controls.response is not None
    assert controls.response.status == 201
    assert controls.response.body == {"ok": True}
    assert not controls.stopped


async def test_raw_body_is_sent_as_text() -> None:
    output, _ = await _run({"body_type": "raw", "body": {"a": 1}})
    assert output == {"status": 200, "headers": {}, "body": '{"a": 1}'}


async def test_invalid_json_body_says_what_to_do() -> None:
    with pytest.raises(PieceError, match="choose the Raw body type"):
        await _run({"body": "{not json"})


async def test_status_out_of_range_is_refused() -> None:
    with pytest.raises(PieceError, match="between 100 and 599"):
        await _run({"status": 42})


def test_unknown_body_type_is_a_field_error() -> None:
    with pytest.raises(PropsValidationError) as caught:
        validate_props(return_response.props, {"body_type": "xml"})
    assert caught.value.errors == {
        "body_type": "Body type 'xml' is not one of 'json', 'raw', 'redirect'"
    }


async def test_redirect_sets_location_and_a_3xx_status() -> None:
    output, controls = await _run({"body_type": "redirect", "body": "https://example.com/done"})
    assert output == {
        "status": 302,
        "headers": {"Location": "https://example.com/done"},
        "body": None,
    }
    assert controls.response is not None
    assert controls.response.headers == {"Location": "https://example.com/done"}
    kept, _ = await _run({"body_type": "redirect", "body": "/next", "status": 301})
    assert kept == {"status": 301, "headers": {"Location": "/next"}, "body": None}
    with pytest.raises(PieceError, match="Body must be the URL to redirect to"):
        await _run({"body_type": "redirect", "body": {"a": 1}})


def test_piece_exposes_its_action_and_trigger() -> None:
    assert piece.action("return_response") is return_response
    assert piece.trigger("catch_webhook").name == "catch_webhook"
