"""Triggers: the events that start a flow."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pieces.framework.context import TriggerContext
from pieces.framework.props import Prop


class TriggerStrategy(StrEnum):
    """How a trigger learns of events."""

    POLLING = "POLLING"
    WEBHOOK = "WEBHOOK"
    APP_WEBHOOK = "APP_WEBHOOK"


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """One trigger of a piece. `run` turns an event payload into the items that each start a run."""

    name: str
    display_name: str
    type: TriggerStrategy
    run: Callable[[TriggerContext], Awaitable[list[Any]]]
    description: str = ""
    props: Mapping[str, Prop] = field(default_factory=dict)
    sample_data: Any = None
