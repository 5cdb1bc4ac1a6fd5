"""Props: the typed inputs of actions and triggers, and their validation before `run`."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pieces.framework.errors import PropsValidationError


class PropValueError(ValueError):
    """A single value does not fit its prop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Prop:
    """An input of an action or trigger. Subclasses say how a value is checked and converted."""

    kind: ClassVar[str] = "PROP"
    display_name: str
    description: str = ""
    required: bool = False
    default: Any = None

    def coerce(self, value: Any) -> Any:
        """Returns the value in this prop's type, or raises PropValueError saying what is wrong."""
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortText(Prop):
    """One line of text."""

    kind: ClassVar[str] = "SHORT_TEXT"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float | bool):
            return json.dumps(value)
        raise PropValueError(f"expected text, got {_kind(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class LongText(ShortText):
    """Multi-line text."""

    kind: ClassVar[str] = "LONG_TEXT"


@dataclass(frozen=True, slots=True, kw_only=True)
class Number(Prop):
    """A number; numeric text is accepted."""

    kind: ClassVar[str] = "NUMBER"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise PropValueError("expected a number, got a boolean")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise PropValueError(f"expected a number, got {value!r}") from None
            return int(number) if number.is_integer() else number
        raise PropValueError(f"expected a number, got {_kind(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkbox(Prop):
    """A boolean; 'true'/'false' text is accepted."""

    kind: ClassVar[str] = "CHECKBOX"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise PropValueError(f"expected true or false, got {_kind(value)}")


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
    """A dictionary of text keys to values."""

    kind: ClassVar[str] = "OBJECT"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        raise PropValueError(f"expected an object of keys and values, got {_kind(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One choice of a dropdown."""

    label: str
    value: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticDropdown(Prop):
    """One value out of a fixed list of options."""

    kind: ClassVar[str] = "STATIC_DROPDOWN"
    options: tuple[Option, ...]

    def coerce(self, value: Any) -> Any:
        allowed = [option.value for option in self.options]
        if value in allowed:
            return value
        raise PropValueError(f"{value!r} is not one of {', '.join(repr(v) for v in allowed)}")


def validate_props(props: Mapping[str, Prop], values: Mapping[str, Any]) -> dict[str, Any]:
    """Checks and converts input values against props, before an action or trigger runs.

    Args:
        props: the action's or trigger's props by key.
        values: the resolved input values by key.

    Returns:
        The converted values, defaults filled in.

    Raises:
        PropsValidationError: one message per prop key that is missing or wrong.
    """
    result: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, prop in props.items():
        value = values.get(key)
        if value is None or value == "":
            if prop.required and prop.default is None:
                errors[key] = f"{prop.display_name} is required"
            else:
                result[key] = prop.default
            continue
        try:
            result[key] = prop.coerce(value)
        except PropValueError as err:
            errors[key] = f"{prop.display_name} {err}"
    for key in values.keys() - props.keys():
        errors[key] = "is not an input of this step"
    if errors:
        raise PropsValidationError(errors)
    return result


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
