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


def install_error_handlers(app: FastAPI) -> None:
    """Maps service errors, validation errors, HTTP errors and crashes to JSON error bodies."""

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, err: ServiceError) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(err, kind)), 400)
        return error_response(status, err.code, err.message, err.params)

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
    async def database_error(request: Request, err: DBAPIError) -> JSONResponse:
        if err.connection_invalidated or isinstance(
            err.orig, psycopg.OperationalError | psycopg.InterfaceError
        ):
            return database_unavailable(request, err)
        if isinstance(err.orig, psycopg.DataError):
            # A value the database cannot store (a NUL character, a number out of range): the caller's input.
            reason = str(err.orig).strip().splitlines()[0]
            return error_response(
                400, "INVALID_VALUE", f"The request has a value that cannot be stored: {reason}"
            )
        return await crash(request, err)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(psycopg_pool.PoolTimeout)
    @app.exception_handler(ConnectorException)  # the job queue's wrapper of the same errors
    async def database_gone(request: Request, err: Exception) -> JSONResponse:
        return database_unavailable(request, err)

    @app.exception_handler(Exception)
    async def crash(request: Request, err: Exception) -> JSONResponse:
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
