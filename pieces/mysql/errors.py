"""MySQL/MariaDB failures in plain words: the server's message, AuthError for refused sign-ins."""

import pymysql

from pieces.framework import AuthError, PieceError

#: Server error numbers that mean the credentials or the database are wrong, not the statement.
_AUTH_CODES = {1044, 1045, 1049, 1698, 1251}


def to_piece_error(err: pymysql.MySQLError, *, where: str) -> PieceError:
    """AuthError for refused credentials or an unknown database, else PieceError quoting the server."""
    code = err.args[0] if err.args and isinstance(err.args[0], int) else None
    text = str(err.args[1]) if len(err.args) > 1 else str(err)
    if code in _AUTH_CODES:
        return AuthError(f"MySQL at {where} refused the connection: {text}")
    if code in (2003, 2005, 2006, 2013):
        return PieceError(f"could not reach MySQL at {where}: {text}")
    if code is None and "format string" in text:
        return PieceError(
            f"MySQL: the query's %s placeholders and the arguments do not fit together ({text}); "
            "write %% for a literal %"
        )
    shown = f" ({code})" if code else ""
    return PieceError(f"MySQL{shown}: {text}")
