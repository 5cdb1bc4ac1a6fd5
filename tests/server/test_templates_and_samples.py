"""Sample data per step, and templates: from a flow, imported, listed, used, deleted."""

import json

import httpx

from tests.conftest import ROOT
from tests.server.conftest import User, sign_up
from tests.server.helpers import create, publish, sample
from tests.server.test_members import invite

ACTIVEPIECES = ROOT / "tests" / "engine" / "fixtures" / "activepieces"


async def test_sample_data_is_saved_per_step_and_read_back(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, sample())
    saved = await api.post(
        "/sample-data",
        json={"flowId": flow_id, "stepName": "trigger", "data": {"body": {"a": 1, "b": 2}}},
        headers=owner.headers,
    )
    assert saved.status_code == 200, saved.text
    await api.post(
        "/sample-data",
        json={"flowId": flow_id, "stepName": "step_1", "type": "OUTPUT", "data": {"sum": 3}},
        headers=owner.headers,
    )
    replaced = await api.post(
        "/sample-data",
        json={"flowId": flow_id, "stepName": "step_1", "data": {"sum": 4}},
        headers=owner.headers,
    )
    assert replaced.json()["data"] == {"sum": 4}
    one = await api.get(
        "/sample-data", params={"flowId": flow_id, "stepName": "step_1"}, headers=owner.headers
    )
    assert one.json()["data"] == {"sum": 4}
    every = (
        await api.get("/sample-data/steps", params={"flowId": flow_id}, headers=owner.headers)
    ).json()["data"]
    assert [(s["stepName"], s["type"]) for s in every] == [
        ("step_1", "OUTPUT"),
        ("trigger", "OUTPUT"),
    ]
    missing = await api.get(
        "/sample-data",
        params={"flowId": flow_id, "stepName": "step_1", "type": "INPUT"},
        headers=owner.headers,
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "SAMPLE_DATA_NOT_FOUND")
    unknown_step = await api.post(
        "/sample-data",
        json={"flowId": flow_id, "stepName": "nope", "data": 1},
        headers=owner.headers,
    )
    assert (unknown_step.status_code, unknown_step.json()["code"]) == (400, "STEP_NOT_FOUND")


async def test_a_template_made_from_a_flow_starts_new_flows(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, sample())
    made = await api.post(
        "/templates",
        json={"flowId": flow_id, "description": "Adds numbers", "tags": ["math", "demo"]},
        headers=owner.headers,
    )
    assert made.status_code == 201, made.text
    template = made.json()
    assert (template["displayName"], template["tags"]) == (
        "Add two numbers (webhook)",
        ["demo", "math"],
    )
    used = await api.post(
        f"/templates/{template['id']}/flows",
        json={"projectId": owner.project_id},
        headers=owner.headers,
    )
    assert used.status_code == 201, used.text
    flow = used.json()
    assert flow["status"] == "DISABLED"
    assert [s["name"] for s in flow["version"]["definition"]["steps"]] == ["step_1", "step_2"]
    assert flow["version"]["displayName"] == "Add two numbers (webhook)"
    found = (
        await api.get("/templates", params={"search": "numbers"}, headers=owner.headers)
    ).json()["data"]
    assert [t["id"] for t in found] == [template["id"]]
    by_tag = (await api.get("/templates", params={"tag": "ma"}, headers=owner.headers)).json()
    assert by_tag["data"] == []
    got = await api.get(f"/templates/{template['id']}", headers=owner.headers)
    assert got.json()["flow"]["displayName"] == "Add two numbers (webhook)"


async def test_activepieces_templates_import_and_bad_documents_are_refused(
    api: httpx.AsyncClient, owner: User
) -> None:
    export = json.loads((ACTIVEPIECES / "router_template.json").read_text())
    imported = await api.post("/templates", json={"template": export}, headers=owner.headers)
    assert imported.status_code == 201, imported.text
    steps = imported.json()["flow"]["steps"]
    assert [s["name"] for s in steps] == ["step_1", "step_2", "step_5"]
    bad = await api.post("/templates", json={"template": {"displayName": 3}}, headers=owner.headers)
    assert (bad.status_code, bad.json()["code"]) == (400, "INVALID_FLOW")
    neither = await api.post("/templates", json={"description": "x"}, headers=owner.headers)
    assert (neither.status_code, neither.json()["code"]) == (400, "TEMPLATE_SOURCE")


async def test_only_the_creator_or_an_admin_deletes_a_template(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner, "Shared")
    template = (
        await api.post("/templates", json={"flowId": flow["id"]}, headers=owner.headers)
    ).json()
    await invite(api, owner, "eve@example.com", "EDITOR")
    eve = await sign_up(api, email="eve@example.com")
    assert (await api.get(f"/templates/{template['id']}", headers=eve.headers)).status_code == 200
    denied = await api.delete(f"/templates/{template['id']}", headers=eve.headers)
    assert denied.status_code == 403
    gone = await api.delete(f"/templates/{template['id']}", headers=owner.headers)
    assert gone.status_code == 204
    assert (await api.get(f"/templates/{template['id']}", headers=eve.headers)).status_code == 404
