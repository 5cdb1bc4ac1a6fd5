"""The test harness validates props first and gives actions a working store, files and client."""

from typing import Any

import pytest

from pieces.framework import (
    Action,
    ActionContext,
    BlockedAddressError,
    ExecutionType,
    HandshakeConfig,
    HandshakeStrategy,
    InMemoryStore,
    Number,
    PropsValidationError,
    Trigger,
    TriggerContext,
    TriggerStrategy,
)
from pieces.framework.testing import TEST_WEBHOOK_URL, run_action, run_trigger


async def _count(ctx: ActionContext) -> dict[str, Any]:
    total = (await ctx.store.get("count") or 0) + ctx.props["by"]
    await ctx.store.put("count", total)
    reference = await ctx.files.write(name="n.txt", data=str(total).encode())
    return {
        "total": total,
        "file": (await ctx.files.read(reference)).data.decode(),
        "resumed": ctx.execution_type is ExecutionType.RESUME,
        "payload": ctx.resume_payload,
        "webhook": ctx.webhook_url,
    }


COUNT = Action(
    name="count", display_name="Count", props={"by": Number(display_name="By")}, run=_count
)


async def test_actions_share_a_store_across_runs() -> None:
    store = InMemoryStore()
    await run_action(COUNT, {"by": 2}, store=store)
    result = await run_action(
        COUNT,
        {"by": "3"},
        store=store,
        execution_type=ExecutionType.RESUME,
        resume_payload={"body": 1},
    )
    assert result.output == {
        "total": 5,
        "file": "5",
        "resumed": True,
        "payload": {"body": 1},
        "webhook": TEST_WEBHOOK_URL,
    }


async def test_props_are_validated_before_run() -> None:
    with pytest.raises(PropsValidationError, match="By expected a number"):
        await run_action(COUNT, {"by": "two"})


async def test_http_is_strict_by_default() -> None:
    async def fetch(ctx: ActionContext) -> int:
        return (await ctx.http.get("http://127.0.0.1:9/")).status_code

    with pytest.raises(BlockedAddressError):
        await run_action(Action(name="fetch", display_name="Fetch", run=fetch))


async def test_trigger_runs_on_a_payload() -> None:
    async def echo(ctx: TriggerContext) -> list[Any]:
        return [ctx.payload, ctx.webhook_url]

    trigger = Trigger(name="t", display_name="T", type=TriggerStrategy.WEBHOOK, run=echo)
    assert await run_trigger(trigger, payload={"a": 1}) == [{"a": 1}, TEST_WEBHOOK_URL]


def test_handshake_config_recognises_verification_requests() -> None:
    header = HandshakeConfig(strategy=HandshakeStrategy.HEADER_PRESENT, param_name="X-Hook-Secret")
    query = HandshakeConfig(strategy=HandshakeStrategy.QUERY_PRESENT, param_name="challenge")
    body = HandshakeConfig(strategy=HandshakeStrategy.BODY_PARAM_PRESENT, param_name="challenge")
    assert header.matches({"headers": {"x-hook-secret": "s"}})
    assert query.matches({"queryParams": {"challenge": "c"}})
    assert body.matches({"body": {"challenge": "c"}})
    assert not body.matches({"body": "challenge"})
    assert not HandshakeConfig().matches({"headers": {"x": "y"}})
