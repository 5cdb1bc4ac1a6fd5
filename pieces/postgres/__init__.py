"""The PostgreSQL piece: run queries, insert, update and delete rows, and poll for new rows."""

from pieces.framework import Piece
from pieces.postgres.actions.delete_rows import delete_rows
from pieces.postgres.actions.insert_row import insert_row
from pieces.postgres.actions.run_query import run_query
from pieces.postgres.actions.update_rows import update_rows
from pieces.postgres.auth import postgres_auth
from pieces.postgres.triggers.new_row import new_row

piece = Piece(
    name="postgres",
    display_name="PostgreSQL",
    version="0.1.0",
    description="Query a PostgreSQL database, change its rows, and start flows on new rows.",
    logo="postgres.svg",
    categories=("DEVELOPER_TOOLS",),
    auth=postgres_auth,
    actions=(run_query, insert_row, update_rows, delete_rows),
    triggers=(new_row,),
)

__all__ = ["piece"]
