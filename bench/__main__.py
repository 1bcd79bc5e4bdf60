"""`python -m bench [--only PART,…] [--quick] [--json FILE]`: run the
benchmarks against the loopback fakes and print one table (see BENCHMARKS.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import budget, delivery, interactions, many, scale, tracking, workloads
from bench.common import Row, format_table, median, percentile


def interaction_rows(parts: set[str], quick: bool) -> list[Row]:
    sizes = dict(single=30, burst=50, rounds=1) if quick else {}
    print("running ack/cost (our bot and a bare bot, fake Discord + fake API)…", file=sys.stderr)
    rows = []
    for row in asyncio.run(interactions.run(**sizes)).rows():
        is_ack = row.figure.startswith("ack")
        if ("ack" in parts and is_ack) or ("cost" in parts and not is_ack):
            rows.append(row)
    return rows


def tracking_rows(parts: set[str], quick: bool) -> list[Row]:
    sizes = dict(warm_per_key=10, pairs_per_key=5) if quick else {}
    print("running tracking (ours vs SDK wait(), ×50 time)…", file=sys.stderr, flush=True)
    tracked = asyncio.run(tracking.run(**sizes))
    spread = f"{median(tracked.durations_s):.0f} s / {percentile(tracked.durations_s, 95):.0f} s"
    label = f"task durations replayed: median / p95 (log-σ {tracked.log_sigma:.2f})"
    return [Row(label, spread), *tracked.rows()]


def workload_rows(parts: set[str], quick: bool) -> list[Row]:
    print("running workloads (simulated time)…", file=sys.stderr, flush=True)
    return [row for result in workloads.run() for row in result.rows()]  # seconds even in full


def budget_rows(parts: set[str], quick: bool) -> list[Row]:
    print("running budget (simulated time, query cap)…", file=sys.stderr, flush=True)
    return budget.run(quick=quick).rows()


def scale_rows(parts: set[str], quick: bool) -> list[Row]:
    tasks = 500 if quick else 5000
    print(f"running scale ({tasks} tasks, fresh process)…", file=sys.stderr, flush=True)
    return scale.run_in_subprocess(tasks).rows()


def delivery_rows(parts: set[str], quick: bool) -> list[Row]:
    print("running delivery (fetch RSS, fit 1080P to 10 MiB)…", file=sys.stderr, flush=True)
    return asyncio.run(delivery.run(quick))


# Each part: a function (chosen parts, quick) -> rows, in the table's order. "ack" and "cost"
# come from one run.
PARTS: dict[str, Callable[[set[str], bool], list[Row]]] = {
    "ack": interaction_rows,
    "cost": interaction_rows,
    "tracking": tracking_rows,
    "workloads": workload_rows,
    "budget": budget_rows,
    "scale": scale_rows,
    "delivery": delivery_rows,
    "many": lambda parts, quick: many.rows(quick),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS)
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: well under a minute")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.ERROR)  # the bot's INFO lines would drown the table

    print(f"machine: {machine()}", flush=True)
    rows: list[Row] = []
    started = time.monotonic()
    done: set[Callable[[set[str], bool], list[Row]]] = set()
    for name, part in PARTS.items():
        if name in parts and part not in done:
            done.add(part)
            rows.extend(part(parts, args.quick))
    print(format_table(rows))
    print(f"total {time.monotonic() - started:.0f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps([row.to_json() for row in rows], indent=2))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
