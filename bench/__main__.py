"""`python -m bench [--only ack,cost,tracking,scale,delivery] [--quick] [--json FILE]`: run the
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
from pathlib import Path

from bench import delivery, interactions, scale, tracking
from bench.common import Row, format_table, median, percentile

PARTS = ("ack", "cost", "tracking", "scale", "delivery")


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
    if parts & {"ack", "cost"}:
        sizes = dict(single=30, burst=50, rounds=1) if args.quick else {}
        print("running ack/cost (real bot, fake Discord + fake API)…", file=sys.stderr, flush=True)
        results = asyncio.run(interactions.run(**sizes))
        for row in results.rows():
            is_ack = row.figure.startswith("ack")
            if ("ack" in parts and is_ack) or ("cost" in parts and not is_ack):
                rows.append(row)
    if "tracking" in parts:
        sizes = dict(warm_per_key=10, pairs_per_key=5) if args.quick else {}
        print("running tracking (ours vs SDK wait(), ×50 time)…", file=sys.stderr, flush=True)
        tracked = asyncio.run(tracking.run(**sizes))
        spread = (
            f"{median(tracked.durations_s):.0f} s / {percentile(tracked.durations_s, 95):.0f} s"
        )
        label = f"task durations replayed: median / p95 (log-σ {tracked.log_sigma:.2f})"
        rows.append(Row(label, spread))
        rows.extend(tracked.rows())
    if "scale" in parts:
        tasks = 500 if args.quick else 5000
        print(f"running scale ({tasks} tasks, fresh process)…", file=sys.stderr, flush=True)
        rows.extend(scale.run_in_subprocess(tasks).rows())
    if "delivery" in parts:
        print("running delivery (fetch RSS, fit 1080P to 10 MiB)…", file=sys.stderr, flush=True)
        rows.extend(Row.from_json(row) for row in asyncio.run(delivery.run(args.quick)))
    print(format_table(rows))
    print(f"total {time.monotonic() - started:.0f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps([row.to_json() for row in rows], indent=2))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
