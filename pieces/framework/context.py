"""What an action or trigger sees when it runs: its props, auth, run controls and server info."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.model import WebhookResponse


class ExecutionType(StrEnum):
    """A first execution of a step, or its resumption after a pause."""

    BEGIN = "BEGIN"
    RESUME = "RESUME"


class RunControls:
    """Lets a step answer the webhook caller or stop the run; the engine reads the verdict after the step."""

    __slots__ = ("id", "response", "stopped")

    def __init__(self, run_id: str) -> None:
        self.id = run_id
        self.response: WebhookResponse | None = None
        self.stopped = False

    def respond(
        self, *, status: int = 200, headers: Mapping[str, str] | None = None, body: Any = None
    ) -> None:
        """Sets the response a synchronous webhook caller gets; the run goes on."""
        self.response = WebhookResponse(status=status, headers=dict(headers or {}), body=body)

    def stop(self, *, response: WebhookResponse | None = None) -> None:
        """Ends the run as SUCCEEDED after this step, optionally with a webhook response."""
        if response is not None:
            self.response = response
        self.stopped = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerInfo:
    """Where the server that runs this flow can be reached."""

    public_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionContext:
    """The context of one action execution."""

    step_name: str
    props: Mapping[str, Any]
    run: RunControls
    auth: Any = None
    execution_type: ExecutionType = ExecutionType.BEGIN
    server: ServerInfo = field(default_factory=ServerInfo)


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerContext:
    """The context of a trigger turning an event payload into the flow's trigger output."""

    props: Mapping[str, Any]
    payload: Any
    auth: Any = None
    webhook_url: str = ""
    server: ServerInfo = field(default_factory=ServerInfo)
