"""The PostgreSQL piece against the embedded PostgreSQL: queries, row actions, new rows, errors."""

from typing import Any

import psycopg
import pytest

from pieces.framework import AuthError, InMemoryStore, PieceError, PropsValidationError
from pieces.framework.testing import enable_trigger, run_action, run_trigger
from pieces.postgres import piece
from pieces.postgres.actions.delete_rows import delete_rows
from pieces.postgres.actions.insert_row import insert_row
from pieces.postgres.actions.run_query import run_query
from pieces.postgres.actions.update_rows import update_rows
from pieces.postgres.auth import conninfo
from pieces.postgres.triggers.new_row import new_row

pytestmark = pytest.mark.integration

SCHEMA = """
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer text NOT NULL,
    total numeric(10, 2),
    tags jsonb,
    note text,
    created_at timestamptz NOT NULL DEFAULT '2026-01-02T10:00:00Z'
);
CREATE SCHEMA shop;
CREATE TABLE shop."Items" ("Name" text);
"""


@pytest.fixture
def auth(empty_database_url: str) -> dict[str, Any]:
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return {"url": empty_database_url, "ssl": "disable"}


async def _insert(auth: dict[str, Any], **values: Any) -> dict[str, Any]:
    result = await run_action(insert_row, {"table": "orders", "values": values}, auth=auth)
    row: dict[str, Any] = result.output["row"]
    return row


async def test_insert_row_returns_the_stored_row(auth: dict[str, Any]) -> None:
    row = await _insert(auth, customer="Ada", total="12.50", tags={"vip": True, "n": [1, 2]})
    assert row == {
        "id": 1,
        "customer": "Ada",
        "total": 12.5,
        "tags": {"vip": True, "n": [1, 2]},
        "note": None,
        "created_at": "2026-01-02T10:00:00+00:00",
    }
    quoted = await run_action(
        insert_row, {"table": "shop.Items", "values": {"Name": "x"}}, auth=auth
    )
    assert quoted.output == {"row": {"Name": "x"}}


async def test_run_query_with_dollar_parameters(auth: dict[str, Any]) -> None:
    await _insert(auth, customer="Ada", total=10)
    await _insert(auth, customer="Bob", total=99.99)
    result = await run_action(
        run_query,
        {
            "query": "SELECT customer, total, '100%' AS pct FROM orders WHERE total > $1 ORDER BY id",
            "args": [5],
        },
        auth=auth,
    )
    assert result.output == {
        "rows": [
            {"customer": "Ada", "total": 10, "pct": "100%"},
            {"customer": "Bob", "total": 99.99, "pct": "100%"},
        ],
        "rowCount": 2,
        "command": "SELECT 2",
    }
    # A parameter is a value, never SQL.
    sneaky = await run_action(
        run_query,
        {
            "query": "SELECT count(*) AS n FROM orders WHERE customer = $1",
            "args": '["x\' OR 1=1 --"]',
        },
        auth=auth,
    )
    assert sneaky.output["rows"] == [{"n": 0}]
    ddl = await run_action(run_query, {"query": "CREATE INDEX ON orders (customer)"}, auth=auth)
    assert ddl.output == {"rows": [], "rowCount": -1, "command": "CREATE INDEX"}


async def test_update_and_delete_rows_by_equality(auth: dict[str, Any]) -> None:
    await _insert(auth, customer="Ada", total=1)
    await _insert(auth, customer="Bob", total=2)
    await _insert(auth, customer="Ada", total=3, note="keep")
    updated = await run_action(
        update_rows,
        {"table": "orders", "values": {"note": "seen"}, "where": {"customer": "Ada", "note": None}},
        auth=auth,
    )
    assert updated.output["rowCount"] == 1
    assert updated.output["rows"][0]["id"] == 1
    deleted = await run_action(
        delete_rows, {"table": "orders", "where": {"customer": "Ada"}}, auth=auth
    )
    assert sorted(row["id"] for row in deleted.output["rows"]) == [1, 3]
    with pytest.raises(PieceError, match="deleting every row is refused"):
        await run_action(delete_rows, {"table": "orders", "where": {}}, auth=auth)
    with pytest.raises(PieceError, match="updating every row is refused"):
        await run_action(
            update_rows, {"table": "orders", "values": {"note": "x"}, "where": {}}, auth=auth
        )


