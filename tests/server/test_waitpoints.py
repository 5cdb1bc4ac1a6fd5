"""Pauses on the server: runs wait at waitpoints, resume calls and delays continue them."""

import asyncio
from typing import Any

import httpx

from engine.model import Flow
from tests.engine.builders import code as _code
from tests.engine.builders import flow, piece, respond
from tests.server.conftest import User
from tests.server.helpers import finished_run, publish


def document(steps: Flow) -> dict[str, Any]:
    return steps.model_dump(mode="json")


def path_of(url: str) -> str:
    return url.split("/api/v1", 1)[1]


async def paused_run(api: httpx.AsyncClient, owner: User, run_id: str) -> dict[str, Any]:
    run = await finished_run(api, owner, run_id)
    assert run["status"] == "PAUSED", run
    return run


async def test_an_approval_pauses_the_run_and_a_resume_call_finishes_it(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(
        api,
        owner,
        document(
            flow(
                piece("wait", "approval", "wait_for_approval"),
                respond("answer", body={"approved": "{{wait.approved}}"}),
            )
        ),
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    run = await paused_run(api, owner, run_id)
    assert run["pause"]["path"] == "wait"
    assert run["steps"]["wait"]["status"] == "PAUSED"
    resume_url = run["pause"]["waitpoint"]["resumeUrl"]
    assert resume_url.endswith(
        f"/api/v1/flow-runs/{run_id}/waitpoints/{run['pause']['waitpoint']['id']}"
    )

    answered = await api.get(path_of(resume_url) + "/sync", params={"action": "approve"})
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"approved": True}
    done = await finished_run(api, owner, run_id)
    assert done["status"] == "SUCCEEDED"
    assert done["finishTime"] is not None

    repeats = await asyncio.gather(*(api.post(path_of(resume_url)) for _ in range(20)))
    assert {r.status_code for r in repeats} == {200}
    assert all(r.json()["duplicate"] for r in repeats)


async def test_duplicate_resumes_resume_the_run_once(api: httpx.AsyncClient, owner: User) -> None:
    flow_id = await publish(
        api,
        owner,
        document(
            flow(
                piece("wait", "approval", "wait_for_approval"),
                piece("count", "store", "increment", key="resumed", value=1),
            )
        ),
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    run = await paused_run(api, owner, run_id)
    url = path_of(run["pause"]["waitpoint"]["resumeUrl"])
    answers = await asyncio.gather(*(api.post(url, json={"action": "approve"}) for _ in range(50)))
    assert sum(1 for a in answers if a.json()["queued"]) == 1
    assert sum(1 for a in answers if a.json()["duplicate"]) == 49
    done = await finished_run(api, owner, run_id)
    assert done["status"] == "SUCCEEDED"
    assert done["steps"]["count"]["output"] == 1


async def test_a_resume_that_comes_before_the_pause_is_kept(
    api: httpx.AsyncClient, owner: User
) -> None:
    slow = (
        "export const code = async () => { await new Promise(r => setTimeout(r, 1500)); return 1 }"
    )
    flow_id = await publish(
        api,
        owner,
        document(
            flow(
                piece("links", "approval", "create_approval_links"),
                piece("announce", "store", "put", key="links", value="{{links}}"),
                _code("slow", slow),
                piece("wait", "approval", "wait_for_approval", waitpointId="{{links.waitpointId}}"),
            )
        ),
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    links = None
    async with asyncio.timeout(15):
        while links is None:
            entry = await api.get(
                "/store-entries",
                params={"key": f"flow_{flow_id}/links", "projectId": owner.project_id},
                headers=owner.headers,
            )
            if entry.status_code == 200:
                links = entry.json().get("value")
            await asyncio.sleep(0.1)
    early = await api.get(path_of(links["approveLink"]))
    assert early.status_code == 200, early.text
    assert early.json()["queued"] is False  # the run has not paused yet
    done = await finished_run(api, owner, run_id)
    while done["status"] in {"PAUSED", "QUEUED", "RUNNING"}:
        await asyncio.sleep(0.1)
        done = await finished_run(api, owner, run_id)
    assert done["status"] == "SUCCEEDED", done
    assert done["steps"]["wait"]["output"] == {"approved": True}


async def test_a_delay_resumes_by_itself(api: httpx.AsyncClient, owner: User) -> None:
    flow_id = await publish(
        api, owner, document(flow(piece("nap", "delay", "delay_for", amount=1, unit="seconds")))
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    await paused_run(api, owner, run_id)
    async with asyncio.timeout(15):
        while True:
            run = await finished_run(api, owner, run_id)
            if run["status"] != "PAUSED":
                break
            await asyncio.sleep(0.2)
    assert run["status"] == "SUCCEEDED", run
    assert run["steps"]["nap"]["output"]["success"] is True


async def test_an_unknown_waitpoint_is_not_found(api: httpx.AsyncClient, owner: User) -> None:
    unknown = await api.post("/flow-runs/nope/waitpoints/nope")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "WAITPOINT_NOT_FOUND"


async def test_large_outputs_are_stored_apart_and_read_back_whole(
    api: httpx.AsyncClient, owner: User
) -> None:
    big = "export const code = async () => Array.from({length: 5000}, (_, i) => ({i, text: 'row ' + i}))"
    flow_id = await publish(
        api,
        owner,
        document(
            flow(
                _code("rows", big),
                _code("count", "export const code = async (x) => x.n", n="{{rows.length}}"),
            )
        ),
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    run = await finished_run(api, owner, run_id)
    assert run["status"] == "SUCCEEDED", run
    assert len(run["steps"]["rows"]["output"]) == 5000  # rehydrated from run_outputs
    assert run["steps"]["rows"]["output"][4999] == {"i": 4999, "text": "row 4999"}
    assert run["steps"]["count"]["output"] == 5000
