"""Offloaded step outputs read as references and loaded one at a time (GET /flow-runs/{id}/output)."""

import httpx

from tests.engine.builders import code, flow
from tests.server.conftest import User
from tests.server.helpers import finished_run, publish

BIG = (
    "export const code = async () => Array.from({length: 5000}, (_, i) => ({i, text: 'row ' + i}))"
)


async def test_a_run_read_without_rehydration_keeps_references_that_load_on_their_own(
    api: httpx.AsyncClient, owner: User
) -> None:
    steps = flow(code("rows", BIG), code("small", "export const code = async () => 7"))
    flow_id = await publish(api, owner, steps.model_dump(mode="json"))
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    assert (await finished_run(api, owner, run_id))["status"] == "SUCCEEDED"

    read = await api.get(
        f"/flow-runs/{run_id}", params={"rehydrate": "false"}, headers=owner.headers
    )
    assert read.status_code == 200, read.text
    steps_read = read.json()["steps"]
    reference = steps_read["rows"]["output"]
    assert set(reference) == {"$offloaded", "size"}
    assert reference["size"] > 32 * 1024
    assert steps_read["small"]["output"] == 7

    loaded = await api.get(
        f"/flow-runs/{run_id}/output",
        params={"ref": reference["$offloaded"]},
        headers=owner.headers,
    )
    assert loaded.status_code == 200, loaded.text
    assert loaded.headers["content-type"] == "application/json"
    assert len(loaded.json()) == 5000
    assert loaded.json()[4999] == {"i": 4999, "text": "row 4999"}

    unknown = await api.get(
        f"/flow-runs/{run_id}/output", params={"ref": f"{run_id}/nope"}, headers=owner.headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "RUN_OUTPUT_NOT_FOUND")
    other_run = await api.get(
        "/flow-runs/nope/output", params={"ref": reference["$offloaded"]}, headers=owner.headers
    )
    assert (other_run.status_code, other_run.json()["code"]) == (404, "FLOW_RUN_NOT_FOUND")
    anonymous = await api.get(
        f"/flow-runs/{run_id}/output", params={"ref": reference["$offloaded"]}
    )
    assert anonymous.status_code == 401