async def test_new_row_fires_rows_added_after_enabling(auth: dict[str, Any]) -> None:
    await _insert(auth, customer="before")
    store = InMemoryStore()
    props = {"table": "orders", "order_column": "id"}
    await enable_trigger(new_row, props, auth=auth, store=store)
    assert await run_trigger(new_row, props, auth=auth, store=store) == []
    await _insert(auth, customer="Ada")
    await _insert(auth, customer="Bob")
    fired = await run_trigger(new_row, props, auth=auth, store=store)
    assert [row["customer"] for row in fired] == ["Ada", "Bob"]
    assert await run_trigger(new_row, props, auth=auth, store=store) == []
    assert new_row.test is not None


async def test_new_row_polls_by_timestamp_in_batches(auth: dict[str, Any]) -> None:
    store = InMemoryStore()
    props = {"table": "orders", "order_column": "created_at", "batch_size": 2}
    await enable_trigger(new_row, props, auth=auth, store=store)  # empty table
    for day in (3, 4, 5):
        await run_action(
            run_query,
            {
                "query": "INSERT INTO orders (customer, created_at) VALUES ($1, $2)",
                "args": [f"day {day}", f"2026-01-0{day}T00:00:00Z"],
            },
            auth=auth,
        )
    first = await run_trigger(new_row, props, auth=auth, store=store)
    second = await run_trigger(new_row, props, auth=auth, store=store)
    assert [r["customer"] for r in first + second] == ["day 3", "day 4", "day 5"]


async def test_sql_errors_carry_the_servers_message(auth: dict[str, Any]) -> None:
    with pytest.raises(PieceError, match='PostgreSQL: relation "nope" does not exist'):
        await run_action(run_query, {"query": "SELECT * FROM nope"}, auth=auth)
    with pytest.raises(PieceError, match='null value in column "customer"'):
        await run_action(insert_row, {"table": "orders", "values": {"note": "x"}}, auth=auth)
    with pytest.raises(PropsValidationError, match="must be a list"):
        await run_action(run_query, {"query": "SELECT 1", "args": {"a": 1}}, auth=auth)
    with pytest.raises(PieceError, match=r"schema\.name"):
        await run_action(insert_row, {"table": "a.b.c", "values": {"x": 1}}, auth=auth)


async def test_missing_database_and_unreachable_server_fail_clearly(auth: dict[str, Any]) -> None:
    wrong_db = {**auth, "database": "no_such_database"}
    with pytest.raises(AuthError, match='database "no_such_database" does not exist'):
        await run_action(run_query, {"query": "SELECT 1"}, auth=wrong_db)
    closed = {"host": "127.0.0.1", "port": 1, "user": "x", "database": "x", "ssl": "disable"}
    with pytest.raises(PieceError, match=r"PostgreSQL: .*127\.0\.0\.1.*port 1 failed"):
        await run_action(run_query, {"query": "SELECT 1"}, auth=closed)
    assert piece.auth is not None
    with pytest.raises(AuthError, match="does not exist"):
        await piece.auth.check(wrong_db)
    await piece.auth.check(auth)
    with pytest.raises(AuthError, match="fill in a connection URL or a host"):
        await run_action(run_query, {"query": "SELECT 1"}, auth={"ssl": "disable"})


def test_connection_fields_fill_in_and_override_the_url() -> None:
    assert piece.auth is not None
    checked = piece.auth.coerce({"url": "postgresql://ada:pw@db.example:6543/shop"})
    info = conninfo(checked)
    assert "port=6543" in info
    assert "dbname=shop" in info
    overridden = conninfo(
        piece.auth.coerce(
            {"url": "postgresql://ada@db.example:6543/shop", "database": "other", "ssl": "require"}
        )
    )
    assert "dbname=other" in overridden
    assert "sslmode=require" in overridden
