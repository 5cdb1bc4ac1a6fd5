"""Webhooks through the real job queue and the in-process worker."""

import asyncio
import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from procrastinate.manager import JobManager
from sqlalchemy import text as sql_text

from server.db.base import utcnow
from server.db.engine import create_engine, libpq_url, session_factory
from server.services.run_intake import RunIntake
from server.services.runs import delete_finished_before
from tests.engine.builders import code, flow, piece, respond
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import create, finished_run, publish, sample


async def test_sync_webhook_returns_the_flows_response(api: httpx.AsyncClient, owner: User) -> None:
    flow_id = await publish(api, owner, sample())
    response = await api.post(f"/webhooks/{flow_id}/sync", json={"a": 20, "b": 22})
    assert response.status_code == 200
    assert response.headers["x-piecework-sum"] == "42"
    assert response.headers["content-type"] == "application/json"
    assert response.text == '{"sum": 42, "product": 440, "message": "a + b = 42"}'
    run_id = response.headers["x-piecework-run-id"]
    run = (await api.get(f"/flow-runs/{run_id}", headers=owner.headers)).json()
    assert run["status"] == "SUCCEEDED"
    assert list(run["steps"]) == ["trigger", "step_1", "step_2"]
    assert run["steps"]["step_1"]["output"] == {"sum": 42, "product": 440}
    assert run["startTime"] <= run["finishTime"]


async def test_concurrent_sync_calls_each_get_their_own_answer(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, sample())
    responses = await asyncio.gather(
        *(api.post(f"/webhooks/{flow_id}/sync", json={"a": i, "b": 1}) for i in range(6))
    )
    assert [r.json()["sum"] for r in responses] == [i + 1 for i in range(6)]


async def test_async_webhook_answers_with_the_run_id_and_the_run_completes(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, sample())
    response = await api.post(f"/webhooks/{flow_id}?x=1", json={"a": 1, "b": 2})
    assert response.status_code == 200
    run = await finished_run(api, owner, response.json()["runId"])
    assert run["status"] == "SUCCEEDED"
    assert run["steps"]["trigger"]["output"]["queryParams"] == {"x": "1"}


async def test_flow_without_a_response_answers_204(api: httpx.AsyncClient, owner: User) -> None:
    document = flow(code("step_1", "export const code = async () => 1")).model_dump(mode="json")
    flow_id = await publish(api, owner, document)
    response = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert response.status_code == 204


async def test_failed_run_answers_500_with_the_reason(api: httpx.AsyncClient, owner: User) -> None:
    document = flow(
        code("step_1", "export const code = async () => { throw new Error('bad input') }")
    ).model_dump(mode="json")
    flow_id = await publish(api, owner, document)
    response = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert response.status_code == 500
    body = response.json()
    assert body["status"] == "FAILED"
    assert body["message"] == "Step 'step_1' failed: Error: bad input (line 1 of the code)"
    assert body["runId"]


async def test_text_bodies_and_query_reach_the_flow(api: httpx.AsyncClient, owner: User) -> None:
    document = flow(
        respond("step_1", body={"got": "{{trigger.body}}", "q": "{{trigger.queryParams.q}}"})
    ).model_dump(mode="json")
    flow_id = await publish(api, owner, document)
    response = await api.post(
        f"/webhooks/{flow_id}/sync?q=yes",
        content=b"plain words",
        headers={"content-type": "text/plain"},
    )
    assert response.json() == {"got": "plain words", "q": "yes"}


async def test_unknown_or_unpublished_flow_is_404_and_queues_nothing(
    api: httpx.AsyncClient, owner: User
) -> None:
    unknown = await api.post("/webhooks/nope/sync", json={})
    assert unknown.status_code == 404
    draft_only = await create(api, owner)
    response = await api.post(f"/webhooks/{draft_only['id']}", json={})
    assert response.status_code == 404
    assert response.json()["code"] == "FLOW_NOT_FOUND"


async def test_a_body_that_is_not_the_json_it_claims_reaches_the_run_raw(
    api: httpx.AsyncClient, owner: User
) -> None:
    echo = code(
        "echo", "export const code = async (inputs) => inputs.body", body="{{trigger.body}}"
    )
    flow_id = await publish(api, owner, flow(echo).model_dump(mode="json"))
    json_type = {"content-type": "application/json"}
    text = await api.post(f"/webhooks/{flow_id}", content=b"{oops", headers=json_type)
    binary = await api.post(f"/webhooks/{flow_id}", content=b"\xff\x00\xfe", headers=json_type)
    assert text.status_code == binary.status_code == 200, text.text
    assert (await finished_run(api, owner, text.json()["runId"]))["steps"]["echo"]["output"] == (
        "{oops"
    )
    assert (await finished_run(api, owner, binary.json()["runId"]))["steps"]["echo"]["output"] == {
        "base64": "/wD+",
        "contentType": "application/json",
    }


