"""Actions: what a piece can do as a step."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pieces.framework.context import ActionContext
from pieces.framework.props import Prop


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One action of a piece; `name` is its stable key and equals its module name.

    Attributes:
        name: the stable key.
        display_name: the title in the piece selector.
        description: one sentence on what it does.
        props: the inputs by key.
        run: does the work and returns the step output (JSON).
        require_auth: when the piece has auth, the step needs a connection.
        effects: whether it may change something outside the run (send, write, charge). False
            for actions that only compute their output from their input: running one again
            after a crash does no harm, so the engine does not save the steps before it first.
    """

    name: str
    display_name: str
    description: str = ""
    props: Mapping[str, Prop] = field(default_factory=dict)
    run: Callable[[ActionContext], Awaitable[Any]]
    require_auth: bool = True
    effects: bool = True
