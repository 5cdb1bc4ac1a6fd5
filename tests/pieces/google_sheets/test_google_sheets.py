"""Google Sheets against a local server with Google's shapes: rows, OAuth2 refresh, errors."""

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

from pieces.framework import AuthError, InMemoryStore, NetworkPolicy, PieceError, TriggerContext
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.http_client import create_http_client
from pieces.framework.testing import run_action
from pieces.google_sheets import piece
from pieces.google_sheets.actions.append_row import append_row
from pieces.google_sheets.actions.find_rows import find_rows
from pieces.google_sheets.actions.update_row import update_row
from pieces.google_sheets.client import API_URL_ENV, TOKEN_URL_ENV
from pieces.google_sheets.triggers.new_row import new_row
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
SHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
#: Extra rows the fake sheet has, appended by tests.
EXTRA_ROWS: list[list[str]] = []


def _answer(request: Received) -> Reply:
    path = request.path.partition("?")[0]
    if path == "/token":
        form = parse_qs(request.body.decode())
        if form.get("refresh_token") == ["1//revoked"]:
            return Reply.json(load("google_sheets", "error_invalid_grant"), status=400)
        assert form["grant_type"] == ["refresh_token"]
        assert form["client_id"] == ["client-1.apps.googleusercontent.com"]
        assert form["client_secret"] == ["shh"]
        return Reply.json(load("google_sheets", "token_refresh"))
    if request.headers.get("authorization") != "Bearer ya29.fresh":
        return Reply.json(load("google_sheets", "error_unauthenticated"), status=401)
    sheet_path = unquote(path)
    if "/missing/" in sheet_path:
        return Reply.json(load("google_sheets", "error_not_found"), status=404)
    if "'Private'" in sheet_path:
        return Reply.json(load("google_sheets", "error_permission"), status=403)
    if "'Busy'" in sheet_path:
        reply = Reply.json(load("google_sheets", "error_rate_limit"), status=429)
        reply.headers["Retry-After"] = "30"
        return reply
    if "'Down'" in sheet_path:
        return Reply.json(load("google_sheets", "error_backend"), status=503)
    if sheet_path.endswith(":append"):
        return Reply.json(load("google_sheets", "values_append"))
    if request.method == "PUT":
        return Reply.json(load("google_sheets", "values_update"))
    values = load("google_sheets", "values_get")
    values["values"].extend(EXTRA_ROWS)
    return Reply.json(values)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    EXTRA_ROWS.clear()
    with local_http_server(_answer) as running:
        monkeypatch.setenv(API_URL_ENV, running.url)
        monkeypatch.setenv(TOKEN_URL_ENV, f"{running.url}/token")
        yield running


def _token(
    *, expired: bool = False, access: str = "ya29.fresh", refresh: str = "1//good"
) -> dict[str, Any]:
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_at": time.time() + (-10 if expired else 3600),
        "client_id": "client-1.apps.googleusercontent.com",
        "client_secret": "shh",
    }


async def test_append_row(server: LocalServer) -> None:
    result = await run_action(
        append_row,
        {
            "spreadsheet": f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0",
            "values": ["Dee", "dee@example.com", "pro"],
        },
        auth=_token(),
        network=LOCAL,
    )
    assert result.output == {
        "spreadsheetId": SHEET_ID,
        "range": "Sheet1!A5:C5",
        "values": ["Dee", "dee@example.com", "pro"],
    }
    sent = server.received[-1]
    assert unquote(sent.path.split("?")[0]) == f"/v4/spreadsheets/{SHEET_ID}/values/'Sheet1':append"
    assert parse_qs(sent.path.split("?")[1])["valueInputOption"] == ["USER_ENTERED"]
    assert sent.json() == {"values": [["Dee", "dee@example.com", "pro"]]}


async def test_update_row(server: LocalServer) -> None:
    result = await run_action(
        update_row,
        {
            "spreadsheet": SHEET_ID,
            "sheet": "Team's list",
            "row_number": 3,
            "values": ["Bob Stone", "bob@example.com", "pro"],
        },
        auth=_token(),
        network=LOCAL,
    )
    assert result.output["range"] == "Sheet1!A3:C3"
    assert unquote(server.received[-1].path.split("?")[0]).endswith("/values/'Team''s list'!A3")


