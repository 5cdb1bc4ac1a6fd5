"""Runs the Alembic migrations, one process at a time (several servers may start together)."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from server.db.engine import sqlalchemy_url

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"

#: pg_advisory_lock key held while migrating ("pw-migr" in hex).
_LOCK_KEY = 0x70772D6D696772


def alembic_config(url: str) -> Config:
    """An Alembic config for this database, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrates the database up to `revision` (blocking; call from a thread in async code).

    Raises:
        DatabaseTooNewError: a newer Piecework migrated the database past what this one knows.
    """

    def run(config: Config) -> None:
        _refuse_unknown_revisions(config)
        command.upgrade(config, revision)

    _locked(url, run)


def downgrade(url: str, revision: str) -> None:
    """Migrates the database down to `revision`."""
    _locked(url, lambda config: command.downgrade(config, revision))


class DatabaseTooNewError(RuntimeError):
    """The database's schema comes from a newer Piecework; nothing was changed."""

    code = "DATABASE_TOO_NEW"


def _refuse_unknown_revisions(config: Config) -> None:
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    current = MigrationContext.configure(config.attributes["connection"]).get_current_heads()
    unknown = sorted(set(current) - known)
    if unknown:
        raise DatabaseTooNewError(
            f"The database schema is at revision {', '.join(unknown)}, which this Piecework does not "
            "know: a newer Piecework has upgraded it. Install that version (or newer) to use this "
            "database. Nothing was changed."
        )


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached; the message names it (without the password)."""

    code = "DATABASE_UNAVAILABLE"


def _locked(url: str, action: object) -> None:
    engine = create_engine(sqlalchemy_url(url))
    try:
        try:
            conn = engine.connect()
        except OperationalError as err:
            shown = make_url(sqlalchemy_url(url)).render_as_string(hide_password=True)
            reason = str(err.orig).strip().splitlines()[-1] if err.orig else str(err)
            raise DatabaseUnavailableError(
                f"Cannot connect to the database {shown}: {reason}. "
                "Check PW_DATABASE_URL and that PostgreSQL is running."
            ) from err
        with conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            try:
                config = alembic_config(url)
                config.attributes["connection"] = conn
                action(config)  # type: ignore[operator]
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()
