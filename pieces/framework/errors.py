"""Errors pieces and the framework raise; each has a stable code and a message for people."""


class PieceError(Exception):
    """Base class: a piece could not do what was asked."""

    code = "PIECE_ERROR"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class PropsValidationError(PieceError):
    """Input values do not fit the props; `errors` maps each prop key to what is wrong."""

    code = "INVALID_INPUT"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in errors.items()))


class PieceNotFoundError(PieceError):
    """No installed piece (or piece version, action, trigger) has that name."""

    code = "PIECE_NOT_FOUND"


class AuthError(PieceError):
    """A connection value does not fit the piece's auth, or the service refused it."""

    code = "INVALID_CONNECTION"
