"""The MySQL piece: run queries, insert, update and delete rows, and poll for new rows (MySQL or MariaDB)."""

from pieces.framework import Piece
from pieces.mysql.actions.delete_rows import delete_rows
from pieces.mysql.actions.insert_row import insert_row
from pieces.mysql.actions.run_query import run_query
from pieces.mysql.actions.update_rows import update_rows
from pieces.mysql.auth import mysql_auth
from pieces.mysql.triggers.new_row import new_row

piece = Piece(
    name="mysql",
    display_name="MySQL",
    version="0.1.0",
    description="Query a MySQL or MariaDB database, change its rows, and start flows on new rows.",
    logo="mysql.svg",
    categories=("DEVELOPER_TOOLS",),
    auth=mysql_auth,
    actions=(run_query, insert_row, update_rows, delete_rows),
    triggers=(new_row,),
)

__all__ = ["piece"]
