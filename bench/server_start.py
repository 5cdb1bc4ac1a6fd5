"""Start time of a personal-mode server: process spawn → first served request (GET /health).

Measures the first start on a fresh data dir (creates the PostgreSQL cluster and the database)
and then `--restarts` starts on the same data dir (the usual case: the app starting again),
reusing `bench/webhook_sync.py`'s start and stop. Prints the first start and the median, min and
max of the restarts.

Usage: .venv/bin/python bench/server_start.py [--restarts 5]
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import webhook_sync  # the sibling script, found through the path above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pw-bench-start-") as tmp:
        data_dir, log = Path(tmp) / "data", Path(tmp) / "server.log"
        env = dict(os.environ)
        server = webhook_sync.start(data_dir, log, env)
        first = server.started_s
        webhook_sync.stop(server)
        restarts = []
        for _ in range(args.restarts):
            server = webhook_sync.start(data_dir, log, env)
            restarts.append(server.started_s)
            webhook_sync.stop(server)
    webhook_sync.say(f"first start (creates the database): {first:.2f} s")
    webhook_sync.say(
        f"restart: median {statistics.median(restarts):.2f} s, min {min(restarts):.2f} s,"
        f" max {max(restarts):.2f} s ({', '.join(f'{t:.2f}' for t in restarts)})"
    )


if __name__ == "__main__":
    main()