async def test_slow_flow_answers_408_with_the_run_id_and_keeps_running(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, webhook_timeout_s=1.0) as client:
        owner = await sign_up(client)
        slow = "export const code = async () => { await new Promise((r) => setTimeout(r, 2500)); return 1 }"
        flow_id = await publish(client, owner, flow(code("step_1", slow)).model_dump(mode="json"))
        response = await client.post(f"/webhooks/{flow_id}/sync", json={})
        assert response.status_code == 408
        run = await finished_run(client, owner, response.json()["runId"])
        assert run["status"] == "SUCCEEDED"


async def test_payload_over_the_limit_is_413_and_queues_nothing(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, max_webhook_payload_mb=0.001) as client:
        owner = await sign_up(client)
        flow_id = await publish(client, owner, sample())
        response = await client.post(f"/webhooks/{flow_id}/sync", content=b"x" * 2000)
        assert response.status_code == 413
        assert "larger than 0.001 MB" in response.json()["message"]
        assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_runs_are_listed_newest_first_with_filters(
    api: httpx.AsyncClient, owner: User
) -> None:
    good = await publish(api, owner, sample())
    bad = await publish(
        api,
        owner,
        flow(code("step_1", "export const code = async () => { throw new Error('x') }")).model_dump(
            mode="json"
        ),
    )
    for flow_id, body in ((good, {"a": 1, "b": 1}), (bad, {}), (good, {"a": 2, "b": 2})):
        await api.post(f"/webhooks/{flow_id}/sync", json=body)
    base = {"projectId": owner.project_id}
    every = (await api.get("/flow-runs", params=base, headers=owner.headers)).json()["data"]
    assert [r["status"] for r in every] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    assert all(r["steps"] is None for r in every)
    failed = (
        await api.get("/flow-runs", params={**base, "status": "FAILED"}, headers=owner.headers)
    ).json()["data"]
    assert [r["flowId"] for r in failed] == [bad]
    assert failed[0]["error"] == "Step 'step_1' failed: Error: x (line 1 of the code)"
    of_good = (
        await api.get(
            "/flow-runs", params={**base, "flowId": good, "limit": 1}, headers=owner.headers
        )
    ).json()
    assert len(of_good["data"]) == 1
    assert of_good["next"] is not None
    later = every[0]["created"]
    before = (
        await api.get("/flow-runs", params={**base, "createdBefore": later}, headers=owner.headers)
    ).json()["data"]
    assert [r["id"] for r in before] == [r["id"] for r in every[1:]]
    wrong = await api.get("/flow-runs", params={**base, "status": "DANCING"}, headers=owner.headers)
    assert wrong.status_code == 400


