"""Async webhook intake of a personal-mode server: accepted events per second, none lost.

`POST /api/v1/webhooks/{id}` answers 200 `{runId}` once the event is stored as a QUEUED run and
its job is in the Postgres queue. This sends `--requests` events with `hey` at each concurrency
(the benchmark flow of `webhook_sync.py`, so the worker runs them meanwhile), then waits until
the queue drains and counts the runs: every accepted event must be exactly one SUCCEEDED run.

Usage: .venv/bin/python bench/webhook_async.py [--requests 5000] [--concurrency 10,50]
       [--drain-timeout 900]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from webhook_sync import count_runs, hey, publish, say, start, stop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", default="10,50")
    parser.add_argument("--drain-timeout", type=float, default=900)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    os.chmod(tmp, 0o755)  # as root, Postgres runs as `pgserver` and must reach the data dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    server = start(tmp / "data", tmp / "server.log", env)
    try:
        flow_id = publish(server)
        url = f"{server.url}/api/v1/webhooks/{flow_id}"
        accepted = 1
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            measured = hey(url, requests=args.requests, concurrency=concurrency)
            accepted += args.requests - int(measured["non_200"])
            say(
                f"c={concurrency}: {measured['rps']:.0f} events/s accepted, P50 "
                f"{measured['p50_ms']:.1f} ms, P99 {measured['p99_ms']:.1f} ms, "
                f"{measured['non_200']:.0f} not accepted",
            )
        began = time.perf_counter()
        while True:
            runs = count_runs(server, flow_id)
            done = runs.get("SUCCEEDED", 0) + runs.get("FAILED", 0)
            if done >= accepted or time.perf_counter() - began > args.drain_timeout:
                break
            time.sleep(5)
        drained_s = time.perf_counter() - began
        say(
            f"accepted {accepted} events; runs {runs} "
            f"(queue drained {drained_s:.0f} s after the last event)"
        )
        if runs.get("SUCCEEDED", 0) != accepted or sum(runs.values()) != accepted:
            raise SystemExit("LOST OR DUPLICATED EVENTS: runs do not match accepted events")
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
