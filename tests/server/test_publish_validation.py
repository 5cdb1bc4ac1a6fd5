"""Publishing refuses a flow with problems, and lists them."""

import copy

import httpx

from tests.server.conftest import User
from tests.server.helpers import create, sample


async def test_publishing_lists_the_flows_problems(api: httpx.AsyncClient, owner: User) -> None:
    document = copy.deepcopy(sample())
    steps = document["steps"]
    assert isinstance(steps, list)
    steps[0]["settings"]["input"]["a"] = "{{missing_step.a}}"
    steps[1]["settings"]["actionName"] = "no_such_action"
    flow = await create(api, owner)
    imported = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "IMPORT_FLOW", "request": document},
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    published = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "LOCK_AND_PUBLISH", "request": {}},
        headers=owner.headers,
    )
    assert published.status_code == 400
    body = published.json()
    assert body["code"] == "FLOW_INVALID"
    problems = {(p["step"], p["code"]) for p in body["params"]["problems"]}
    assert {step for step, _ in problems} == {"step_1", "step_2"}
    assert "step_2" in body["message"]
    after = (await api.get(f"/flows/{flow['id']}", headers=owner.headers)).json()
    assert (after["status"], after["publishedVersionId"]) == ("DISABLED", None)
