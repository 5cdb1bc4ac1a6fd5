"""Test runs from the builder: `POST /flows/{id}/test` and `/test-step`, through the real queue
and worker, with sample data standing in for earlier steps and tested outputs kept as samples."""

from typing import Any

import httpx

from tests.engine.builders import branch, code, flow, router, when
from tests.server.conftest import User
from tests.server.helpers import create, finished_run

#: A step whose output differs on every run: seeing the sample's value proves it did not run.
RANDOM = "export const code = async () => ({ value: Math.random() })"


async def draft(api: httpx.AsyncClient, owner: User, *steps: Any) -> str:
    """A flow whose draft (never published) has these steps after a webhook trigger."""
    flow_id = str((await create(api, owner))["id"])
    document = flow(*steps).model_dump(mode="json")
    response = await api.post(
        f"/flows/{flow_id}",
        json={"type": "IMPORT_FLOW", "request": document},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    return flow_id


async def sample_of(api: httpx.AsyncClient, owner: User, flow_id: str, step: str) -> Any:
    response = await api.get(
        "/sample-data", params={"flowId": flow_id, "stepName": step}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def run_test_flow(
    api: httpx.AsyncClient, owner: User, flow_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post(f"/flows/{flow_id}/test", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return await finished_run(api, owner, response.json()["id"])


async def run_test_step(
    api: httpx.AsyncClient, owner: User, flow_id: str, step: str
) -> dict[str, Any]:
    response = await api.post(
        f"/flows/{flow_id}/test-step", json={"stepName": step}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return await finished_run(api, owner, response.json()["id"])


async def test_testing_the_draft_runs_it_and_keeps_each_output_as_sample_data(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(
        api,
        owner,
        code(
            "step_1",
            "export const code = async (i) => ({ twice: i.n * 2 })",
            n="{{trigger.body.n}}",
        ),
    )
    run = await run_test_flow(api, owner, flow_id, {"payload": {"body": {"n": 21}}})
    assert run["status"] == "SUCCEEDED", run
    assert run["steps"]["step_1"]["output"] == {"twice": 42}
    assert await sample_of(api, owner, flow_id, "step_1") == {"twice": 42}
    assert await sample_of(api, owner, flow_id, "trigger") == {"body": {"n": 21}}


async def test_testing_without_a_payload_uses_the_triggers_sample(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(
        api, owner, code("step_1", "export const code = async (i) => i.n", n="{{trigger.body.n}}")
    )
    missing = await api.post(f"/flows/{flow_id}/test", json={}, headers=owner.headers)
    assert missing.status_code == 400
    assert missing.json()["code"] == "NO_SAMPLE_DATA"
    assert "test URL" in missing.json()["message"]
    # A request to the webhook's test URL keeps its payload as the trigger's sample.
    sent = await api.post(f"/webhooks/{flow_id}/test", json={"n": 7})
    assert sent.status_code == 204, sent.text
    run = await run_test_flow(api, owner, flow_id, {})
    assert run["status"] == "SUCCEEDED"
    assert run["steps"]["step_1"]["output"] == 7


async def test_testing_a_step_reuses_earlier_samples_and_stops_after_the_step(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(
        api,
        owner,
        code("step_1", RANDOM),
        code("step_2", "export const code = async (i) => i.v * 2", v="{{step_1.value}}"),
        code("step_3", "export const code = async () => 'not reached'"),
    )
    first = await run_test_flow(api, owner, flow_id, {"payload": {"body": {}}})
    value = first["steps"]["step_1"]["output"]["value"]
    run = await run_test_step(api, owner, flow_id, "step_2")
    assert run["status"] == "SUCCEEDED", run
    assert list(run["steps"]) == ["trigger", "step_1", "step_2"]
    assert run["steps"]["step_1"]["output"]["value"] == value  # the sample, not a new random
    assert run["steps"]["step_2"]["output"] == value * 2
    assert await sample_of(api, owner, flow_id, "step_2") == value * 2


async def test_testing_a_step_runs_earlier_steps_that_have_no_sample(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(
        api,
        owner,
        code("step_1", RANDOM),
        code("step_2", "export const code = async (i) => i.v", v="{{step_1.value}}"),
    )
    saved = await api.post(
        "/sample-data",
        json={"flowId": flow_id, "stepName": "trigger", "data": {"body": {}}},
        headers=owner.headers,
    )
    assert saved.status_code == 200, saved.text
    run = await run_test_step(api, owner, flow_id, "step_2")
    assert run["status"] == "SUCCEEDED", run
    value = run["steps"]["step_1"]["output"]["value"]
    assert isinstance(value, float)
    assert run["steps"]["step_2"]["output"] == value
    assert await sample_of(api, owner, flow_id, "step_1") == {"value": value}


async def test_a_step_in_a_branch_whose_condition_fails_is_still_tested(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(
        api,
        owner,
        router(
            "route",
            branch(
                "never",
                code("inside", "export const code = async () => 'tested'"),
                conditions=[[when("a", "TEXT_EXACTLY_MATCHES", "b")]],
            ),
        ),
    )
    await api.post(f"/webhooks/{flow_id}/test", json={})
    run = await run_test_step(api, owner, flow_id, "inside")
    assert run["status"] == "SUCCEEDED", run
    assert run["steps"]["inside"]["output"] == "tested"


async def test_a_test_run_keeps_running_the_draft_it_started_with(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(api, owner, code("step_1", "export const code = async () => 1"))
    response = await api.post(f"/flows/{flow_id}/test", json={"payload": {}}, headers=owner.headers)
    run = response.json()
    versions = (await api.get(f"/flows/{flow_id}/versions", headers=owner.headers)).json()
    assert [v["state"] for v in versions["data"]] == ["DRAFT"]  # the frozen copy is not listed
    assert run["flowVersionId"] != versions["data"][0]["id"]
    renamed = await api.post(
        f"/flows/{flow_id}",
        json={"type": "DELETE_ACTION", "request": {"names": ["step_1"]}},
        headers=owner.headers,
    )
    assert renamed.status_code == 200, renamed.text
    done = await finished_run(api, owner, run["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["steps"]["step_1"]["output"] == 1


async def test_bad_test_requests_say_what_is_wrong(api: httpx.AsyncClient, owner: User) -> None:
    flow_id = await draft(api, owner, code("step_1", "export const code = async () => 1"))
    await api.post(f"/webhooks/{flow_id}/test", json={})
    unknown = await api.post(
        f"/flows/{flow_id}/test-step", json={"stepName": "nope"}, headers=owner.headers
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "STEP_NOT_FOUND"
    assert "nope" in unknown.json()["message"]
    empty = str((await create(api, owner, "Empty"))["id"])
    no_trigger = await api.post(f"/flows/{empty}/test", json={}, headers=owner.headers)
    assert no_trigger.status_code == 400
    assert no_trigger.json()["code"] == "FLOW_HAS_NO_TRIGGER"
    missing = await api.post(
        "/flows/no-such-flow/test-step", json={"stepName": "step_1"}, headers=owner.headers
    )
    assert missing.status_code == 404


async def test_the_webhook_test_url_runs_a_frozen_copy_of_the_draft_too(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await draft(api, owner, code("step_1", "export const code = async () => 1"))
    answered = await api.post(f"/webhooks/{flow_id}/test", json={"n": 1})
    assert answered.status_code == 204, answered.text  # the flow returns no response
    listed = await api.get(
        "/flow-runs",
        params={"projectId": owner.project_id, "flowId": flow_id},
        headers=owner.headers,
    )
    (run,) = listed.json()["data"]
    versions = (await api.get(f"/flows/{flow_id}/versions", headers=owner.headers)).json()
    assert [v["state"] for v in versions["data"]] == ["DRAFT"]  # the frozen copy is not listed
    assert run["flowVersionId"] != versions["data"][0]["id"]
    done = await finished_run(api, owner, run["id"])
    assert done["steps"]["step_1"]["output"] == 1
    assert await sample_of(api, owner, flow_id, "trigger") == done["steps"]["trigger"]["output"]
