"""A burst of webhooks against real processes: every accepted call becomes exactly one run, and
the project's concurrency limit holds while the queue drains."""

import asyncio
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.e2e.processes import team, wait_for
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server

#: Webhook calls in the burst, and how many are in flight at once.
BURST = 1000
SENDERS = 20


async def _send_burst(url: str) -> list[httpx.Response]:
    gate = asyncio.Semaphore(SENDERS)
    limits = httpx.Limits(max_connections=SENDERS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def send(number: int) -> httpx.Response:
            async with gate:
                return await client.post(url, json={"n": number})

        return await asyncio.gather(*(send(n) for n in range(BURST)))


@pytest.mark.timeout(300)
def test_a_thousand_webhooks_become_a_thousand_runs_within_the_concurrency_limit(
    tmp_path: Path, database_url: str
) -> None:
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0
    numbers: list[int] = []

    def count(request: Received) -> Reply:
        nonlocal in_flight, most_in_flight
        with lock:
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
        time.sleep(0.005)  # long enough for a third run to show up if the limit leaked
        with lock:
            in_flight -= 1
            numbers.append(request.json()["n"])
        return Reply.json({})

    with (
        local_http_server(count) as side_effects,
        team(tmp_path, database_url, PW_DEFAULT_CONCURRENT_JOBS_LIMIT="2") as running,
    ):
        flow_id = running.publish(
            flow(
                piece(
                    "record",
                    "http",
                    "send_request",
                    method="POST",
                    url=f"{side_effects.url}/record",
                    body_type="json",
                    body={"n": "{{trigger.body.n}}"},
                )
            )
        )
        started = time.monotonic()
        answers = asyncio.run(_send_burst(f"{running.base}/webhooks/{flow_id}"))
        accepted_s = time.monotonic() - started
        assert {a.status_code for a in answers} == {200}, answers[0].text
        run_ids = {a.json()["runId"] for a in answers}
        assert len(run_ids) == BURST

        with psycopg.connect(running.env["PW_DATABASE_URL"], autocommit=True) as conn:

            def statuses() -> dict[str, int]:
                rows = conn.execute(
                    "SELECT status, count(*) FROM flow_runs WHERE flow_id = %s GROUP BY status",
                    (flow_id,),
                ).fetchall()
                return {str(status): int(n) for status, n in rows}

            wait_for(
                lambda: statuses() == {"SUCCEEDED": BURST},
                120,
                f"{BURST} runs to succeed ({statuses()})\n{running.logs()}",
            )
            drained_s = time.monotonic() - started
            listed = conn.execute(
                "SELECT id FROM flow_runs WHERE flow_id = %s", (flow_id,)
            ).fetchall()
        assert {str(row[0]) for row in listed} == run_ids
        assert sorted(numbers) == list(range(BURST))  # each run's side effect exactly once
        assert most_in_flight <= 2
        sys.stdout.write(
            f"burst of {BURST}: accepted in {accepted_s:.1f} s, all succeeded after {drained_s:.1f} s\n"
        )
