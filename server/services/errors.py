"""Service errors: a stable code, a message for people, and parameters; the API maps them to HTTP."""

from typing import Any


class ServiceError(Exception):
    """Base class of errors a caller of the API can cause."""

    code = "ERROR"

    def __init__(
        self, message: str, *, code: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        self.message = message
        self.params = params or {}
        if code:
            self.code = code
        super().__init__(message)


class InvalidRequestError(ServiceError):
    """The request is understood but its content is wrong (HTTP 400)."""

    code = "INVALID_REQUEST"


class AuthenticationError(ServiceError):
    """Missing, wrong or expired credentials (HTTP 401)."""

    code = "AUTHENTICATION"


class PermissionDeniedError(ServiceError):
    """The caller may not do this (HTTP 403)."""

    code = "PERMISSION_DENIED"


class NotFoundError(ServiceError):
    """The resource does not exist, or is not in a project the caller may see (HTTP 404)."""

    code = "NOT_FOUND"


class ConflictError(ServiceError):
    """The request conflicts with existing data (HTTP 409)."""

    code = "CONFLICT"


class TooManyRequestsError(ServiceError):
    """Too many attempts; try again later (HTTP 429)."""

    code = "TOO_MANY_REQUESTS"


class TooLargeError(ServiceError):
    """An upload or file is over its size limit (HTTP 413)."""

    code = "TOO_LARGE"


class StorageFailedError(ServiceError):
    """The file storage (S3) refused a request: bad keys, no bucket, ... (HTTP 502)."""

    code = "FILE_STORAGE_FAILED"


class StorageUnavailableError(ServiceError):
    """The file storage (S3) cannot be reached (HTTP 503)."""

    code = "FILE_STORAGE_UNAVAILABLE"
