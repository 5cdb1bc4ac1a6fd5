"""Code-step speed: latency and sustained executions/s of the Deno code runtime, seen from Python.

For a trivial step (`return inputs.a + inputs.b`), per mechanism: median and p99 latency at low
load (one execution at a time, spaced so pools can refill), then sustained executions per second
with 1, 4 and 16 concurrent callers, with the median and p99 latency under that load. Mechanisms:

- process per call (PW_CODE_ISOLATION=PROCESS, PW_CODE_POOL_SIZE=0)
- pre-started single-use processes (PW_CODE_ISOLATION=PROCESS, pool of 2)
- a fresh Worker per call in one warm Deno process (a harness in this file, for comparison only)
- the default: fresh V8 contexts in 2 warm processes (PW_CODE_ISOLATION=CONTEXT)

then, in the default mode, a step importing an npm package (is-odd 3.0.1, cached first; such a
step runs in a single-use process) and a `{{ }}` expression through `evaluate()`.

Usage: .venv/bin/python bench/code_steps.py [--runs N] [--seconds S] [--only NAME ...]
"""

import argparse
import asyncio
import itertools
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.runtime.code_runtime import DenoCodeRuntime  # noqa: E402
from engine.runtime.deno_contexts import CodeIsolation  # noqa: E402

TRIVIAL = "export const code = async (inputs) => inputs.a + inputs.b"
NPM_STEP = 'import isOdd from "is-odd";\nexport const code = async (inputs) => isOdd(inputs.a) ? inputs.a + inputs.b : inputs.b + inputs.a'
NPM_PACKAGE_JSON = '{"dependencies": {"is-odd": "3.0.1"}}'
EXPRESSION = "a + b"

#: Runs one execution with inputs {a, b} and returns a + b.
Call = Callable[[dict[str, int]], Awaitable[Any]]

WORKER_HARNESS = """
const encoder = new TextEncoder();
const stepUrl = new URL("./step.ts", import.meta.url).href;
async function handle(line) {
  const request = JSON.parse(line);
  const worker = new Worker(stepUrl, { type: "module" });
  const answer = await new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => { e.preventDefault(); resolve({ error: String(e.message) }); };
    worker.postMessage(request.inputs);
  });
  worker.terminate();
  await Deno.stdout.write(encoder.encode(JSON.stringify({ id: request.id, ...answer }) + "\\n"));
}
let buffer = "";
const decoder = new TextDecoder();
for await (const chunk of Deno.stdin.readable) {
  buffer += decoder.decode(chunk, { stream: true });
  let end;
  while ((end = buffer.indexOf("\\n")) >= 0) {
    handle(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
  }
}
"""


