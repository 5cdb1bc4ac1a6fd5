"""Ready-made custom validators for props (`validators=(min_value(1), ...)`)."""

import re
from typing import Any
from urllib.parse import urlsplit

from pieces.framework.props.base import Validator


def min_value(minimum: float) -> Validator:
    """The number is at least `minimum`."""

    def check(value: Any) -> str | None:
        return None if value >= minimum else f"must be at least {minimum}, got {value}"

    return check


def max_value(maximum: float) -> Validator:
    """The number is at most `maximum`."""

    def check(value: Any) -> str | None:
        return None if value <= maximum else f"must be at most {maximum}, got {value}"

    return check


def max_length(limit: int) -> Validator:
    """The text or list has at most `limit` characters or items."""

    def check(value: Any) -> str | None:
        return None if len(value) <= limit else f"must be at most {limit} long, got {len(value)}"

    return check


def pattern(regex: str, *, hint: str) -> Validator:
    """The whole text matches `regex`; `hint` says in words what is expected."""
    compiled = re.compile(regex)

    def check(value: Any) -> str | None:
        return None if compiled.fullmatch(str(value)) else f"must be {hint}, got {value!r}"

    return check


def url() -> Validator:
    """The text is an absolute http(s) URL."""

    def check(value: Any) -> str | None:
        parts = urlsplit(str(value))
        if parts.scheme in {"http", "https"} and parts.netloc:
            return None
        return f"must be an http(s) URL, got {value!r}"

    return check


#: The text looks like an e-mail address.
email = pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", hint="an e-mail address")
