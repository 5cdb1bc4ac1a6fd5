"""Scalar and free-form props: text, numbers, booleans, dates, JSON, objects, files, Markdown."""

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from pieces.framework.props.base import Prop, PropValueError, describe

#: Reference prefix of files written through `ctx.files`; such references are valid File values.
FILE_REFERENCE_PREFIX = "pw-file://"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortText(Prop):
    """One line of text; numbers and booleans are written as text."""

    kind: ClassVar[str] = "SHORT_TEXT"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float | bool):
            return json.dumps(value)
        raise PropValueError(f"expected text, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class LongText(ShortText):
    """Multi-line text."""

    kind: ClassVar[str] = "LONG_TEXT"


@dataclass(frozen=True, slots=True, kw_only=True)
class Number(Prop):
    """A finite number; numeric text is accepted and whole numbers become ints."""

    kind: ClassVar[str] = "NUMBER"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise PropValueError("expected a number, got a boolean")
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise PropValueError(f"expected a finite number, got {value}")
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("+-").isdigit():
                return int(text)
            try:
                number = float(text)
            except ValueError:
                raise PropValueError(f"expected a number, got {value!r}") from None
            if not math.isfinite(number):
                raise PropValueError(f"expected a finite number, got {value!r}")
            return int(number) if number.is_integer() and "." not in text else number
        raise PropValueError(f"expected a number, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkbox(Prop):
    """A boolean; 'true'/'false' text is accepted."""

    kind: ClassVar[str] = "CHECKBOX"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        raise PropValueError(f"expected true or false, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class DateTime(Prop):
    """A date or date-time in ISO 8601 ('2026-01-31', '2026-01-31T09:00:00Z'); kept as ISO text."""

    kind: ClassVar[str] = "DATE_TIME"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise PropValueError(
                    f"expected an ISO 8601 date such as 2026-01-31T09:00:00Z, got {value!r}"
                ) from None
        raise PropValueError(f"expected a date, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Json(Prop):
    """Any JSON value; text is parsed as JSON."""

    kind: ClassVar[str] = "JSON"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as err:
                raise PropValueError(
                    f"is not valid JSON ({err.msg} at line {err.lineno} column {err.colno})"
                ) from None
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Object(Prop):
    """A dictionary of text keys to values; JSON object text is accepted."""

    kind: ClassVar[str] = "OBJECT"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise PropValueError("is not a valid JSON object") from None
        if isinstance(value, dict):
            return value
        raise PropValueError(f"expected an object of keys and values, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class File(Prop):
    """A file: a reference written by an earlier step (`pw-file://...`) or an http(s) URL."""

    kind: ClassVar[str] = "FILE"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(
            (FILE_REFERENCE_PREFIX, "http://", "https://")
        ):
            return value
        shown = repr(value[:60]) if isinstance(value, str) else describe(value)
        raise PropValueError(
            f"expected a file reference from an earlier step or an http(s) URL, got {shown}"
        )


class MarkdownVariant(StrEnum):
    """How a Markdown note is framed in the form."""

    INFO = "INFO"
    WARNING = "WARNING"
    TIP = "TIP"
    BORDERLESS = "BORDERLESS"


@dataclass(frozen=True, slots=True, kw_only=True)
class Markdown(Prop):
    """Help text shown in the form, not an input. `{{webhookUrl}}` is replaced by the flow's URL."""

    kind: ClassVar[str] = "MARKDOWN"
    has_value: ClassVar[bool] = False
    display_name: str = ""
    value: str
    variant: MarkdownVariant = MarkdownVariant.INFO

    def render(self, *, webhook_url: str) -> str:
        """The text with `{{webhookUrl}}` filled in."""
        return self.value.replace("{{webhookUrl}}", webhook_url)

    def extra_metadata(self) -> dict[str, Any]:
        return {"value": self.value, "variant": self.variant.value}
