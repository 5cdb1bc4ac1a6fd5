"""Runs the Alembic migrations, one process at a time (several servers may start together).

A database already at the newest revision (every start but the first after an update) is told
from the migration files and one query: Alembic, which takes a large part of a start to load,
is loaded only when there is something to migrate.
"""

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from server.db.engine import sqlalchemy_url

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"

#: pg_advisory_lock key held while migrating ("pw-migr" in hex).
_LOCK_KEY = 0x70772D6D696772


def alembic_config(url: str) -> "Config":
    """An Alembic config for this database, without an alembic.ini."""
    from alembic.config import Config  # loaded only to migrate

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrates the database up to `revision` (blocking; call from a thread in async code).

    Raises:
        DatabaseTooNewError: a newer Piecework migrated the database past what this one knows.
    """

    if revision == "head" and _at_head(url):
        return
    from alembic import command  # loaded only to migrate

    def run(config: "Config") -> None:
        _refuse_unknown_revisions(config)
        command.upgrade(config, revision)

    _locked(url, run)


def downgrade(url: str, revision: str) -> None:
    """Migrates the database down to `revision`."""
    from alembic import command  # loaded only to migrate

    _locked(url, lambda config: command.downgrade(config, revision))


@cache
def head_revision() -> str | None:
    """The newest revision among the migration files (read as text, without Alembic); None when
    they do not make one line of revisions."""
    revisions: dict[str, str | None] = {}
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = re.search(r'^revision = "([^"]+)"', source, re.MULTILINE)
        down = re.search(r'^down_revision = (?:"([^"]+)"|None)', source, re.MULTILINE)
        if found is None or down is None:
            return None
        revisions[found.group(1)] = down.group(1)
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None


def _at_head(url: str) -> bool:
    """Whether the database is at the newest revision already (False when unsure)."""
    head = head_revision()
    if head is None:
        return False
    engine = create_engine(sqlalchemy_url(url))
    try:
        with _connect(engine, url) as conn:
            try:
                current = {
                    row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))
                }
            except ProgrammingError:  # a new database: no alembic_version table yet
                return False
        return current == {head}
    finally:
        engine.dispose()


class DatabaseTooNewError(RuntimeError):
    """The database's schema comes from a newer Piecework; nothing was changed."""

    code = "DATABASE_TOO_NEW"


def _refuse_unknown_revisions(config: "Config") -> None:
    from alembic.runtime.migration import MigrationContext  # only to migrate
    from alembic.script import ScriptDirectory

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
        with _connect(engine, url) as conn:
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


def _connect(engine: Engine, url: str) -> Connection:
    """A connection, or the reason there is none.

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
    """
    try:
        return engine.connect()
    except OperationalError as err:
        shown = make_url(sqlalchemy_url(url)).render_as_string(hide_password=True)
        reason = str(err.orig).strip().splitlines()[-1] if err.orig else str(err)
        raise DatabaseUnavailableError(
            f"Cannot connect to the database {shown}: {reason}. "
            "Check PW_DATABASE_URL and that PostgreSQL is running."
        ) from err
