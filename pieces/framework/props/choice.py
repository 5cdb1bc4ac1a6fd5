"""Choice props: static dropdowns, and dropdowns whose options a function loads."""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pieces.framework.props.base import Prop, PropValueError, describe


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One choice of a dropdown."""

    label: str
    value: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionsRequest:
    """What an options loader gets: the connection, the current values of the form, a search text."""

    auth: Any
    props: Mapping[str, Any]
    search: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DropdownState:
    """Loaded options; `disabled` with a `placeholder` says why there are none (e.g. not connected)."""

    options: tuple[Option, ...] = ()
    disabled: bool = False
    placeholder: str = ""


#: Loads the options of a Dropdown or MultiSelectDropdown.
OptionsLoader = Callable[[OptionsRequest], Awaitable[DropdownState]]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise PropValueError("is not a valid JSON list") from None
    if isinstance(value, list):
        return value
    raise PropValueError(f"expected a list of choices, got {describe(value)}")


def _static_options(options: tuple[Option, ...]) -> dict[str, Any]:
    return {"options": [{"label": o.label, "value": o.value} for o in options]}


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

    def extra_metadata(self) -> dict[str, Any]:
        return _static_options(self.options)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticMultiSelectDropdown(Prop):
    """Any number of values out of a fixed list of options."""

    kind: ClassVar[str] = "STATIC_MULTI_SELECT_DROPDOWN"
    options: tuple[Option, ...]

    def coerce(self, value: Any) -> Any:
        chosen = _as_list(value)
        allowed = [option.value for option in self.options]
        wrong = [v for v in chosen if v not in allowed]
        if wrong:
            raise PropValueError(
                f"has {', '.join(repr(v) for v in wrong)}, not among "
                f"{', '.join(repr(v) for v in allowed)}"
            )
        return chosen

    def extra_metadata(self) -> dict[str, Any]:
        return _static_options(self.options)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dropdown(Prop):
    """One value out of options loaded by `options` (e.g. from the vendor's API).

    The value is not checked against the options before `run` (loading them may need the network);
    the action gets what the user picked.

    Attributes:
        options: loads the options for the current connection and form values.
        refreshers: prop keys whose change reloads the options.
        searchable: the loader filters by `OptionsRequest.search`.
    """

    kind: ClassVar[str] = "DROPDOWN"
    options: OptionsLoader
    refreshers: tuple[str, ...] = ()
    searchable: bool = False

    def coerce(self, value: Any) -> Any:
        if isinstance(value, list | dict):
            raise PropValueError(f"expected one choice, got {describe(value)}")
        return value

    def extra_metadata(self) -> dict[str, Any]:
        return {"refreshers": list(self.refreshers), "searchable": self.searchable}


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiSelectDropdown(Prop):
    """Any number of values out of options loaded by `options`; see Dropdown."""

    kind: ClassVar[str] = "MULTI_SELECT_DROPDOWN"
    options: OptionsLoader
    refreshers: tuple[str, ...] = ()
    searchable: bool = False

    def coerce(self, value: Any) -> Any:
        return _as_list(value)

    def extra_metadata(self) -> dict[str, Any]:
        return {"refreshers": list(self.refreshers), "searchable": self.searchable}


async def load_options(
    prop: Dropdown | MultiSelectDropdown,
    *,
    auth: Any,
    props: Mapping[str, Any],
    search: str = "",
) -> DropdownState:
    """Loads a dropdown's options, as the server does when the form asks.

    Args:
        prop: the dropdown.
        auth: the chosen connection's value (None without one).
        props: the current form values (the refreshers among them).
        search: the text typed into a searchable dropdown.

    Returns:
        The options, or a disabled state with a placeholder saying why there are none.
    """
    return await prop.options(OptionsRequest(auth=auth, props=props, search=search))


__all__ = [
    "Dropdown",
    "DropdownState",
    "MultiSelectDropdown",
    "Option",
    "OptionsLoader",
    "OptionsRequest",
    "StaticDropdown",
    "StaticMultiSelectDropdown",
    "load_options",
]
