"""Migrations go up, down and up again on a real PostgreSQL."""

import psycopg
import pytest
from alembic.script import ScriptDirectory

from server.db import migrate


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    return {row[0] for row in rows}


def _objects(url: str, pattern: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pg_proc WHERE proname LIKE %(p)s) + (SELECT count(*) FROM pg_type WHERE typname LIKE %(p)s)",
            {"p": pattern},
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    tables = _tables(empty_database_url)
    assert {
        "users",
        "projects",
        "project_members",
        "flows",
        "flow_versions",
        "flow_runs",
        "procrastinate_jobs",
    } <= tables
    migrate.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == {"alembic_version"}
    assert _objects(empty_database_url, "procrastinate%") == 0
    migrate.upgrade(empty_database_url)
    assert _tables(empty_database_url) == tables


def test_upgrade_is_idempotent(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    head = ScriptDirectory.from_config(
        migrate.alembic_config(empty_database_url)
    ).get_current_head()
    assert row == (head,)


def test_models_match_the_migrations(empty_database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from server.db import models  # noqa: F401  (registers the tables)
    from server.db.base import Base
    from server.db.engine import sqlalchemy_url

    migrate.upgrade(empty_database_url)
    engine = create_engine(sqlalchemy_url(empty_database_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [
                d for d in compare_metadata(context, Base.metadata) if "procrastinate" not in str(d)
            ]
    finally:
        engine.dispose()
    assert differences == []


def test_a_newer_app_migrates_an_older_database_and_keeps_its_rows(empty_database_url: str) -> None:
    # What an app update does on start: the database of the previous version goes to head.
    migrate.upgrade(empty_database_url, "0004")
    with psycopg.connect(empty_database_url) as conn:
        conn.execute(
            "INSERT INTO users (id, email, first_name, last_name, password_hash, platform_role,"
            " created, updated) VALUES ('u1', 'old@example.com', 'Old', '', 'x', 'OWNER', now(), now())"
        )
    migrate.upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        user = conn.execute("SELECT email FROM users WHERE id = 'u1'").fetchone()
    head = ScriptDirectory.from_config(
        migrate.alembic_config(empty_database_url)
    ).get_current_head()
    assert version == (head,)
    assert user == ("old@example.com",)


def test_a_database_migrated_by_a_newer_app_is_refused_unchanged(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    tables = _tables(empty_database_url)

    with pytest.raises(migrate.DatabaseTooNewError) as caught:
        migrate.upgrade(empty_database_url)

    assert "revision 0999" in str(caught.value)
    assert "a newer Piecework has upgraded it" in str(caught.value)
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0999",)
    assert _tables(empty_database_url) == tables
