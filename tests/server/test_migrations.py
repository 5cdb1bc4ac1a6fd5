"""Migrations go up, down and up again on a real PostgreSQL."""

import subprocess
import sys

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


def test_schedules_move_into_trigger_sources_and_back(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0022")
    definition = (
        '{"trigger": {"type": "PIECE_TRIGGER", "settings": {"pieceName": "schedule",'
        ' "pieceVersion": "0.1.0", "triggerName": "every_hour", "input": {}}}, "steps": []}'
    )
    with psycopg.connect(empty_database_url) as conn:
        conn.execute(
            "INSERT INTO users (id, email, first_name, last_name, password_hash, platform_role,"
            " created, updated) VALUES ('u1', 'a@example.com', 'A', 'B', 'x', 'OWNER', now(),"
            " now())"
        )
        conn.execute(
            "INSERT INTO projects (id, owner_id, display_name, created, updated) "
            "VALUES ('p1', 'u1', 'P', now(), now())"
        )
        conn.execute(
            "INSERT INTO flows (id, project_id, status, created, updated) "
            "VALUES ('f1', 'p1', 'ENABLED', now(), now())"
        )
        conn.execute(
            "INSERT INTO flow_versions (id, flow_id, display_name, definition, state, created, "
            "updated) VALUES ('v1', 'f1', 'F', %s, 'LOCKED', now(), now())",
            (definition,),
        )
        conn.execute(
            "INSERT INTO trigger_schedules VALUES ('f1', 'v1', '0 * * * *', 'Europe/Paris', "
            "'2026-11-23 12:00+00', now(), now())"
        )
    migrate.upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        moved = conn.execute(
            "SELECT project_id, piece_name, trigger_name, strategy, cron_expression, timezone "
            "FROM trigger_sources"
        ).fetchall()
    assert moved == [("p1", "schedule", "every_hour", "SCHEDULE", "0 * * * *", "Europe/Paris")]
    migrate.downgrade(empty_database_url, "0022")
    with psycopg.connect(empty_database_url) as conn:
        back = conn.execute("SELECT flow_id, cron_expression FROM trigger_schedules").fetchall()
    assert back == [("f1", "0 * * * *")]


def test_the_head_read_from_the_files_is_alembics(empty_database_url: str) -> None:
    head = ScriptDirectory.from_config(
        migrate.alembic_config(empty_database_url)
    ).get_current_head()
    # head_revision() is None as soon as one file is not read (another quoting style, a merge
    # revision): then this fails, rather than every start silently taking Alembic's slow path.
    assert head is not None
    assert migrate.head_revision() == head


def test_a_database_at_head_is_not_migrated_and_alembic_is_not_loaded(
    empty_database_url: str,
) -> None:
    # Every start but the first after an update: one query, no Alembic (seconds of imports).
    migrate.upgrade(empty_database_url)
    check = (
        "import sys; from server.db import migrate; migrate.upgrade(sys.argv[1]);"
        " print('alembic' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check, empty_database_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "False"
    migrate.downgrade(empty_database_url, "0023")
    migrate.upgrade(empty_database_url)  # one behind: migrated as before
    with psycopg.connect(empty_database_url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row == (migrate.head_revision(),)
