"""Figure 4: thousands of tasks in flight at once — peak memory, the global query cap, delivery.

Run in a fresh process (`python -m bench.scale --json`) so that the other benchmarks do not
inflate its peak RSS. The real Tracker, BailianClient and query share follow every task against
FakeBailian (in this same process, so the peak RSS includes the fake and its records of every
request: an upper bound for the bot alone). Submits go through GenerationService (HTTP + SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    Row,
    cap_row,
    delivered_row,
    make_request,
    once_and_twice,
    peak_rss_mb,
    submit_tracked,
    until,
)
from bench.tracking import tracking_pipeline
from bot.tracking.settings import TrackerSettings
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan

RSS_TARGET_MB = 150.0
QUERY_CAP_PER_S = 200.0
SETTINGS = TrackerSettings(
    concurrency=8,
    max_queries_per_second=QUERY_CAP_PER_S,
    min_interval_s=1.0,
    max_interval_s=5.0,
    jitter=0.1,
    deadline_s=600.0,
    status_edit_interval_s=5.0,
)


@dataclass
class ScaleResults:
    tasks: int
    cap: float
    peak_rss_mb: float = 0.0
    peak_in_flight: int = 0
    max_queries_1s: int = 0
    queries: int = 0
    delivered_once: int = 0
    delivered_twice: int = 0
    wall_s: float = 0.0
    submit_s: float = 0.0

    def rows(self) -> list[Row]:
        return [
            Row(
                f"peak RSS, {self.tasks} tasks (peak {self.peak_in_flight} in flight)",
                self.peak_rss_mb,
                "MB",
                target=f"< {RSS_TARGET_MB:.0f} MB",
                met=self.peak_rss_mb < RSS_TARGET_MB,
            ),
            cap_row("most queries in any 1 s window", self.max_queries_1s, self.cap),
            delivered_row(
                self.delivered_once, self.delivered_twice, self.tasks, self.queries, self.wall_s
            ),
        ]


async def run(tasks: int = 5000, submit_concurrency: int = 50) -> ScaleResults:
    results = ScaleResults(tasks=tasks, cap=QUERY_CAP_PER_S)
    started = time.monotonic()
    rng = random.Random(5000)
    # Long enough that every task is still running when the last one is submitted.
    lifetime_s = 2.0 + tasks / 600

    def plan(payload: dict[str, Any]) -> TaskPlan:
        return TaskPlan(pending_s=lifetime_s + rng.uniform(0, 5), running_s=5.0, video_bytes=0)

    fake = FakeBailian()
    fake.plan_factory = plan
    async with tracking_pipeline(fake, SETTINGS) as pipeline:
        service, tracker = pipeline.service, pipeline.tracker
        notifier = pipeline.notifier
        sampler = asyncio.create_task(_sample_in_flight(tracker, results))
        try:
            slots = asyncio.Semaphore(submit_concurrency)

            async def submit(seed: int) -> None:
                async with slots:
                    await submit_tracked(service, make_request(seed=seed))

            await asyncio.gather(*(submit(seed) for seed in range(tasks)))
            results.submit_s = time.monotonic() - started
            # The tracker has no event to wait on when it follows no task: poll (bounded).
            await until(
                lambda: not tracker.active_count,
                300,
                "tasks still tracked after the scale run's deadline",
                0.1,
            )
        finally:
            sampler.cancel()
    results.peak_rss_mb = peak_rss_mb()
    results.max_queries_1s = fake.max_queries_in_window(1.0)
    results.queries = len(fake.queries)
    counts = [len(notifier.delivered_at.get(task_id, [])) for task_id in fake.tasks]
    results.delivered_once, results.delivered_twice = once_and_twice(counts)
    results.wall_s = time.monotonic() - started
    return results


async def _sample_in_flight(tracker: Tracker, results: ScaleResults) -> None:
    while True:
        results.peak_in_flight = max(results.peak_in_flight, tracker.active_count)
        await asyncio.sleep(0.1)


def run_in_subprocess(tasks: int, timeout_s: float = 400) -> ScaleResults:
    """Run this module in a fresh interpreter and read its results back."""
    import subprocess

    completed = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--tasks", str(tasks), "--json"],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return ScaleResults(**json.loads(completed.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = asyncio.run(run(args.tasks))
    if args.json:
        print(json.dumps(results.__dict__))
    else:
        from bench.common import format_table

        print(format_table(results.rows()))


if __name__ == "__main__":
    main()
