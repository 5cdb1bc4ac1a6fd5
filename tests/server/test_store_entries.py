"""Store entries: the API, and the database-backed `ctx.store` that runs of the worker use."""

import json
from typing import Any

import httpx

from tests.server.conftest import User
from tests.server.helpers import piece_step, publish, webhook_flow


def counter_flow(scope: str) -> dict[str, Any]:
    """A webhook flow that increments `visits` in the store and answers with the new count."""
    return webhook_flow(
        f"Count visits ({scope})",
        piece_step("count", "store", "increment", key="visits", value=1, scope=scope),
        piece_step(
            "answer",
            "webhook",
            "return_response",
            status=200,
            body_type="json",
            body={"n": "{{count}}"},
        ),
    )


async def test_runs_keep_store_values_that_the_next_run_and_the_api_read(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, counter_flow("FLOW"))
    answers = [(await api.post(f"/webhooks/{flow_id}/sync", json={})).json() for _ in range(2)]
    assert answers == [{"n": 1}, {"n": 2}]
    entry = await api.get(
        "/store-entries",
        params={"projectId": owner.project_id, "key": f"flow_{flow_id}/visits"},
        headers=owner.headers,
    )
    assert entry.status_code == 200, entry.text
    assert entry.json()["value"] == 2
    # A client changes the value; the next run continues from it.
    put = await api.post(
        "/store-entries",
        json={"projectId": owner.project_id, "key": f"flow_{flow_id}/visits", "value": 40},
        headers=owner.headers,
    )
    assert put.status_code == 200
    assert (await api.post(f"/webhooks/{flow_id}/sync", json={})).json() == {"n": 41}


async def test_flow_keys_are_private_and_project_keys_shared(
    api: httpx.AsyncClient, owner: User
) -> None:
    first = await publish(api, owner, counter_flow("FLOW"))
    second = await publish(api, owner, counter_flow("FLOW"))
    shared_a = await publish(api, owner, counter_flow("PROJECT"))
    shared_b = await publish(api, owner, counter_flow("PROJECT"))
    assert (await api.post(f"/webhooks/{first}/sync", json={})).json() == {"n": 1}
    assert (await api.post(f"/webhooks/{second}/sync", json={})).json() == {"n": 1}
    assert (await api.post(f"/webhooks/{shared_a}/sync", json={})).json() == {"n": 1}
    assert (await api.post(f"/webhooks/{shared_b}/sync", json={})).json() == {"n": 2}
    project = await api.get(
        "/store-entries",
        params={"projectId": owner.project_id, "key": "visits"},
        headers=owner.headers,
    )
    assert project.json()["value"] == 2


async def test_entries_are_put_read_and_deleted_with_clear_errors(
    api: httpx.AsyncClient, owner: User
) -> None:
    where = {"projectId": owner.project_id, "key": "settings"}
    missing = await api.get("/store-entries", params=where, headers=owner.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "STORE_ENTRY_NOT_FOUND")
    value = {"b": [1, 2], "a": None}
    put = await api.post("/store-entries", json={**where, "value": value}, headers=owner.headers)
    assert put.json()["value"] == value
    read = (await api.get("/store-entries", params=where, headers=owner.headers)).json()
    assert (read["key"], read["value"], read["projectId"]) == ("settings", value, owner.project_id)
    assert list(read["value"]) == ["b", "a"]
    deleted = await api.delete("/store-entries", params=where, headers=owner.headers)
    assert deleted.status_code == 204
    assert (await api.get("/store-entries", params=where, headers=owner.headers)).status_code == 404
    again = await api.delete("/store-entries", params=where, headers=owner.headers)
    assert again.status_code == 204
    big = await api.post(
        "/store-entries",
        json={**where, "value": "x" * (512 * 1024 + 1)},
        headers=owner.headers,
    )
    assert (big.status_code, big.json()["code"]) == (400, "STORE_INVALID")
    assert "512 KB" in big.json()["message"]
    long_key = await api.post(
        "/store-entries",
        json={"projectId": owner.project_id, "key": "k" * 201, "value": 1},
        headers=owner.headers,
    )
    assert long_key.status_code == 400


async def test_a_value_over_the_limit_fails_the_step_with_the_reason(
    api: httpx.AsyncClient, owner: User
) -> None:
    document = counter_flow("FLOW")
    document["steps"][0]["settings"]["actionName"] = "put"
    document["steps"][0]["settings"]["input"] = {
        "key": "big",
        "value": "{{trigger.body.text}}",
        "scope": "FLOW",
    }
    flow_id = await publish(api, owner, document)
    response = await api.post(f"/webhooks/{flow_id}/sync", json={"text": "x" * (600 * 1024)})
    body = json.dumps(response.json())
    assert "512 KB" in body, body
