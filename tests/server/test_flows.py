"""Flows: create, list with seek pagination, import, publish, and their errors."""

import json

import httpx

from tests.conftest import ROOT
from tests.server.conftest import User
from tests.server.helpers import create, publish, sample

ACTIVEPIECES = ROOT / "tests" / "engine" / "fixtures" / "activepieces"


async def test_new_flow_has_an_empty_draft(api: httpx.AsyncClient, owner: User) -> None:
    flow = await create(api, owner)
    assert flow["status"] == "DISABLED"
    assert flow["publishedVersionId"] is None
    version = flow["version"]
    assert isinstance(version, dict)
    assert version["state"] == "DRAFT"
    assert version["definition"]["trigger"]["type"] == "EMPTY"
    fetched = await api.get(f"/flows/{flow['id']}", headers=owner.headers)
    assert fetched.json() == flow


async def test_import_then_publish_enables_a_locked_copy(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    imported = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "IMPORT_FLOW", "request": sample()},
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["version"]["displayName"] == "Add two numbers (webhook)"
    steps = imported.json()["version"]["definition"]["steps"]
    assert [s["name"] for s in steps] == ["step_1", "step_2"]
    # Objects keep the order they were written in.
    assert list(steps[1]["settings"]["input"]["body"]) == ["sum", "product", "message"]
    published = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "LOCK_AND_PUBLISH", "request": {}},
        headers=owner.headers,
    )
    assert published.status_code == 200
    assert published.json()["status"] == "ENABLED"
    assert published.json()["publishedVersionId"] not in (None, published.json()["version"]["id"])


