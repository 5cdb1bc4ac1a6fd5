"""Code-step speed: latency and sustained executions/s of the Deno code runtime, seen from Python.

For a trivial step (`return inputs.a + inputs.b`), per runtime mode: median and p99 latency at
low load (one execution at a time, spaced so the pool can refill), then sustained executions per
second with 1, 4 and 16 concurrent callers. The process-per-call mode (PW_CODE_POOL_SIZE=0, what
Piecework did before the pool) runs beside the pool for comparison, and the experimental
context mode (PW_CODE_ISOLATION=CONTEXT) after it.

Usage: .venv/bin/python bench/code_steps.py [--runs N] [--seconds S] [--pool-size N]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.runtime.code_runtime import DenoCodeRuntime  # noqa: E402
from engine.runtime.deno_contexts import CodeIsolation  # noqa: E402

TRIVIAL = "export const code = async (inputs) => inputs.a + inputs.b"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def low_load_latency(runtime: DenoCodeRuntime, *, runs: int, gap_s: float) -> list[float]:
    samples = []
    for i in range(runs):
        await asyncio.sleep(gap_s)
        started = time.perf_counter()
        result = await runtime.run(TRIVIAL, {"a": i, "b": 1})
        samples.append((time.perf_counter() - started) * 1000)
        assert result.output == i + 1
    return samples


async def sustained(
    runtime: DenoCodeRuntime, *, callers: int, seconds: float
) -> tuple[float, list[float]]:
    samples: list[float] = []
    deadline = time.perf_counter() + seconds

    async def caller(offset: int) -> int:
        done = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            result = await runtime.run(TRIVIAL, {"a": offset, "b": done})
            samples.append((time.perf_counter() - started) * 1000)
            assert result.output == offset + done
            done += 1
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(caller(i) for i in range(callers)))
    return sum(counts) / (time.perf_counter() - started), samples


async def measure(name: str, runtime: DenoCodeRuntime, args: argparse.Namespace) -> None:
    try:
        await runtime.run(TRIVIAL, {"a": 1, "b": 2})
        await asyncio.sleep(0.5)
        latency = await low_load_latency(runtime, runs=args.runs, gap_s=args.gap)
        sys.stdout.write(
            f"{name}: low-load latency median {statistics.median(latency):.1f} ms,"
            f" p99 {percentile(latency, 0.99):.1f} ms, min {min(latency):.1f} ms (n={len(latency)})\n"
        )
        for callers in (1, 4, 16):
            await asyncio.sleep(0.5)
            rate, samples = await sustained(runtime, callers=callers, seconds=args.seconds)
            sys.stdout.write(
                f"{name}: {callers:>2} callers: {rate:6.1f} executions/s,"
                f" median {statistics.median(samples):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms\n"
            )
    finally:
        await runtime.close()


async def main(args: argparse.Namespace) -> None:
    cache = Path(tempfile.mkdtemp(prefix="pw-bench-deno-"))
    await measure(
        "process per call (pool size 0)", DenoCodeRuntime(cache_dir=cache, pool_size=0), args
    )
    await measure(
        f"pre-started processes (pool size {args.pool_size})",
        DenoCodeRuntime(cache_dir=cache, pool_size=args.pool_size),
        args,
    )
    await measure(
        f"experimental fresh V8 contexts in {args.pool_size} warm processes",
        DenoCodeRuntime(cache_dir=cache, pool_size=args.pool_size, isolation=CodeIsolation.CONTEXT),
        args,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="low-load executions per mode")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between low-load runs")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each load level")
    parser.add_argument("--pool-size", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
