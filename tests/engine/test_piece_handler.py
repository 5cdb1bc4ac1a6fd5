"""The PIECE handler runs core pieces with a store, files and a policy-checked HTTP client."""

import httpx
import pytest

from engine.model import RunStatus, StepStatus
from engine.runtime.executor import FlowExecutor
from engine.runtime.run_resources import RunResources
from pieces.framework import InMemoryFiles, InMemoryStore, NetworkPolicy, http_client
from tests.engine.builders import flow, request
from tests.engine.builders import piece as piece_step


async def test_store_values_written_by_one_step_are_read_by_the_next(
    executor: FlowExecutor,
) -> None:
    steps = flow(
        piece_step("sum", "math_helper", "add", first_number="{{trigger.body.a}}", second_number=2),
        piece_step("save", "store", "put", key="total", value="{{sum}}"),
        piece_step("load", "store", "get", key="total"),
    )
    result = await executor.execute(steps, run_id="r1", trigger_payload=request({"a": 40}))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert [r.output for r in result.steps[1:]] == [42, 42, 42]


async def test_wrong_prop_value_fails_the_step_naming_the_prop(executor: FlowExecutor) -> None:
    steps = flow(piece_step("sum", "math_helper", "add", first_number="two", second_number=2))
    result = await executor.execute(steps, run_id="r2", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.steps[-1].status == StepStatus.FAILED
    assert result.error_message == (
        "Step 'sum' failed: first_number: First number expected a number, got 'two'"
    )


async def test_http_step_cannot_reach_loopback_in_strict_mode(executor: FlowExecutor) -> None:
    steps = flow(piece_step("call", "http", "send_request", url="http://127.0.0.1:9/"))
    result = await executor.execute(steps, run_id="r3", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.error_message is not None
    assert "127.0.0.1 are blocked" in result.error_message
    assert "Traceback" not in result.error_message


async def test_runs_do_not_share_their_default_store(executor: FlowExecutor) -> None:
    writes = flow(piece_step("save", "store", "put", key="k", value="secret"))
    reads = flow(piece_step("load", "store", "get", key="k", defaultValue="unset"))
    await executor.execute(writes, run_id="writer", trigger_payload=request({}))
    result = await executor.execute(reads, run_id="reader", trigger_payload=request({}))
    assert result.steps[-1].output == "unset"


def test_run_resources_keep_the_most_recent_runs() -> None:
    resources = RunResources(max_runs=2)
    first = resources.for_run("a")
    second = resources.for_run("b")
    assert resources.for_run("a") is first
    resources.for_run("c")
    assert resources.for_run("a") is first
    assert resources.for_run("b") is not second


def test_attached_resources_serve_their_run_until_the_block_ends() -> None:
    resources = RunResources()
    store, files = InMemoryStore(flow_id="f", project_id="p"), InMemoryFiles()
    with resources.attached("run", store=store, files=files):
        assert resources.for_run("run") == (store, files)
        assert resources.for_run("other")[0] is not store
    assert resources.for_run("run")[0] is not store


async def test_a_connection_on_a_piece_without_auth_is_refused(executor: FlowExecutor) -> None:
    steps = flow(
        piece_step("sum", "math_helper", "add", auth="key", first_number=1, second_number=2)
    )
    result = await executor.execute(steps, run_id="r4", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.error_message == (
        "Step 'sum' failed: piece 'math_helper' takes no connection; remove it from the step"
    )


async def test_an_execution_makes_an_http_client_only_when_a_step_sends_a_request(
    executor: FlowExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    real = http_client.create_http_client

    def counted(policy: NetworkPolicy) -> httpx.AsyncClient:
        made.append(policy)
        return real(policy)

    monkeypatch.setattr(http_client, "create_http_client", counted)
    quiet = flow(piece_step("sum", "math_helper", "add", first_number=1, second_number=2))
    result = await executor.execute(quiet, run_id="quiet", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert made == []  # a client costs ~0.4 ms: none for steps that send nothing
    calling = flow(piece_step("call", "http", "send_request", url="http://127.0.0.1:9/"))
    await executor.execute(calling, run_id="calling", trigger_payload=request({}))
    assert len(made) == 1
