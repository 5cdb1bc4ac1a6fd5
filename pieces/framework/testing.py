"""The test harness: runs an action or trigger the way the engine does, with a fake context.

Props are validated first (so a test sees the same field errors a user would), the store and
files are in memory, and `ctx.http` applies the network policy given (STRICT by default; a test
that talks to a local server passes `NetworkPolicy(allow_list=("127.0.0.1",))`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pieces.framework.action import Action
from pieces.framework.context import (
    ActionContext,
    ExecutionType,
    RunControls,
    ServerInfo,
    TriggerContext,
    TriggerSchedule,
)
from pieces.framework.files import Files, InMemoryFiles
from pieces.framework.http_client import create_http_client
from pieces.framework.network import NetworkPolicy
from pieces.framework.props import validate_input, validate_props
from pieces.framework.store import InMemoryStore, Store
from pieces.framework.subflows import NoSubflows, SubflowClient
from pieces.framework.trigger import Trigger
from pieces.framework.waitpoints import LocalWaitpoints, WaitpointClient

#: The webhook URL the fake context carries.
TEST_WEBHOOK_URL = "http://127.0.0.1:8080/api/v1/webhooks/test-flow"


def RecordingWaitpoints() -> LocalWaitpoints:
    """Waitpoints for harness runs, kept in `.created`, with the fake context's server URL."""
    return LocalWaitpoints(public_url="http://127.0.0.1:8080")


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResult:
    """What an action returned, and what it asked of the run (response, stop)."""

    output: Any
    run: RunControls


async def run_action(
    action: Action,
    props: Mapping[str, Any] | None = None,
    *,
    auth: Any = None,
    store: Store | None = None,
    files: Files | None = None,
    network: NetworkPolicy | None = None,
    execution_type: ExecutionType = ExecutionType.BEGIN,
    resume_payload: Any = None,
    waitpoints: WaitpointClient | None = None,
    subflows: SubflowClient | None = None,
) -> ActionResult:
    """Validates `props` against the action's props and runs it.

    Args:
        action: the action under test.
        props: the input values, as a flow step would resolve them.
        auth: the connection value.
        store: a store to share between calls (a fresh in-memory one by default).
        files: files to share between calls (fresh in-memory ones by default).
        network: the network policy of `ctx.http` (STRICT by default).
        execution_type: BEGIN or RESUME.
        resume_payload: what resumed the run, for RESUME.
        waitpoints: where waitpoints are created (a fresh RecordingWaitpoints by default).
        subflows: what starts other flows (none by default: calling one is an error).

    Raises:
        PropsValidationError: the values do not fit the props.
    """
    values = await validate_input(action.props, props or {}, auth=auth)
    controls = RunControls(
        "test-run", step_path="test_step", waitpoints=waitpoints or RecordingWaitpoints()
    )
    async with create_http_client(network or NetworkPolicy()) as http:
        ctx = ActionContext(
            step_name="test_step",
            props=values,
            run=controls,
            auth=auth,
            store=store if store is not None else InMemoryStore(),
            files=files if files is not None else InMemoryFiles(),
            http=http,
            execution_type=execution_type,
            resume_payload=resume_payload,
            subflows=subflows or NoSubflows(),
            webhook_url=TEST_WEBHOOK_URL,
            server=ServerInfo(public_url="http://127.0.0.1:8080"),
        )
        output = await action.run(ctx)
    await controls.settle()
    return ActionResult(output=output, run=controls)


async def run_trigger(
    trigger: Trigger,
    props: Mapping[str, Any] | None = None,
    *,
    payload: Any = None,
    auth: Any = None,
    store: Store | None = None,
    network: NetworkPolicy | None = None,
) -> list[Any]:
    """Validates `props` and runs the trigger on one event payload; returns its items."""
    values = await validate_input(trigger.props, props or {}, auth=auth)
    async with create_http_client(network or NetworkPolicy()) as http:
        ctx = TriggerContext(
            props=values,
            payload=payload,
            auth=auth,
            store=store if store is not None else InMemoryStore(),
            http=http,
            webhook_url=TEST_WEBHOOK_URL,
        )
        return await trigger.run(ctx)


async def enable_trigger(
    trigger: Trigger,
    props: Mapping[str, Any] | None = None,
    *,
    auth: Any = None,
    store: Store | None = None,
) -> TriggerSchedule:
    """Validates `props` and runs the trigger's `on_enable`, as publishing a flow does.

    Returns:
        The schedule the trigger set (cron_expression None if it set none).
    """
    values = validate_props(trigger.props, props or {})
    schedule = TriggerSchedule()
    if trigger.on_enable is not None:
        async with create_http_client(NetworkPolicy()) as http:
            ctx = TriggerContext(
                props=values,
                auth=auth,
                store=store if store is not None else InMemoryStore(),
                http=http,
                webhook_url=TEST_WEBHOOK_URL,
                schedule=schedule,
            )
            await trigger.on_enable(ctx)
    return schedule