async def test_invalid_import_lists_problems_and_keeps_the_draft(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    bad = {"steps": [{"name": "step_1", "type": "CODE", "settings": {"input": {}}}]}
    response = await api.post(
        f"/flows/{flow['id']}", json={"type": "IMPORT_FLOW", "request": bad}, headers=owner.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_FLOW"
    assert response.json()["params"]["problems"] == [
        {"path": "steps[0].settings.sourceCode", "message": "is required"}
    ]
    after = await api.get(f"/flows/{flow['id']}", headers=owner.headers)
    assert after.json()["version"]["definition"]["steps"] == []


async def test_publishing_without_a_trigger_is_refused(api: httpx.AsyncClient, owner: User) -> None:
    flow = await create(api, owner)
    response = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "LOCK_AND_PUBLISH", "request": {}},
        headers=owner.headers,
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Choose a trigger before publishing"


async def test_unknown_operation_type_is_a_400(api: httpx.AsyncClient, owner: User) -> None:
    flow = await create(api, owner)
    response = await api.post(
        f"/flows/{flow['id']}", json={"type": "EXPLODE", "request": {}}, headers=owner.headers
    )
    assert response.status_code == 400
    assert "EXPLODE" in response.json()["message"]


async def test_change_name_and_status(api: httpx.AsyncClient, owner: User) -> None:
    flow = await create(api, owner)
    url = f"/flows/{flow['id']}"
    renamed = await api.post(
        url,
        json={"type": "CHANGE_NAME", "request": {"displayName": "Renamed"}},
        headers=owner.headers,
    )
    assert renamed.json()["version"]["displayName"] == "Renamed"
    refused = await api.post(
        url, json={"type": "CHANGE_STATUS", "request": {"status": "ENABLED"}}, headers=owner.headers
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "FLOW_NOT_PUBLISHED"


async def test_step_and_branch_operations_edit_the_draft(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    url = f"/flows/{flow['id']}"
    await api.post(url, json={"type": "IMPORT_FLOW", "request": sample()}, headers=owner.headers)
    router = {
        "name": "route",
        "type": "ROUTER",
        "settings": {"executionType": "EXECUTE_FIRST_MATCH"},
        "branches": [
            {"branchName": "Otherwise", "branchType": "FALLBACK", "conditions": [], "steps": []}
        ],
    }
    added = await api.post(
        url,
        json={"type": "ADD_ACTION", "request": {"parentStep": "step_1", "action": router}},
        headers=owner.headers,
    )
    assert added.status_code == 200, added.text
    branch = {"stepName": "route", "branchIndex": 0, "branchName": "Big"}
    with_branch = await api.post(
        url, json={"type": "ADD_BRANCH", "request": branch}, headers=owner.headers
    )
    assert with_branch.status_code == 200, with_branch.text
    moved = await api.post(
        url,
        json={
            "type": "MOVE_ACTION",
            "request": {
                "name": "step_2",
                "newParentStep": "route",
                "stepLocationRelativeToNewParent": "INSIDE_BRANCH",
                "branchIndex": 1,
            },
        },
        headers=owner.headers,
    )
    assert moved.status_code == 200, moved.text
    steps = moved.json()["version"]["definition"]["steps"]
    assert [s["name"] for s in steps] == ["step_1", "route"]
    assert [b["branchName"] for b in steps[1]["branches"]] == ["Big", "Otherwise"]
    assert [s["name"] for s in steps[1]["branches"][1]["steps"]] == ["step_2"]


async def test_operation_that_would_break_the_flow_is_a_400_naming_step_and_field(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    url = f"/flows/{flow['id']}"
    await api.post(url, json={"type": "IMPORT_FLOW", "request": sample()}, headers=owner.headers)
    duplicate = {"parentStep": "trigger", "action": sample()["steps"][0]}  # type: ignore[index]
    response = await api.post(
        url, json={"type": "ADD_ACTION", "request": duplicate}, headers=owner.headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "DUPLICATE_STEP_NAME"
    assert body["params"] == {"step": "step_1", "field": "action.name"}
    assert "a step named 'step_1' already exists" in body["message"]
    missing = await api.post(
        url, json={"type": "DELETE_ACTION", "request": {"names": ["ghost"]}}, headers=owner.headers
    )
    assert missing.status_code == 400
    assert missing.json()["code"] == "STEP_NOT_FOUND"
    after = await api.get(url, headers=owner.headers)
    assert [s["name"] for s in after.json()["version"]["definition"]["steps"]] == [
        "step_1",
        "step_2",
    ]


async def test_activepieces_export_imports_through_the_api(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    export = json.loads((ACTIVEPIECES / "router_template.json").read_text())
    response = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "IMPORT_FLOW", "request": export},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    definition = response.json()["version"]["definition"]
    assert definition["trigger"]["settings"]["pieceName"] == "webhook"
    assert [s["name"] for s in definition["steps"]] == ["step_1", "step_2", "step_5"]
    assert [len(b["steps"]) for b in definition["steps"][1]["branches"]] == [1, 1]


async def test_list_pages_forward_and_back_newest_first(
    api: httpx.AsyncClient, owner: User
) -> None:
    names = [f"Flow {i}" for i in range(5)]
    for name in names:
        await create(api, owner, name)
    params: dict[str, str | int] = {"projectId": owner.project_id, "limit": 2}
    seen: list[str] = []
    cursors: list[str] = []
    page = (await api.get("/flows", params=params, headers=owner.headers)).json()
    assert page["previous"] is None
    while True:
        seen.extend(f["version"]["displayName"] for f in page["data"])
        if page["next"] is None:
            break
        cursors.append(page["next"])
        page = (
            await api.get(
                "/flows", params={**params, "cursor": page["next"]}, headers=owner.headers
            )
        ).json()
    assert seen == list(reversed(names))
    back = (
        await api.get(
            "/flows", params={**params, "cursor": page["previous"]}, headers=owner.headers
        )
    ).json()
    assert [f["version"]["displayName"] for f in back["data"]] == ["Flow 2", "Flow 1"]


async def test_bad_cursor_and_limit_are_explained(api: httpx.AsyncClient, owner: User) -> None:
    bad_cursor = await api.get(
        "/flows", params={"projectId": owner.project_id, "cursor": "junk"}, headers=owner.headers
    )
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["code"] == "INVALID_CURSOR"
    bad_limit = await api.get(
        "/flows", params={"projectId": owner.project_id, "limit": 0}, headers=owner.headers
    )
    assert bad_limit.status_code == 400


async def test_unknown_flow_is_404(api: httpx.AsyncClient, owner: User) -> None:
    response = await api.get("/flows/nope", headers=owner.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "FLOW_NOT_FOUND"


async def test_duplicate_copies_the_draft_but_not_the_publication(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, sample())
    copy = await api.post(f"/flows/{flow_id}/duplicate", headers=owner.headers)
    assert copy.status_code == 201
    assert copy.json()["id"] != flow_id
    assert copy.json()["status"] == "DISABLED"
    assert copy.json()["publishedVersionId"] is None
    assert copy.json()["version"]["displayName"] == "Copy of Add two numbers (webhook)"
    assert len(copy.json()["version"]["definition"]["steps"]) == 2


async def test_versions_are_listed_and_readable(api: httpx.AsyncClient, owner: User) -> None:
    flow = await create(api, owner)
    url = f"/flows/{flow['id']}"
    await api.post(url, json={"type": "IMPORT_FLOW", "request": sample()}, headers=owner.headers)
    published = (
        await api.post(url, json={"type": "LOCK_AND_PUBLISH", "request": {}}, headers=owner.headers)
    ).json()
    await api.post(
        url,
        json={"type": "CHANGE_NAME", "request": {"displayName": "Edited draft"}},
        headers=owner.headers,
    )
    versions = (await api.get(f"{url}/versions", headers=owner.headers)).json()["data"]
    assert sorted(v["state"] for v in versions) == ["DRAFT", "LOCKED"]
    locked = (
        await api.get(
            url, params={"versionId": published["publishedVersionId"]}, headers=owner.headers
        )
    ).json()
    assert locked["version"]["state"] == "LOCKED"
    assert locked["version"]["displayName"] == "Add two numbers (webhook)"
    missing = await api.get(url, params={"versionId": "nope"}, headers=owner.headers)
    assert missing.status_code == 404


async def test_export_gives_a_document_that_imports_again(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow = await create(api, owner)
    await api.post(
        f"/flows/{flow['id']}",
        json={"type": "IMPORT_FLOW", "request": sample()},
        headers=owner.headers,
    )
    exported = (await api.get(f"/flows/{flow['id']}/export", headers=owner.headers)).json()
    assert exported["displayName"] == "Add two numbers (webhook)"
    other = await create(api, owner, "Target")
    imported = await api.post(
        f"/flows/{other['id']}",
        json={"type": "IMPORT_FLOW", "request": exported},
        headers=owner.headers,
    )
    assert imported.json()["version"]["definition"] == exported


async def test_deleted_flow_is_gone_with_its_webhook(api: httpx.AsyncClient, owner: User) -> None:
    flow_id = await publish(api, owner, sample())
    url = f"/flows/{flow_id}"
    assert (await api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 1})).status_code == 200
    assert (await api.delete(url, headers=owner.headers)).status_code == 204
    assert (await api.get(url, headers=owner.headers)).status_code == 404
    assert (await api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 1})).status_code == 404
