"""Latency of the foundation slice: a Deno code step, and a sync webhook through a real server.

Usage: .venv/bin/python bench/slice_latency.py [--runs N]
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.runtime.code_runtime import DenoCodeRuntime  # noqa: E402
from tests.conftest import start_server_process, stop_server_process  # noqa: E402


def summary(name: str, samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"{name}: median {statistics.median(ordered):.1f} ms, p90 {p90:.1f} ms, min {ordered[0]:.1f} ms (n={len(ordered)})"


async def code_step(runs: int) -> list[float]:
    runtime = DenoCodeRuntime()
    source = "export const code = async (inputs) => ({ sum: inputs.a + inputs.b })"
    await runtime.run(source, {"a": 1, "b": 2})
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        result = await runtime.run(source, {"a": i, "b": 1})
        samples.append((time.perf_counter() - started) * 1000)
        assert result.output == {"sum": i + 1}
    return samples


def sync_webhook(runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server_process(Path(tmp) / "data")
        try:
            base = server.url + "/api/v1"
            headers = {"Authorization": f"Bearer {server.token}"}
            project = httpx.get(f"{base}/projects", headers=headers).json()["data"][0]["id"]
            flow_id = httpx.post(
                f"{base}/flows",
                json={"displayName": "bench", "projectId": project},
                headers=headers,
            ).json()["id"]
            document = json.loads((ROOT / "resources/samples/add_numbers_webhook.json").read_text())
            for op in (
                {"type": "IMPORT_FLOW", "request": document},
                {"type": "LOCK_AND_PUBLISH", "request": {}},
            ):
                httpx.post(f"{base}/flows/{flow_id}", json=op, headers=headers).raise_for_status()
            samples = []
            with httpx.Client(timeout=30) as client:
                client.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 0, "b": 0})
                for i in range(runs):
                    started = time.perf_counter()
                    response = client.post(f"{base}/webhooks/{flow_id}/sync", json={"a": i, "b": 1})
                    samples.append((time.perf_counter() - started) * 1000)
                    assert response.json()["sum"] == i + 1
            return samples
        finally:
            stop_server_process(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    sys.stdout.write(
        summary("code step (Deno runtime with its default pool)", asyncio.run(code_step(args.runs)))
        + "\n"
    )
    sys.stdout.write(summary("sync webhook round trip (2 steps)", sync_webhook(args.runs)) + "\n")


if __name__ == "__main__":
    main()
