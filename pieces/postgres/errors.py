"""PostgreSQL failures in plain words: the server's message, and AuthError for refused sign-ins."""

import psycopg

from pieces.framework import AuthError, PieceError

#: SQLSTATE classes that mean the credentials or the database are wrong, not the statement.
_AUTH_STATES = {"28000", "28P01", "3D000"}


def describe(err: psycopg.Error) -> str:
    """The server's message (with its detail and hint), or the driver's for connection failures."""
    diag = err.diag
    if diag.message_primary:
        text = diag.message_primary
        if diag.message_detail:
            text += f" ({diag.message_detail})"
        if diag.message_hint:
            text += f"; hint: {diag.message_hint}"
        return text
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


#: Words of a refused connection (libpq reports them as text, without a SQLSTATE).
_REFUSALS = ("authentication failed", "does not exist", "no pg_hba.conf entry", "permission denied")


def to_piece_error(err: psycopg.Error) -> PieceError:
    """AuthError when the server refused the connection's credentials or database, else PieceError."""
    text = describe(err)
    fatal = text.partition("FATAL:")[2].strip()
    if fatal and any(words in fatal for words in _REFUSALS):
        return AuthError(f"PostgreSQL refused the connection: {fatal}")
    if err.sqlstate in _AUTH_STATES:
        return AuthError(f"PostgreSQL refused the connection: {text}")
    return PieceError(f"PostgreSQL: {text}")
