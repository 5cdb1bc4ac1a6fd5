"""Validation before `run` including DynamicProperties, whose fields depend on other values."""

from collections.abc import Mapping
from typing import Any

from pieces.framework.errors import PropsValidationError
from pieces.framework.props.base import Prop
from pieces.framework.props.choice import OptionsRequest
from pieces.framework.props.compound import DynamicProperties
from pieces.framework.props.validation import validate_props


async def validate_input(
    props: Mapping[str, Prop], values: Mapping[str, Any], *, auth: Any = None
) -> dict[str, Any]:
    """Like `validate_props`, then validates each DynamicProperties value against the fields
    built for the other values (so `run` gets them converted, defaults filled in).

    Args:
        props: the action's or trigger's props by key.
        values: the resolved input values by key.
        auth: the step's connection value, for building dynamic fields.

    Raises:
        PropsValidationError: one message per prop key; a dynamic group's message names its
            wrong fields.
    """
    result = validate_props(props, values)
    errors: dict[str, str] = {}
    request = OptionsRequest(auth=auth, props=result)
    for key, prop in props.items():
        if not isinstance(prop, DynamicProperties) or result.get(key) is None:
            continue
        try:
            result[key] = await prop.resolve(result[key], request=request)
        except PropsValidationError as err:
            errors[key] = f"{prop.display_name}: {err.message}"
    if errors:
        raise PropsValidationError(errors)
    return result
