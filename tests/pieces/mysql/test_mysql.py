"""The MySQL piece against a real MariaDB: queries, row actions, new rows, errors."""

from collections.abc import Iterator
from typing import Any

import pymysql
import pytest

from pieces.framework import AuthError, InMemoryStore, PieceError, PropsValidationError
from pieces.framework.testing import enable_trigger, run_action, run_trigger
from pieces.mysql import piece
from pieces.mysql.actions.delete_rows import delete_rows
from pieces.mysql.actions.insert_row import insert_row
from pieces.mysql.actions.run_query import run_query
from pieces.mysql.actions.update_rows import update_rows
from pieces.mysql.triggers.new_row import new_row
from tests.pieces.mysql.mariadb import MariaDB, mariadb

SCHEMA = """
CREATE TABLE orders (
    id INT AUTO_INCREMENT PRIMARY KEY,
    customer VARCHAR(100) NOT NULL,
    total DECIMAL(10, 2),
    tags JSON,
    note VARCHAR(100),
    created_at DATETIME NOT NULL DEFAULT '2026-01-02 10:00:00'
)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[MariaDB]:
    with mariadb() as running:
        yield running


@pytest.fixture
def auth(server: MariaDB) -> dict[str, Any]:
    conn = pymysql.connect(
        host="127.0.0.1",
        port=server.port,
        user=server.user,
        password=server.password,
        database=server.database,
    )
    with conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS orders")
        cursor.execute(SCHEMA)
    conn.close()
    return {
        "url": f"mysql://{server.user}:s3cret%20pass@127.0.0.1:{server.port}/{server.database}",
        "ssl": "disable",
    }


async def _insert(auth: dict[str, Any], **values: Any) -> int:
    result = await run_action(insert_row, {"table": "orders", "values": values}, auth=auth)
    insert_id: int = result.output["insertId"]
    return insert_id


async def test_insert_and_query_with_parameters(auth: dict[str, Any]) -> None:
    assert await _insert(auth, customer="Ada", total="12.50", tags={"vip": True}) == 1
    assert await _insert(auth, customer="Bob", total=99.99) == 2
    result = await run_action(
        run_query,
        {
            "query": "SELECT id, customer, total, tags, created_at FROM orders WHERE total > %s ORDER BY id",
            "args": [5],
        },
        auth=auth,
    )
    assert result.output["rows"] == [
        {
            "id": 1,
            "customer": "Ada",
            "total": 12.5,
            "tags": '{"vip": true}',
            "created_at": "2026-01-02T10:00:00",
        },
        {
            "id": 2,
            "customer": "Bob",
            "total": 99.99,
            "tags": None,
            "created_at": "2026-01-02T10:00:00",
        },
    ]
    assert result.output["rowCount"] == 2
    sneaky = await run_action(
        run_query,
        {"query": "SELECT COUNT(*) AS n FROM orders WHERE customer = %s", "args": ["x' OR '1'='1"]},
        auth=auth,
    )
    assert sneaky.output["rows"] == [{"n": 0}]
    qualified = await run_action(
        insert_row, {"table": "shop.orders", "values": {"customer": "Cy"}}, auth=auth
    )
    assert qualified.output == {"insertId": 3, "rowCount": 1}


async def test_update_and_delete_rows_by_equality(auth: dict[str, Any]) -> None:
    await _insert(auth, customer="Ada", total=1)
    await _insert(auth, customer="Bob", total=2)
    await _insert(auth, customer="Ada", total=3, note="keep")
    updated = await run_action(
        update_rows,
        {"table": "orders", "values": {"note": "seen"}, "where": {"customer": "Ada", "note": None}},
        auth=auth,
    )
    assert updated.output == {"rowCount": 1}
    deleted = await run_action(
        delete_rows, {"table": "orders", "where": {"customer": "Ada"}}, auth=auth
    )
    assert deleted.output == {"rowCount": 2}
    with pytest.raises(PieceError, match="deleting every row is refused"):
        await run_action(delete_rows, {"table": "orders", "where": {}}, auth=auth)
    with pytest.raises(PieceError, match="not a usable column"):
        await run_action(
            update_rows, {"table": "orders", "values": {"a`b": 1}, "where": {"id": 1}}, auth=auth
        )


async def test_new_row_fires_rows_added_after_enabling(auth: dict[str, Any]) -> None:
    await _insert(auth, customer="before")
    store = InMemoryStore()
    props = {"table": "orders", "order_column": "id", "batch_size": 2}
    await enable_trigger(new_row, props, auth=auth, store=store)
    assert await run_trigger(new_row, props, auth=auth, store=store) == []
    for name in ("Ada", "Bob", "Cy"):
        await _insert(auth, customer=name)
    first = await run_trigger(new_row, props, auth=auth, store=store)
    second = await run_trigger(new_row, props, auth=auth, store=store)
    assert [r["customer"] for r in first + second] == ["Ada", "Bob", "Cy"]
    assert await run_trigger(new_row, props, auth=auth, store=store) == []


async def test_sql_errors_carry_the_servers_message(auth: dict[str, Any]) -> None:
    with pytest.raises(PieceError, match=r"MySQL \(1146\): Table 'shop.nope' doesn't exist"):
        await run_action(run_query, {"query": "SELECT * FROM nope"}, auth=auth)
    with pytest.raises(PieceError, match=r"MySQL \(1364\)|doesn't have a default value"):
        await run_action(insert_row, {"table": "orders", "values": {"note": "x"}}, auth=auth)
    with pytest.raises(PieceError, match="do not fit together"):
        await run_action(run_query, {"query": "SELECT %s, %s", "args": [1]}, auth=auth)
    with pytest.raises(PropsValidationError, match="must be a list"):
        await run_action(run_query, {"query": "SELECT 1", "args": {"a": 1}}, auth=auth)


async def test_wrong_credentials_and_unknown_database_are_connection_errors(
    auth: dict[str, Any], server: MariaDB
) -> None:
    fields = {"host": "127.0.0.1", "port": server.port, "user": server.user, "ssl": "disable"}
    with pytest.raises(AuthError, match=r"refused the connection: Access denied for user 'piece'"):
        await run_action(run_query, {"query": "SELECT 1"}, auth={**fields, "password": "wrong"})
    with pytest.raises(AuthError, match=r"Unknown database 'nowhere'|Access denied"):
        await run_action(
            run_query,
            {"query": "SELECT 1"},
            auth={**fields, "password": server.password, "database": "nowhere"},
        )
    with pytest.raises(PieceError, match=r"could not reach MySQL at 127\.0\.0\.1:1"):
        await run_action(
            run_query, {"query": "SELECT 1"}, auth={**fields, "port": 1, "password": "x"}
        )
    assert piece.auth is not None
    await piece.auth.check(auth)
    with pytest.raises(AuthError, match="Access denied"):
        await piece.auth.check({**fields, "password": "wrong"})
    with pytest.raises(AuthError, match="mysql://"):
        await run_action(run_query, {"query": "SELECT 1"}, auth={"url": "postgres://x@y/z"})
