"""What an action or trigger sees when it runs: props, auth, store, files, HTTP, run controls."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx

from engine.model import Waitpoint, WaitpointType, WebhookResponse
from pieces.framework.files import Files, InMemoryFiles
from pieces.framework.http_client import create_http_client
from pieces.framework.network import NetworkPolicy
from pieces.framework.store import InMemoryStore, Store
from pieces.framework.subflows import NoSubflows, SubflowClient
from pieces.framework.waitpoints import (
    NoWaitpoints,
    WaitpointClient,
    WaitpointError,
    WaitpointHandle,
)


class ExecutionType(StrEnum):
    """A first execution of a step, or its resumption after a pause."""

    BEGIN = "BEGIN"
    RESUME = "RESUME"


class RunControls:
    """Lets a step answer the webhook caller, stop the run or pause it; the engine reads the
    verdict after the step."""

    __slots__ = (
        "_created",
        "_waitpoints",
        "id",
        "paused_on",
        "response",
        "step_path",
        "stopped",
        "waits_for",
    )

    def __init__(
        self,
        run_id: str,
        *,
        step_path: str = "",
        waitpoints: WaitpointClient | None = None,
    ) -> None:
        self.id = run_id
        self.response: WebhookResponse | None = None
        self.stopped = False
        #: The waitpoint the step waits for, once it called `wait_for_waitpoint`.
        self.paused_on: Waitpoint | None = None
        #: The id of a waitpoint created by an earlier step that this step waits for.
        self.waits_for: str | None = None
        #: The step's path in the run log (`loop_1[2].step_3` inside loops).
        self.step_path = step_path
        self._waitpoints: WaitpointClient = waitpoints or NoWaitpoints()
        self._created: dict[str, Waitpoint] = {}

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

    async def create_waitpoint(
        self,
        *,
        type: WaitpointType = WaitpointType.WEBHOOK,
        resume_at: datetime | None = None,
        response_to_send: WebhookResponse | None = None,
    ) -> WaitpointHandle:
        """Creates a waitpoint for this step: WEBHOOK resumes when its URL is called, DELAY at
        `resume_at`. `response_to_send` answers a synchronous webhook caller when the run pauses."""
        if type is WaitpointType.DELAY and resume_at is None:
            raise WaitpointError("A DELAY waitpoint needs resume_at, the time to resume at")
        waitpoint = await self._waitpoints.create(
            run_id=self.id,
            step_path=self.step_path,
            type=type,
            resume_at=resume_at,
            response_to_send=response_to_send,
        )
        self._created[waitpoint.id] = waitpoint
        return WaitpointHandle(id=waitpoint.id, resume_url=waitpoint.resume_url)

    def wait_for_waitpoint(self, waitpoint_id: str) -> None:
        """Pauses the run at this step until the waitpoint is resumed; the step then runs
        again with `execution_type` RESUME and the `resume_payload`."""
        waitpoint = self._created.get(waitpoint_id)
        if waitpoint is None:
            # Created by an earlier step (e.g. approval links): the engine looks it up.
            self.waits_for = waitpoint_id
            return
        self.paused_on = waitpoint

    async def settle(self) -> None:
        """Looks up a waitpoint an earlier step created, once the step asked to wait for it.

        Raises:
            WaitpointError: this run has no such waitpoint.
        """
        if self.waits_for is None:
            return
        found = await self._waitpoints.get(run_id=self.id, waitpoint_id=self.waits_for)
        if found is None:
            raise WaitpointError(
                f"This run has no waitpoint {self.waits_for!r}; wait for the id that "
                "create_waitpoint (or an approval links step) returned"
            )
        self.paused_on = found


class TriggerSchedule:
    """Lets a schedule trigger's `on_enable` say when the flow runs; the server reads it after."""

    __slots__ = ("cron_expression", "timezone")

    def __init__(self) -> None:
        self.cron_expression: str | None = None
        self.timezone = "UTC"

    def set(self, *, cron_expression: str, timezone: str = "UTC") -> None:
        """Runs the flow on this 5-field cron expression, in this IANA time zone."""
        self.cron_expression = cron_expression
        self.timezone = timezone


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerInfo:
    """Where the server that runs this flow can be reached."""

    public_url: str = ""


def default_http_client() -> httpx.AsyncClient:
    """A client under the policy of the environment (PW_NETWORK_MODE, PW_SSRF_ALLOW_LIST)."""
    return create_http_client(NetworkPolicy.from_env())


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionContext:
    """The context of one action execution.

    Attributes:
        step_name: the step's name in the flow.
        props: the validated input values by prop key.
        run: run controls (id, respond, stop).
        auth: the connection's value (shape set by the piece's auth), or None.
        store: the key-value store of this flow and project.
        files: where the step writes files for later steps, and reads references from.
        http: an httpx client that refuses blocked addresses; whoever builds the context closes it.
        execution_type: BEGIN, or RESUME after a pause.
        resume_payload: on RESUME, the `{body, headers, queryParams}` that resumed the run.
        webhook_url: the flow's webhook URL.
        server: where the server can be reached.
        subflows: starts other flows of the project and answers a calling flow.
    """

    step_name: str
    props: Mapping[str, Any]
    run: RunControls
    auth: Any = None
    store: Store = field(default_factory=InMemoryStore)
    files: Files = field(default_factory=InMemoryFiles)
    http: httpx.AsyncClient = field(default_factory=default_http_client)
    execution_type: ExecutionType = ExecutionType.BEGIN
    resume_payload: Any = None
    webhook_url: str = ""
    server: ServerInfo = field(default_factory=ServerInfo)
    subflows: SubflowClient = field(default_factory=NoSubflows)


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerContext:
    """The context of a trigger: turning an event payload into items, or enabling/disabling it.

    Attributes:
        props: the validated trigger props.
        payload: the event (a webhook request, a schedule tick, ...); None for on_enable/test.
        auth: the connection's value, or None.
        store: the flow's store (polling triggers keep their dedupe state here).
        files: see ActionContext.
        http: see ActionContext.
        webhook_url: the flow's webhook URL (APP_WEBHOOK and WEBHOOK triggers register it).
        server: where the server can be reached.
        schedule: where a schedule trigger's `on_enable` sets its cron expression.
    """

    props: Mapping[str, Any]
    payload: Any = None
    auth: Any = None
    store: Store = field(default_factory=InMemoryStore)
    files: Files = field(default_factory=InMemoryFiles)
    http: httpx.AsyncClient = field(default_factory=default_http_client)
    webhook_url: str = ""
    server: ServerInfo = field(default_factory=ServerInfo)
    schedule: TriggerSchedule = field(default_factory=TriggerSchedule)
