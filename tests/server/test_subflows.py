"""Subflows on the real server: a flow calls another and waits for its response."""

from pathlib import Path

import httpx

from engine.model import Flow, PieceStep, PieceTrigger, PieceTriggerSettings
from tests.engine.builders import code, flow, piece, respond
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import finished_run, publish


def callable_flow(*steps: PieceStep) -> Flow:
    trigger = PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="subflows", piece_version="0.1.0", trigger_name="callable_flow"
        )
    )
    return Flow(display_name="Child", trigger=trigger, steps=list(steps))


async def publish_child(api: httpx.AsyncClient, owner: User) -> str:
    child = callable_flow(
        code("double", "export const code = async (i) => i.n * 2", n="{{trigger.data.n}}"),  # type: ignore[arg-type]
        piece("answer", "subflows", "return_response", response={"doubled": "{{double}}"}),
    )
    return await publish(api, owner, child.model_dump(mode="json"))


async def test_a_flow_calls_another_and_answers_with_its_response(
    api: httpx.AsyncClient, owner: User
) -> None:
    child_id = await publish_child(api, owner)
    parent_id = await publish(
        api,
        owner,
        flow(
            piece(
                "call",
                "subflows",
                "call_flow",
                flow=child_id,
                payload={"n": "{{trigger.body.n}}"},
                waitForResponse=True,
            ),
            respond("answer", body="{{call}}"),
        ).model_dump(mode="json"),
    )
    answer = await api.post(f"/webhooks/{parent_id}/sync", json={"n": 21}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"doubled": 42}


async def test_fire_and_forget_returns_the_called_run(api: httpx.AsyncClient, owner: User) -> None:
    child_id = await publish_child(api, owner)
    parent_id = await publish(
        api,
        owner,
        flow(piece("call", "subflows", "call_flow", flow=child_id, payload={"n": 5})).model_dump(
            mode="json"
        ),
    )
    run_id = (await api.post(f"/webhooks/{parent_id}", json={})).json()["runId"]
    parent = await finished_run(api, owner, run_id)
    assert parent["status"] == "SUCCEEDED", parent
    child = await finished_run(api, owner, parent["steps"]["call"]["output"]["runId"])
    assert child["status"] == "SUCCEEDED"
    assert child["steps"]["answer"]["output"] == {"response": {"doubled": 10}, "delivered": False}


async def test_flows_of_other_projects_and_plain_flows_cannot_be_called(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, allow_sign_up=True) as api:
        owner = await sign_up(api)
        stranger = await sign_up(api, email="other@example.com")
        await _refused(api, owner, stranger)


async def _refused(api: httpx.AsyncClient, owner: User, stranger: User) -> None:
    foreign_id = await publish_child(api, stranger)
    plain_id = await publish(api, owner, flow(respond("r", body=1)).model_dump(mode="json"))
    for target, message in (
        (foreign_id, "No published, enabled flow"),
        (plain_id, "does not start with Callable Flow"),
    ):
        parent_id = await publish(
            api,
            owner,
            flow(piece("call", "subflows", "call_flow", flow=target)).model_dump(mode="json"),
        )
        run_id = (await api.post(f"/webhooks/{parent_id}", json={})).json()["runId"]
        run = await finished_run(api, owner, run_id)
        assert run["status"] == "FAILED"
        assert message in run["steps"]["call"]["errorMessage"]
