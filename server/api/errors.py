"""Error responses: every error is `{code, message, params}` with the right HTTP status, never a traceback."""

import logging
import uuid

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from procrastinate.exceptions import ConnectorException
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from server.db.engine import database_gone
from server.services.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    StorageFailedError,
    StorageUnavailableError,
    TooLargeError,
    TooManyRequestsError,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[ServiceError], int] = {
    InvalidRequestError: 400,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    TooLargeError: 413,
    TooManyRequestsError: 429,
    StorageFailedError: 502,
    StorageUnavailableError: 503,
}


def error_response(
    status: int, code: str, message: str, params: dict[str, object] | None = None
) -> JSONResponse:
    """A JSON error body with a status."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        {"code": code, "message": message, "params": params or {}},
        status_code=status,
        headers=headers,
    )


def database_unavailable(request: Request, err: Exception) -> JSONResponse:
    """503 while the database cannot be reached (restarting, network down): retry later."""
    cause = getattr(err, "orig", None) or err.__cause__ or err  # procrastinate wraps the cause
    reason = (str(cause).strip() or repr(cause)).splitlines()[0][:200]
    log.warning(
        "request %s %s: the database is unavailable (%s)", request.method, request.url.path, reason
    )
    return JSONResponse(
        {
            "code": "DATABASE_UNAVAILABLE",
            "message": "The server cannot reach its database right now; try again in a moment",
            "params": {},
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


def error_for(request: Request, err: Exception) -> JSONResponse:
    """The answer to a request that failed with `err`, as the handlers `install_error_handlers`
    installs give it (routes served ahead of FastAPI's, as webhooks, answer with this)."""
    if isinstance(err, ServiceError):
        return service_error(err)
    if isinstance(err, DBAPIError | psycopg.Error):
        return database_error(request, err)
    if isinstance(err, psycopg_pool.PoolTimeout | ConnectorException):
        return database_unavailable(request, err)
    return crash(request, err)


def service_error(err: ServiceError) -> JSONResponse:
    """A service's error with its HTTP status (400 when it names none)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(err, kind)), 400)
    return error_response(status, err.code, err.message, err.params)


def database_error(request: Request, err: DBAPIError | psycopg.Error) -> JSONResponse:
    """503 when the database is gone, 400 for a value it cannot store, else a crash. `err` is
    SQLAlchemy's wrapper or psycopg's own error (from code that uses psycopg directly)."""
    if database_gone(err):
        return database_unavailable(request, err)
    cause = err.orig if isinstance(err, DBAPIError) else err
    if isinstance(cause, psycopg.DataError):
        # A value the database cannot store (a NUL character, a number out of range): the caller's input.
        reason = str(cause).strip().splitlines()[0]
        return error_response(
            400, "INVALID_VALUE", f"The request has a value that cannot be stored: {reason}"
        )
    return crash(request, err)


def crash(request: Request, err: Exception) -> JSONResponse:
    """500 with a reference to the logged traceback (the caller sees no traceback)."""
    reference = uuid.uuid4().hex[:12]
    log.error(
        "request %s %s failed (reference %s)",
        request.method,
        request.url.path,
        reference,
        exc_info=err,
    )
    return error_response(
        500,
        "INTERNAL_ERROR",
        f"Something went wrong on the server; its log has the details (reference {reference})",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Maps service errors, validation errors, HTTP errors and crashes to JSON error bodies."""

    @app.exception_handler(ServiceError)
    async def on_service_error(_: Request, err: ServiceError) -> JSONResponse:
        return service_error(err)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, err: RequestValidationError) -> JSONResponse:
        problems = [
            {"path": ".".join(str(part) for part in item["loc"]), "message": str(item["msg"])}
            for item in err.errors()
        ]
        message = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        return error_response(
            400, "VALIDATION_ERROR", f"The request is not valid: {message}", {"errors": problems}
        )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, err: HTTPException) -> JSONResponse:
        messages = {404: "There is nothing at this address", 405: "This method is not allowed here"}
        message = messages.get(err.status_code, str(err.detail))
        return error_response(err.status_code, f"HTTP_{err.status_code}", message)

    @app.exception_handler(DBAPIError)
    async def on_database_error(request: Request, err: DBAPIError) -> JSONResponse:
        return database_error(request, err)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(psycopg_pool.PoolTimeout)
    @app.exception_handler(ConnectorException)  # the job queue's wrapper of the same errors
    async def on_database_gone(request: Request, err: Exception) -> JSONResponse:
        return database_unavailable(request, err)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, err: Exception) -> JSONResponse:
        return crash(request, err)
