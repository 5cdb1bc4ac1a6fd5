"""Props: the typed inputs of actions and triggers, their metadata, and validation before `run`."""

from pieces.framework.props import validators
from pieces.framework.props.base import Prop, PropValueError, Validator
from pieces.framework.props.basic import (
    FILE_REFERENCE_PREFIX,
    Checkbox,
    DateTime,
    File,
    Json,
    LongText,
    Markdown,
    MarkdownVariant,
    Number,
    Object,
    ShortText,
)
from pieces.framework.props.choice import (
    Dropdown,
    DropdownState,
    MultiSelectDropdown,
    Option,
    OptionsLoader,
    OptionsRequest,
    StaticDropdown,
    StaticMultiSelectDropdown,
    load_options,
)
from pieces.framework.props.compound import Array, Custom, DynamicProperties, PropsLoader
from pieces.framework.props.resolution import validate_input
from pieces.framework.props.validation import validate_props

__all__ = [
    "FILE_REFERENCE_PREFIX",
    "Array",
    "Checkbox",
    "Custom",
    "DateTime",
    "Dropdown",
    "DropdownState",
    "DynamicProperties",
    "File",
    "Json",
    "LongText",
    "Markdown",
    "MarkdownVariant",
    "MultiSelectDropdown",
    "Number",
    "Object",
    "Option",
    "OptionsLoader",
    "OptionsRequest",
    "Prop",
    "PropValueError",
    "PropsLoader",
    "ShortText",
    "StaticDropdown",
    "StaticMultiSelectDropdown",
    "Validator",
    "load_options",
    "validate_input",
    "validate_props",
    "validators",
]
