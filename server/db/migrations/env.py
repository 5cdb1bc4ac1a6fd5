"""Alembic environment: runs migrations on the connection server.db.migrate hands over."""

from alembic import context
from sqlalchemy import create_engine

from server.db import models  # noqa: F401  (registers the tables on Base.metadata)
from server.db.base import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, compare_type=True)  # type: ignore[arg-type]
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.attributes["url"])
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()
