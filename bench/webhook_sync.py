"""Sync webhook throughput and latency of a personal-mode server: the seed's benchmark flow.

The flow is Activepieces' benchmark workload and the peers' (`../shared/bench/peers/`):
Catch Webhook → Code (`{sum: a + b, echo: msg}`) → Return Response, called with
`POST /api/v1/webhooks/{id}/sync` and `{"a": 1, "b": 2, "msg": "hello"}`. Every call is a durably
recorded run (queued in Postgres, its log checkpointed) whose code step runs isolated in Deno.

Measured, on a fresh data dir:
  - start: process spawn → first served request, for the first start (creates the database)
    and a restart on the same data dir (the usual case);
  - idle memory of the whole local server (server process, engine template and processes, Deno,
    Postgres and its backends) after the restart and again 5 s after the load: resident (its
    distinct physical pages, `bench/resident.py`), RSS summed, and PSS;
  - for each concurrency, after a warm-up, `--reps` runs of `--requests` requests with `hey`:
    req/s, mean, P50, P90, P99, non-200 answers, CPU seconds per process kind, peak RSS;
  - afterwards: that the server recorded exactly one SUCCEEDED run per request;
  - with `--cold-after-minutes M` (PW_ENGINE_COLD_AFTER_MINUTES): the memory once the engine
    pool has gone cold after the load, and the time of the first sync call then.
Medians over the repetitions are printed as a table and written as JSON (`--json`).

Usage: .venv/bin/python bench/webhook_sync.py [--requests 2000] [--concurrency 1,10,50]
       [--reps 3] [--warmup 200] [--cold-after-minutes M] [--json FILE]
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from resident import resident_mb  # noqa: E402 (the sibling module, found through the path above)

BODY = '{"a": 1, "b": 2, "msg": "hello"}'
EXPECT = {"sum": 3, "echo": "hello"}
CODE = "export const code = async (inputs) => ({ sum: inputs.a + inputs.b, echo: inputs.msg })"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def flow_document() -> dict[str, Any]:
    """Catch Webhook → Code → Return Response."""
    return {
        "displayName": "Benchmark",
        "trigger": {
            "name": "trigger",
            "type": "PIECE_TRIGGER",
            "settings": {
                "pieceName": "webhook",
                "pieceVersion": "0.1.0",
                "triggerName": "catch_webhook",
                "input": {},
            },
        },
        "steps": [
            {
                "name": "code",
                "type": "CODE",
                "settings": {
                    "sourceCode": {"code": CODE, "packageJson": "{}"},
                    "input": {
                        "a": "{{trigger.body.a}}",
                        "b": "{{trigger.body.b}}",
                        "msg": "{{trigger.body.msg}}",
                    },
                },
            },
            {
                "name": "respond",
                "type": "PIECE",
                "settings": {
                    "pieceName": "webhook",
                    "pieceVersion": "0.1.0",
                    "actionName": "return_response",
                    "input": {
                        "status": 200,
                        "headers": {},
                        "body_type": "json",
                        "body": "{{code}}",
                    },
                },
            },
        ],
    }


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    data_dir: Path
    url: str = ""
    token: str = ""
    started_s: float = 0.0


def start(data_dir: Path, log: Path, env: dict[str, str]) -> Server:
    """Spawns `piecework server` and waits for its first served request (GET /health)."""
    began = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/piecework"), "server", "--data-dir", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = Server(process, data_dir)
    deadline = began + 120
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited {process.returncode}; see {log}")
        try:
            info = json.loads((data_dir / "server.json").read_text())
            if httpx.get(info["url"] + "/api/v1/health", timeout=2).status_code == 200:
                server.url, server.token = info["url"], info["token"]
                server.started_s = time.perf_counter() - began
                return server
        except (OSError, ValueError, KeyError, httpx.HTTPError):
            pass
        time.sleep(0.01)
    process.kill()
    raise SystemExit(f"the server did not start in 120 s; see {log}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def processes(server: Server) -> dict[int, str]:
    """Every process of the local server by pid, labelled server / deno / postgres / other."""
    found: dict[int, str] = {}
    try:
        root = psutil.Process(server.process.pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    data = str(server.data_dir)
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "postgres" in cmdline and data in cmdline:
            tree.append(proc)
            tree.extend(proc.children(recursive=True))
    for proc in tree:
        try:
            name = proc.name()
        except psutil.NoSuchProcess:
            continue
        if proc.pid == server.process.pid:
            found[proc.pid] = "server"
        elif "deno" in name:
            found[proc.pid] = "deno"
        elif "postgres" in name or "postmaster" in name:
            found[proc.pid] = "postgres"
        else:
            found[proc.pid] = "other"
    return found


def memory_mb(server: Server) -> dict[str, float]:
    """Memory of the whole local server in MB: resident (distinct pages, `bench/resident.py`;
    NaN when not root), RSS summed, PSS summed, and RSS per kind."""
    found = processes(server)
    resident = resident_mb(found)
    totals: dict[str, float] = {
        "resident": float("nan") if resident is None else resident,
        "rss": 0.0,
        "pss": 0.0,
    }
    for pid, kind in found.items():
        try:
            full = psutil.Process(pid).memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        totals["rss"] += full.rss / 2**20
        totals["pss"] += full.pss / 2**20
        totals[f"rss_{kind}"] = totals.get(f"rss_{kind}", 0.0) + full.rss / 2**20
    return totals


@dataclass(eq=False)
class Sampler(threading.Thread):
    """Peak RSS and CPU seconds per process kind while a load run goes on."""

    server: Server
    peak_rss_mb: float = 0.0
    cpu_first: dict[int, float] = field(default_factory=dict)
    cpu_last: dict[int, float] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def snap(self, *, first: bool) -> None:
        rss = 0.0
        for pid, kind in processes(self.server).items():
            try:
                proc = psutil.Process(pid)
                times = proc.cpu_times()
                rss += proc.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                continue
            cpu = times.user + times.system
            if pid not in self.cpu_first:
                self.cpu_first[pid] = cpu if first else 0.0
                self.kinds[pid] = kind
            self.cpu_last[pid] = cpu
        self.peak_rss_mb = max(self.peak_rss_mb, rss)

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.snap(first=False)

    def cpu_by_kind(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for pid, last in self.cpu_last.items():
            kind = self.kinds[pid]
            used[kind] = used.get(kind, 0.0) + last - self.cpu_first[pid]
        return used


def hey(url: str, *, requests: int, concurrency: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "hey",
            "-n",
            str(requests),
            "-c",
            str(concurrency),
            "-m",
            "POST",
            "-T",
            "application/json",
            "-d",
            BODY,
            "-t",
            "60",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        return float(found.group(1)) if found else float("nan")

    ok = number(r"\[200\]\s+(\d+) responses")
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "mean_ms": number(r"Average:\s+([\d.]+) secs") * 1000,
        "p50_ms": number(r"50%+ in ([\d.]+) secs") * 1000,
        "p90_ms": number(r"90%+ in ([\d.]+) secs") * 1000,
        "p99_ms": number(r"99%+ in ([\d.]+) secs") * 1000,
        "non_200": requests - (0 if ok != ok else ok),
    }


def publish(server: Server) -> str:
    api = server.url + "/api/v1"
    headers = {"Authorization": f"Bearer {server.token}"}
    project = httpx.get(f"{api}/projects", headers=headers).json()["data"][0]["id"]
    created = httpx.post(
        f"{api}/flows", json={"displayName": "Benchmark", "projectId": project}, headers=headers
    )
    flow_id = str(created.json()["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": flow_document()},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        httpx.post(
            f"{api}/flows/{flow_id}", json=operation, headers=headers, timeout=60
        ).raise_for_status()
    answer = httpx.post(
        f"{api}/webhooks/{flow_id}/sync",
        content=BODY,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    if answer.json() != EXPECT:
        raise SystemExit(f"the flow answered {answer.status_code} {answer.text}")
    return flow_id


def count_runs(server: Server, flow_id: str) -> dict[str, int]:
    """Runs of the flow by status, read page by page through the API."""
    api = server.url + "/api/v1"
    headers = {"Authorization": f"Bearer {server.token}"}
    project = httpx.get(f"{api}/projects", headers=headers).json()["data"][0]["id"]
    counts: dict[str, int] = {}
    cursor: str | None = None
    with httpx.Client(timeout=60) as client:
        while True:
            params: dict[str, Any] = {"projectId": project, "flowId": flow_id, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = client.get(f"{api}/flow-runs", params=params, headers=headers).json()
            for run in page["data"]:
                counts[run["status"]] = counts.get(run["status"], 0) + 1
            cursor = page.get("next")
            if not cursor:
                return counts


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cold-after-minutes", type=float)
    args = parser.parse_args()
    if shutil.which("hey") is None:
        raise SystemExit("hey is needed: apt-get install hey")
    levels = [int(c) for c in args.concurrency.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    os.chmod(tmp, 0o755)  # as root, Postgres runs as `pgserver` and must reach the data dir
    data_dir, log = tmp / "data", tmp / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    if args.cold_after_minutes is not None:
        env["PW_ENGINE_COLD_AFTER_MINUTES"] = str(args.cold_after_minutes)
    report: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "requests": args.requests}
    server = start(data_dir, log, env)
    report["first_start_s"] = server.started_s
    try:
        flow_id = publish(server)
        stop(server)
        server = start(data_dir, log, env)
        report["start_s"] = server.started_s
        time.sleep(5)
        report["idle_mb"] = memory_mb(server)
        url = f"{server.url}/api/v1/webhooks/{flow_id}/sync"
        hey(url, requests=args.warmup, concurrency=10)
        sent = 1 + args.warmup
        report["levels"] = {}
        for concurrency in levels:
            hey(url, requests=args.warmup, concurrency=concurrency)
            sent += args.warmup
            runs = []
            for _ in range(args.reps):
                sampler = Sampler(server)
                sampler.snap(first=True)
                sampler.start()
                measured = hey(url, requests=args.requests, concurrency=concurrency)
                sampler.done.set()
                sampler.join()
                sampler.snap(first=False)
                sent += args.requests
                cpu = sampler.cpu_by_kind()
                measured.update(
                    {f"cpu_{kind}_s": cpu.get(kind, 0.0) for kind in ("server", "deno", "postgres")}
                )
                measured["peak_rss_mb"] = sampler.peak_rss_mb
                runs.append(measured)
            report["levels"][concurrency] = median_of(runs)
            say(f"c={concurrency}: {json.dumps(report['levels'][concurrency])}")
        time.sleep(5)
        # Every engine process is still up (the extra ones stop after a minute idle).
        report["after_runs_mb"] = memory_mb(server)
        if args.cold_after_minutes is not None:
            time.sleep(args.cold_after_minutes * 60 + 10)  # the keeper looks every 5 s
            report["cold_mb"] = memory_mb(server)
            began = time.perf_counter()
            hey(url, requests=1, concurrency=1)
            report["first_call_when_cold_ms"] = (time.perf_counter() - began) * 1000
            sent += 1
            time.sleep(2)
        report["runs"] = count_runs(server, flow_id)
        report["requests_sent"] = sent
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def print_table(report: dict[str, Any]) -> None:
    idle = report["idle_mb"]
    say(
        f"\nstart to first served request: {report['start_s']:.2f} s "
        f"(first start, creating the database: {report['first_start_s']:.2f} s)"
    )
    say(
        f"idle memory: {idle['resident']:.0f} MB resident (distinct pages; RSS summed"
        f" {idle['rss']:.0f} MB, PSS {idle['pss']:.0f} MB); "
        + ", ".join(f"{k[4:]} {v:.0f}" for k, v in idle.items() if k.startswith("rss_"))
    )
    after = report["after_runs_mb"]
    say(
        f"5 s after the runs: {after['resident']:.0f} MB resident (RSS summed"
        f" {after['rss']:.0f} MB, PSS {after['pss']:.0f} MB); "
        + ", ".join(f"{k[4:]} {v:.0f}" for k, v in after.items() if k.startswith("rss_"))
    )
    if "cold_mb" in report:
        cold = report["cold_mb"]
        say(
            f"gone cold: {cold['resident']:.0f} MB resident (RSS summed {cold['rss']:.0f} MB,"
            f" PSS {cold['pss']:.0f} MB); "
            + ", ".join(f"{k[4:]} {v:.0f}" for k, v in cold.items() if k.startswith("rss_"))
            + f"; first call then {report['first_call_when_cold_ms']:.0f} ms (hey included)"
        )
    say(
        "\n| concurrency | req/s | mean ms | P50 ms | P90 ms | P99 ms | non-200 | CPU s server / deno / postgres | peak RSS MB |"
    )
    say("|---|---|---|---|---|---|---|---|---|")
    for concurrency, m in report["levels"].items():
        say(
            f"| {concurrency} | {m['rps']:.0f} | {m['mean_ms']:.1f} | {m['p50_ms']:.1f} | "
            f"{m['p90_ms']:.1f} | {m['p99_ms']:.1f} | {m['non_200']:.0f} | "
            f"{m['cpu_server_s']:.1f} / {m['cpu_deno_s']:.1f} / {m['cpu_postgres_s']:.1f} | "
            f"{m['peak_rss_mb']:.0f} |"
        )
    runs = report["runs"]
    say(f"\nruns recorded: {runs} for {report['requests_sent']} requests sent")


if __name__ == "__main__":
    main()
