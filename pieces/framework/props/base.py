"""The base prop: common fields, custom validators, and the metadata every prop exports."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from engine.model.pieces import PropSchema

#: A custom validator: returns what is wrong with a (converted) value, or None when it is fine.
Validator = Callable[[Any], str | None]


class PropValueError(ValueError):
    """A single value does not fit its prop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Prop:
    """An input of an action or trigger. Subclasses say how a value is checked and converted.

    Attributes:
        display_name: the label of the field.
        description: help text under the field.
        required: a missing value is an error (unless there is a default).
        default: the value used when none is given.
        validators: custom checks run after conversion, in order; the first message wins.
    """

    kind: ClassVar[str] = "PROP"
    #: Display-only props (Markdown) carry no value and are left out of the validated input.
    has_value: ClassVar[bool] = True
    display_name: str
    description: str = ""
    required: bool = False
    default: Any = None
    validators: tuple[Validator, ...] = ()

    def coerce(self, value: Any) -> Any:
        """Returns the value in this prop's type, or raises PropValueError saying what is wrong."""
        return value

    def check(self, value: Any) -> Any:
        """Converts the value, then runs the custom validators.

        Raises:
            PropValueError: the value does not fit; the message reads after the display name.
        """
        converted = self.coerce(value)
        for validator in self.validators:
            problem = validator(converted)
            if problem:
                raise PropValueError(problem)
        return converted

    def metadata(self) -> PropSchema:
        """This prop as it appears in the piece metadata."""
        return PropSchema(
            type=self.kind,
            display_name=self.display_name,
            description=self.description,
            required=self.required,
            default_value=self.default,
            **self.extra_metadata(),
        )

    def extra_metadata(self) -> dict[str, Any]:
        """Kind-specific metadata fields; subclasses add theirs."""
        return {}


def describe(value: Any) -> str:
    """Names the kind of a value for error messages: 'a list', 'an int', 'nothing'."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