class WorkerPerCall:
    """A fresh Worker per execution in one warm Deno process: the mechanism the issue compares."""

    def __init__(self, runtime: DenoCodeRuntime) -> None:
        self._runtime = runtime
        self._process: asyncio.subprocess.Process | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count()
        self._reader: asyncio.Task[None] | None = None
        self._workdir = Path(tempfile.mkdtemp(prefix="pw-bench-worker-"))

    async def start(self) -> None:
        workdir = self._workdir
        (workdir / "runner.ts").write_text(WORKER_HARNESS, encoding="utf-8")
        step = (
            TRIVIAL
            + "\nself.onmessage = async (e) => self.postMessage({ output: await code(e.data) });\n"
        )
        (workdir / "step.ts").write_text(step, encoding="utf-8")
        self._process = await asyncio.create_subprocess_exec(
            *self._runtime.command(workdir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=workdir,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            answer = json.loads(line)
            self._waiting.pop(answer["id"]).set_result(answer.get("output"))

    async def run(self, inputs: dict[str, int]) -> Any:
        assert self._process is not None
        assert self._process.stdin is not None
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        self._process.stdin.write(json.dumps({"id": request_id, "inputs": inputs}).encode() + b"\n")
        return await future

    async def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            await self._process.wait()
        if self._reader is not None:
            self._reader.cancel()
        shutil.rmtree(self._workdir, ignore_errors=True)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def low_load_latency(call: Call, *, runs: int, gap_s: float) -> list[float]:
    samples = []
    for i in range(runs):
        await asyncio.sleep(gap_s)
        started = time.perf_counter()
        result = await call({"a": i, "b": 1})
        samples.append((time.perf_counter() - started) * 1000)
        assert result == i + 1, result
    return samples


async def sustained(call: Call, *, callers: int, seconds: float) -> tuple[float, list[float]]:
    samples: list[float] = []
    deadline = time.perf_counter() + seconds

    async def caller(offset: int) -> int:
        done = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            result = await call({"a": offset, "b": done})
            samples.append((time.perf_counter() - started) * 1000)
            assert result == offset + done, result
            done += 1
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(caller(i) for i in range(callers)))
    return sum(counts) / (time.perf_counter() - started), samples


async def measure(name: str, call: Call, args: argparse.Namespace) -> None:
    await call({"a": 1, "b": 2})
    await asyncio.sleep(0.5)
    latency = await low_load_latency(call, runs=args.runs, gap_s=args.gap)
    row = [
        f"{statistics.median(latency):.2f} ms",
        f"{percentile(latency, 0.99):.2f} ms",
    ]
    for callers in (1, 4, 16):
        await asyncio.sleep(0.5)
        rate, samples = await sustained(call, callers=callers, seconds=args.seconds)
        row.append(
            f"{rate:,.0f} /s (median {statistics.median(samples):.1f}, p99 {percentile(samples, 0.99):.1f} ms)"
        )
    sys.stdout.write(f"| {name} | " + " | ".join(row) + " |\n")
    sys.stdout.flush()


def step_call(runtime: DenoCodeRuntime, code: str, package_json: str = "{}") -> Call:
    async def call(inputs: dict[str, int]) -> Any:
        return (await runtime.run(code, inputs, package_json=package_json)).output

    return call


async def main(args: argparse.Namespace) -> None:
    cache = Path(tempfile.mkdtemp(prefix="pw-bench-deno-"))
    sys.stdout.write(
        "| mechanism | low-load median | low-load p99 | 1 caller | 4 callers | 16 callers |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )

    def runtime(**options: Any) -> DenoCodeRuntime:
        return DenoCodeRuntime(cache_dir=cache, **options)

    async def with_runtime(name: str, made: DenoCodeRuntime, call: Call) -> None:
        if args.only and not any(word in name for word in args.only):
            return
        try:
            await measure(name, call, args)
        finally:
            await made.close()

    per_call = runtime(pool_size=0, isolation=CodeIsolation.PROCESS)
    await with_runtime("process per call", per_call, step_call(per_call, TRIVIAL))
    pooled = runtime(pool_size=2, isolation=CodeIsolation.PROCESS)
    await with_runtime("pre-started single-use processes", pooled, step_call(pooled, TRIVIAL))
    if not args.only or any(word in "fresh Worker per call" for word in args.only):
        harness_runtime = runtime(pool_size=1)
        workers = WorkerPerCall(harness_runtime)
        await workers.start()
        try:
            await with_runtime("fresh Worker per call", harness_runtime, workers.run)
        finally:
            await workers.close()
    default = runtime(pool_size=2)
    await with_runtime(
        "default: fresh contexts in warm processes", default, step_call(default, TRIVIAL)
    )
    npm = runtime(pool_size=2)
    await npm.prepare(NPM_PACKAGE_JSON)
    await with_runtime("default, npm import", npm, step_call(npm, NPM_STEP, NPM_PACKAGE_JSON))
    expressions = runtime(pool_size=2)

    async def evaluate(inputs: dict[str, int]) -> Any:
        return await expressions.evaluate(EXPRESSION, inputs)

    await with_runtime("expression `a + b` (evaluate)", expressions, evaluate)
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="low-load executions per mechanism")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between low-load runs")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each load level")
    parser.add_argument("--only", nargs="*", help="measure only mechanisms whose name has a word")
    asyncio.run(main(parser.parse_args()))
