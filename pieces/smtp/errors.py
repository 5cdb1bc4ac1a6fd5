"""SMTP failures in plain words: what the server said, and what to check."""

import ssl
from typing import Any

import aiosmtplib

from pieces.framework import AuthError, PieceError


def describe(err: Exception, auth: dict[str, Any]) -> str:
    """One sentence about an SMTP failure, quoting the server's reply when there is one."""
    where = f"{auth['host']}:{auth['port']}"
    if isinstance(err, aiosmtplib.SMTPAuthenticationError):
        return f"{where} refused the sign-in for {auth['email']}: {_reply(err)}"
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{r.recipient}: {_reply(r)}" for r in err.recipients)
        return f"{where} refused every recipient ({refused})"
    if isinstance(err, aiosmtplib.SMTPSenderRefused):
        return f"{where} refused the sender {err.sender}: {_reply(err)}"
    if isinstance(err, aiosmtplib.SMTPResponseException):
        return f"{where} answered {err.code}: {err.message}"
    if isinstance(err, aiosmtplib.SMTPTimeoutError):
        return f"{where} did not answer in time"
    if isinstance(err, aiosmtplib.SMTPConnectError):
        cause = err.__cause__
        if isinstance(cause, ssl.SSLError):
            return f"TLS with {where} failed ({cause.reason}); check the port and the TLS setting"
        return f"could not connect to {where}: {err}"
    return f"{where}: {err}"


def to_piece_error(err: Exception, auth: dict[str, Any]) -> PieceError:
    """The framework error for an SMTP failure: AuthError for a refused sign-in."""
    if isinstance(err, aiosmtplib.SMTPAuthenticationError):
        return AuthError(describe(err, auth))
    return PieceError(describe(err, auth))


def _reply(err: aiosmtplib.SMTPResponseException) -> str:
    return f"{err.code} {err.message}".strip()
