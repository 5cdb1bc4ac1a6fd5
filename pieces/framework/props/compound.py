"""Compound props: arrays (of text or of sub-props), dynamic properties and custom props."""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pieces.framework.errors import PropsValidationError
from pieces.framework.props.base import Prop, PropValueError, describe
from pieces.framework.props.basic import ShortText
from pieces.framework.props.choice import OptionsRequest
from pieces.framework.props.validation import validate_props

_TEXT = ShortText(display_name="Item")


@dataclass(frozen=True, slots=True, kw_only=True)
class Array(Prop):
    """A list: of text items, or (with `items`) of objects whose fields are sub-props.

    Each item is validated on its own; an error names the item's position (counting from 1).
    """

    kind: ClassVar[str] = "ARRAY"
    items: Mapping[str, Prop] | None = None

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str) and value.lstrip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise PropValueError("is not a valid JSON list") from None
        if not isinstance(value, list):
            raise PropValueError(f"expected a list, got {describe(value)}")
        return [self._item(index, item) for index, item in enumerate(value, start=1)]

    def _item(self, index: int, item: Any) -> Any:
        if self.items is None:
            try:
                return _TEXT.coerce(item)
            except PropValueError as err:
                raise PropValueError(f"item {index} {err}") from None
        if not isinstance(item, dict):
            raise PropValueError(f"item {index} expected an object, got {describe(item)}")
        try:
            return validate_props(self.items, item)
        except PropsValidationError as err:
            raise PropValueError(f"item {index}: {err.message}") from None

    def extra_metadata(self) -> dict[str, Any]:
        if self.items is None:
            return {}
        return {"properties": {key: prop.metadata() for key, prop in self.items.items()}}


#: Builds the props of a DynamicProperties field from the connection and the current form values.
PropsLoader = Callable[[OptionsRequest], Awaitable[Mapping[str, Prop]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicProperties(Prop):
    """A group of fields that depends on other values (e.g. the columns of a chosen table).

    The value is an object; `resolve` validates it against the props built for the form values.
    """

    kind: ClassVar[str] = "DYNAMIC"
    props: PropsLoader
    refreshers: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        raise PropValueError(f"expected an object of fields, got {describe(value)}")

    async def resolve(self, value: Mapping[str, Any], *, request: OptionsRequest) -> dict[str, Any]:
        """Validates the group's value against the props built for this request.

        Fields the built props do not have are dropped: they are left over from other values
        (e.g. a token after switching to basic auth).

        Raises:
            PropsValidationError: one message per wrong field of the group.
        """
        built = await self.props(request)
        return validate_props(built, {k: v for k, v in value.items() if k in built})

    def extra_metadata(self) -> dict[str, Any]:
        return {"refreshers": list(self.refreshers)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Custom(Prop):
    """Any value, checked by the prop's validators; the desktop shows a plain JSON editor."""

    kind: ClassVar[str] = "CUSTOM"
