"""Validation of an action's or trigger's input values against its props, before `run`."""

from collections.abc import Mapping
from typing import Any

from pieces.framework.errors import PropsValidationError
from pieces.framework.props.base import Prop, PropValueError


def validate_props(props: Mapping[str, Prop], values: Mapping[str, Any]) -> dict[str, Any]:
    """Checks and converts input values against props, before an action or trigger runs.

    Args:
        props: the action's or trigger's props by key.
        values: the resolved input values by key.

    Returns:
        The converted values, defaults filled in; display-only props (Markdown) are left out.

    Raises:
        PropsValidationError: one message per prop key that is missing or wrong.
    """
    result: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, prop in props.items():
        if not prop.has_value:
            continue
        value = values.get(key)
        if value is None or value == "":
            if prop.required and prop.default is None:
                errors[key] = f"{prop.display_name} is required"
            else:
                result[key] = prop.default
            continue
        try:
            result[key] = prop.check(value)
        except PropValueError as err:
            errors[key] = f"{prop.display_name} {err}"
    for key in values.keys() - props.keys():
        errors[key] = "is not an input of this step"
    if errors:
        raise PropsValidationError(errors)
    return result