async def test_find_rows_by_header_or_letter(server: LocalServer) -> None:
    exact = await run_action(
        find_rows,
        {"spreadsheet": SHEET_ID, "column": "Email", "value": "bob@example.com"},
        auth=_token(),
        network=LOCAL,
    )
    assert exact.output == {
        "rows": [
            {
                "row": 3,
                "values": ["Bob Stone", "bob@example.com"],
                "fields": {"Name": "Bob Stone", "Email": "bob@example.com", "Plan": ""},
            }
        ],
        "count": 1,
    }
    contains = await run_action(
        find_rows,
        {"spreadsheet": SHEET_ID, "column": "A", "value": "o", "exact": False},
        auth=_token(),
        network=LOCAL,
    )
    assert [r["row"] for r in contains.output["rows"]] == [2, 3, 4]
    with pytest.raises(PieceError, match="no column 'Phone': the headers are Name, Email, Plan"):
        await run_action(
            find_rows,
            {"spreadsheet": SHEET_ID, "column": "Phone", "value": "x"},
            auth=_token(),
            network=LOCAL,
        )


async def test_expired_token_is_refreshed_before_the_request(server: LocalServer) -> None:
    await run_action(
        find_rows,
        {"spreadsheet": SHEET_ID, "column": "A", "value": "x"},
        auth=_token(expired=True, access="ya29.old"),
        network=LOCAL,
    )
    token_call, api_call = server.received
    assert token_call.path == "/token"
    assert parse_qs(token_call.body.decode())["refresh_token"] == ["1//good"]
    assert api_call.headers["authorization"] == "Bearer ya29.fresh"


async def test_token_refused_with_401_is_refreshed_once_and_retried(server: LocalServer) -> None:
    result = await run_action(
        find_rows,
        {"spreadsheet": SHEET_ID, "column": "A", "value": "Ada Lovelace"},
        auth=_token(access="ya29.revoked-early"),
        network=LOCAL,
    )
    assert result.output["count"] == 1
    refused, token_call, retried = server.received
    assert refused.headers["authorization"] == "Bearer ya29.revoked-early"
    assert token_call.path == "/token"
    assert retried.headers["authorization"] == "Bearer ya29.fresh"


async def test_revoked_refresh_token_is_a_connection_error(server: LocalServer) -> None:
    with pytest.raises(AuthError, match=r"Token has been expired or revoked\."):
        await run_action(
            append_row,
            {"spreadsheet": SHEET_ID, "values": ["x"]},
            auth=_token(expired=True, refresh="1//revoked"),
            network=LOCAL,
        )
    no_refresh = {**_token(expired=True), "refresh_token": None}
    with pytest.raises(AuthError, match="reconnect the account"):
        await run_action(
            append_row, {"spreadsheet": SHEET_ID, "values": ["x"]}, auth=no_refresh, network=LOCAL
        )


@pytest.mark.parametrize(
    ("spreadsheet", "sheet", "error", "message"),
    [
        (
            "missing",
            "Sheet1",
            PieceError,
            r"404 Not Found: Requested entity was not found\. \(NOT_FOUND\)",
        ),
        (
            SHEET_ID,
            "Private",
            AuthError,
            r"The caller does not have permission \(PERMISSION_DENIED\)",
        ),
        (
            SHEET_ID,
            "Busy",
            RateLimitedError,
            r"rate limit reached: Quota exceeded.*\(retry after 30 s\)",
        ),
        (
            SHEET_ID,
            "Down",
            PieceError,
            "503 Service Unavailable: The service is currently unavailable",
        ),
    ],
)
async def test_errors_fail_in_plain_words(
    server: LocalServer, spreadsheet: str, sheet: str, error: type[PieceError], message: str
) -> None:
    with pytest.raises(error, match=message):
        await run_action(
            find_rows,
            {"spreadsheet": spreadsheet, "sheet": sheet, "column": "A", "value": "x"},
            auth=_token(),
            network=LOCAL,
        )


async def test_new_row_fires_rows_added_below(server: LocalServer) -> None:
    store = InMemoryStore()
    async with create_http_client(LOCAL) as http:
        ctx = TriggerContext(
            props={"spreadsheet": SHEET_ID, "sheet": "Sheet1"},
            auth=_token(),
            store=store,
            http=http,
        )
        assert new_row.on_enable is not None
        await new_row.on_enable(ctx)
        assert await new_row.run(ctx) == []
        EXTRA_ROWS.extend([["Dee", "dee@example.com", "pro"], [], ["Eve", "eve@example.com"]])
        fired = await new_row.run(ctx)
        assert [(r["row"], r["fields"]["Name"]) for r in fired] == [(5, "Dee"), (7, "Eve")]
        assert await new_row.run(ctx) == []
        assert new_row.test is not None
        recent = await new_row.test(ctx)
        assert recent[0]["row"] == 7


async def test_custom_api_call_refreshes_and_uses_the_token(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    result = await run_action(
        piece.action("custom_api_call"),
        {"url": f"/spreadsheets/{SHEET_ID}/values/Sheet1"},
        auth=_token(expired=True),
        network=LOCAL,
    )
    assert result.output["body"]["values"][0] == ["Name", "Email", "Plan"]