async def test_runs_past_the_retention_period_are_deleted(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    flow_id = await publish(api, owner, sample())
    ids = [
        (await api.post(f"/webhooks/{flow_id}/sync", json={"a": i, "b": 1})).headers[
            "x-piecework-run-id"
        ]
        for i in range(3)
    ]
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            await session.execute(
                sql_text(
                    "UPDATE flow_runs SET finished = now() - interval '40 days' WHERE id = :id"
                ),
                {"id": ids[0]},
            )
            await session.commit()
            deleted = await delete_finished_before(session, before=utcnow() - timedelta(days=30))
    finally:
        await engine.dispose()
    assert deleted == 1
    assert (await api.get(f"/flow-runs/{ids[0]}", headers=owner.headers)).status_code == 404
    assert (await api.get(f"/flow-runs/{ids[1]}", headers=owner.headers)).status_code == 200


async def test_project_concurrency_limit_queues_runs_without_dropping_any(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, concurrent_jobs_limit=1) as client:
        owner = await sign_up(client)
        slow = "export const code = async () => { await new Promise((r) => setTimeout(r, 400)); return 1 }"
        flow_id = await publish(client, owner, flow(code("step_1", slow)).model_dump(mode="json"))
        accepted = [
            (await client.post(f"/webhooks/{flow_id}", json={"n": i})).json()["runId"]
            for i in range(3)
        ]
        finished = [await finished_run(client, owner, run_id, timeout_s=30) for run_id in accepted]
    assert [run["status"] for run in finished] == ["SUCCEEDED"] * 3
    spans = sorted((run["startTime"], run["finishTime"]) for run in finished)
    for (_, earlier_end), (later_start, _) in itertools.pairwise(spans):
        assert later_start >= earlier_end, spans


async def test_the_test_url_runs_the_draft_and_keeps_the_request_as_sample_data(
    api: httpx.AsyncClient, owner: User
) -> None:
    created = await create(api, owner)
    flow_id = str(created["id"])
    imported = await api.post(
        f"/flows/{flow_id}",
        json={"type": "IMPORT_FLOW", "request": sample()},
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    live = await api.post(f"/webhooks/{flow_id}", json={"a": 1, "b": 2})
    assert live.status_code == 404  # not published: the live URL does nothing
    tested = await api.post(f"/webhooks/{flow_id}/test", json={"a": 1, "b": 2})
    assert tested.status_code == 200, tested.text
    assert tested.json()["sum"] == 3
    kept = await api.get(
        "/sample-data",
        params={"flowId": flow_id, "stepName": "trigger"},
        headers=owner.headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["data"]["body"] == {"a": 1, "b": 2}
    unknown = await api.post("/webhooks/nope/test", json={})
    assert unknown.status_code == 404


async def test_queue_metrics_count_jobs_per_queue_for_platform_admins(
    api: httpx.AsyncClient, owner: User
) -> None:
    # A run that waits an hour leaves one delayed job (finished jobs are deleted).
    napping = flow(piece("nap", "delay", "delay_for", amount=1, unit="hours"))
    flow_id = await publish(api, owner, napping.model_dump(mode="json"))
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    assert (await finished_run(api, owner, run_id))["status"] == "PAUSED"
    queues: dict[str, Any] = {}
    settled = {"delayed": 1, "running": 0}
    # The delay's job is queued just after the run pauses, while the run's own job still ends.
    async with asyncio.timeout(15):
        while {k: queues.get("async_runs", {}).get(k) for k in settled} != settled:
            metrics = await api.get("/worker-machines/queue-metrics", headers=owner.headers)
            assert metrics.status_code == 200, metrics.text
            queues = {queue["queue"]: queue for queue in metrics.json()}
            await asyncio.sleep(0.1)
    assert queues["async_runs"] == {
        "queue": "async_runs",
        "queued": 0,
        "running": 0,
        "delayed": 1,
        "failed": 0,
    }
    anonymous = await api.get("/worker-machines/queue-metrics")
    assert anonymous.status_code == 401


async def test_a_run_and_its_job_are_accepted_together_or_not_at_all(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url) as client:
        owner = await sign_up(client)
        flow_id = await publish(client, owner, sample())
        async with await psycopg.AsyncConnection.connect(
            libpq_url(database_url), autocommit=True
        ) as conn:

            async def counts() -> tuple[int, int]:
                cursor = await conn.execute(
                    "SELECT (SELECT count(*) FROM flow_runs WHERE flow_id = %s),"
                    " (SELECT count(*) FROM procrastinate_jobs)",
                    (flow_id,),
                )
                row = await cursor.fetchone()
                assert row is not None
                return int(row[0]), int(row[1])

            # The job cannot be written: the database fails right then (as when it shuts down).
            await conn.execute(
                "CREATE FUNCTION pw_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'shutting down' USING ERRCODE = 'admin_shutdown'; END $$"
            )
            await conn.execute(
                "CREATE TRIGGER pw_test_fail BEFORE INSERT ON procrastinate_jobs"
                " FOR EACH ROW EXECUTE FUNCTION pw_test_fail()"
            )
            try:
                refused = await client.post(f"/webhooks/{flow_id}", json={"a": 1, "b": 2})
            finally:
                await conn.execute("DROP TRIGGER pw_test_fail ON procrastinate_jobs")
                await conn.execute("DROP FUNCTION pw_test_fail")
            assert refused.status_code == 503, refused.text  # try again: nothing was kept
            assert await counts() == (0, 0)  # no run left behind without its job

            accepted = await client.post(f"/webhooks/{flow_id}", json={"a": 1, "b": 2})
            assert accepted.status_code == 200, accepted.text
            run = await finished_run(client, owner, accepted.json()["runId"])
            assert run["status"] == "SUCCEEDED"
            assert (await counts())[0] == 1


async def test_a_sync_webhook_s_run_is_executed_by_the_server_that_accepted_it(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_job(*_: Any, **__: Any) -> None:
        return None

    # The queue's workers fetch nothing: only the accepting server can run the flow.
    monkeypatch.setattr(JobManager, "fetch_job", no_job)
    ended_apart: list[int] = []
    end_job = RunIntake.end_job

    async def end_apart(intake: RunIntake, job_id: int) -> None:
        ended_apart.append(job_id)
        await end_job(intake, job_id)

    monkeypatch.setattr(RunIntake, "end_job", end_apart)
    async with serve_app(tmp_path, database_url, webhook_timeout_s=10.0) as client:
        owner = await sign_up(client)
        flow_id = await publish(client, owner, sample())
        answered = await client.post(f"/webhooks/{flow_id}/sync", json={"a": 2, "b": 3})
        assert answered.status_code == 200, answered.text
        assert answered.json()["sum"] == 5
        engine = create_engine(database_url)
        try:
            async with asyncio.timeout(5):  # its job ends once the run has ended
                while True:
                    async with session_factory(engine)() as session:
                        jobs = await session.scalar(
                            sql_text("SELECT count(*) FROM procrastinate_jobs")
                        )
                    if jobs == 0:
                        break
                    await asyncio.sleep(0.05)
        finally:
            await engine.dispose()
        assert ended_apart == []  # the job ended in the run's end statement, not on its own


async def test_sync_runs_taken_while_their_project_is_busy_wait_their_turn(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, concurrent_jobs_limit=1) as client:
        owner = await sign_up(client)
        slow = (
            "export const code = async (inputs) => {"
            " await new Promise((r) => setTimeout(r, 400)); return inputs.n }"
        )
        document = flow(
            code("step_1", slow, n="{{trigger.body.n}}"),
            respond("step_2", body={"n": "{{step_1}}"}),
        )
        flow_id = await publish(client, owner, document.model_dump(mode="json"))
        answers = await asyncio.gather(
            *(client.post(f"/webhooks/{flow_id}/sync", json={"n": n}) for n in range(3))
        )
        assert [answer.status_code for answer in answers] == [200] * 3
        assert [answer.json()["n"] for answer in answers] == [0, 1, 2]
        finished = [
            await finished_run(client, owner, answer.headers["x-piecework-run-id"])
            for answer in answers
        ]
    spans = sorted((run["startTime"], run["finishTime"]) for run in finished)
    for (_, earlier_end), (later_start, _) in itertools.pairwise(spans):
        assert later_start >= earlier_end, spans


async def test_a_sync_run_in_flight_when_its_server_stops_is_recovered_by_the_next(
    tmp_path: Path, database_url: str
) -> None:
    slow = "export const code = async () => { await new Promise((r) => setTimeout(r, 5000)); return 7 }"
    document = flow(code("step_1", slow), respond("step_2", body={"n": "{{step_1}}"}))
    engine = create_engine(database_url)

    async def state(run_id: str) -> tuple[str | None, list[str]]:
        async with session_factory(engine)() as session:
            status = await session.scalar(
                sql_text("SELECT status FROM flow_runs WHERE id = :id"), {"id": run_id}
            )
            jobs = await session.scalars(
                sql_text("SELECT status::text FROM procrastinate_jobs WHERE args->>'run_id' = :id"),
                {"id": run_id},
            )
            return status, list(jobs)

    try:
        async with serve_app(tmp_path, database_url, worker_stalled_s=3.0) as client:
            owner = await sign_up(client)
            flow_id = await publish(client, owner, document.model_dump(mode="json"))
            call = asyncio.create_task(client.post(f"/webhooks/{flow_id}/sync", json={}))
            run_id = None
            for _ in range(200):  # the run is RUNNING in this server's engine
                await asyncio.sleep(0.05)
                listed = await client.get(
                    "/flow-runs",
                    params={"projectId": owner.project_id, "flowId": flow_id},
                    headers=owner.headers,
                )
                runs_now = listed.json()["data"]
                if runs_now and runs_now[0]["status"] == "RUNNING":
                    run_id = runs_now[0]["id"]
                    break
            assert run_id is not None
            call.cancel()
        # Stopped mid-run: the run and its job are left for recovery, not ended.
        assert await state(run_id) == ("RUNNING", ["doing"])
        async with serve_app(tmp_path, database_url, worker_stalled_s=3.0) as client:
            run = await finished_run(client, owner, run_id, timeout_s=60)
        assert run["status"] == "SUCCEEDED"
        assert run["steps"]["step_2"]["output"] == {"status": 200, "headers": {}, "body": {"n": 7}}
    finally:
        await engine.dispose()


async def test_a_flow_turned_off_or_republished_after_a_call_is_read_again(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(api, owner, flow(respond("step_1", body={"v": 1})).model_dump())
    first = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert first.json() == {"v": 1}  # the server now remembers the flow as enabled, at v1
    for operation in (
        {"type": "IMPORT_FLOW", "request": flow(respond("step_1", body={"v": 2})).model_dump()},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        changed = await api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert changed.status_code == 200, changed.text
    republished = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert republished.json() == {"v": 2}
    off = await api.post(
        f"/flows/{flow_id}",
        json={"type": "CHANGE_STATUS", "request": {"status": "DISABLED"}},
        headers=owner.headers,
    )
    assert off.status_code == 200, off.text
    refused = await api.post(f"/webhooks/{flow_id}", json={})
    assert refused.status_code == 404
    assert refused.json()["code"] == "FLOW_NOT_FOUND"
    listed = await api.get(
        "/flow-runs",
        params={"projectId": owner.project_id, "flowId": flow_id},
        headers=owner.headers,
    )
    assert len(listed.json()["data"]) == 2
