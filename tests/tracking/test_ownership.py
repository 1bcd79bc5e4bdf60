"""Trackers in several processes on one PostgreSQL: a killed owner's tasks are taken over after
the worker timeout and delivered once; an owner that was stopped and wakes up does not act on the
tasks it lost meanwhile, only on its part of the work handed back to it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from bot.api.client import BailianClient
from bot.store.postgres import PostgresTaskStore
from bot.store.records import Phase
from bot.tracking.ownership import SharedLease
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.recording import FileNotifier
from tests.conftest import FAST_TRACKING, eventually
from tests.pg import postgres_server, postgres_url
from tests.tracking.test_tracker import submit

__all__ = ["postgres_server", "postgres_url"]

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 1.0
TASKS = 5


@pytest.fixture
async def api() -> AsyncIterator[FakeBailian]:
    async with FakeBailian(default_plan=TaskPlan(pending_s=0.2, running_s=4.0)) as fake:
        yield fake


@pytest.fixture
async def parts(
    api: FakeBailian, postgres_url: str
) -> AsyncIterator[tuple[PostgresTaskStore, BailianClient]]:
    store = await PostgresTaskStore.open(postgres_url)
    async with aiohttp.ClientSession() as session:
        yield store, BailianClient(session, api.base_url, api.api_key)
    await store.close()


async def submit_orphans(client: BailianClient, store: PostgresTaskStore) -> list[str]:
    """Tasks in the store that no process owns yet."""
    return [(await submit(client, store)).task_id for _ in range(TASKS)]


class Worker:
    """`tests.tracking.worker` in its own process, its output in a file."""

    def __init__(self, process: asyncio.subprocess.Process, output: Path) -> None:
        self.process = process
        self.output = output

    def log(self) -> str:
        return self.output.read_text()

    def owner(self) -> str:
        return next(
            line.split()[1] for line in self.log().splitlines() if line.startswith("owner ")
        )

    async def wait_for_line(self, text: str) -> str:
        async def logged() -> bool:
            assert self.process.returncode is None, f"the worker died:\n{self.log()}"
            return text in self.log()

        await eventually(logged, 20, what=f"the worker to log {text!r}")
        return self.log()


@asynccontextmanager
async def worker(
    tmp_path: Path, url: str, api: FakeBailian, deliveries: Path
) -> AsyncIterator[Worker]:
    output = tmp_path / "worker.log"
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.tracking.worker",
            url,
            api.base_url,
            api.api_key,
            str(deliveries),
            str(TIMEOUT_S),
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        yield Worker(process, output)
    finally:
        if process.returncode is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
            await process.wait()


async def owners(url: str) -> dict[str, str | None]:
    db = await asyncpg.connect(url)
    try:
        rows = await db.fetch("SELECT task_id, owner FROM tasks")
    finally:
        await db.close()
    return {row["task_id"]: row["owner"] for row in rows}


async def all_running(store: PostgresTaskStore, ids: list[str]) -> bool:
    records = [await store.get(task_id) for task_id in ids]
    return all(r is not None and r.raw_status == "RUNNING" for r in records)


async def all_done(store: PostgresTaskStore, ids: list[str]) -> bool:
    records = [await store.get(task_id) for task_id in ids]
    return all(r is not None and r.phase is Phase.DONE for r in records)


def delivered(deliveries: Path) -> Counter[tuple[str, ...]]:
    if not deliveries.exists():
        return Counter()
    return Counter(tuple(line.split()) for line in deliveries.read_text().splitlines())


def a_tracker(client: BailianClient, store: PostgresTaskStore, deliveries: Path) -> Tracker:
    settings = replace(FAST_TRACKING, worker_timeout_s=TIMEOUT_S, claim_interval_s=0.2)
    lease = SharedLease(store, "b", settings)
    return Tracker(client, store, FileNotifier(deliveries, "b"), settings, lease=lease)


async def test_a_killed_owners_tasks_are_taken_over_after_the_timeout_and_delivered_once(
    tmp_path, api, parts, postgres_url
):
    store, client = parts
    ids = await submit_orphans(client, store)
    deliveries = tmp_path / "deliveries"
    async with worker(tmp_path, postgres_url, api, deliveries) as a:
        await a.wait_for_line("ready")
        a_owner = a.owner()
        tracker_b = a_tracker(client, store, deliveries)
        await tracker_b.start()
        try:
            await eventually(lambda: all_running(store, ids), 10, what="every task to run")
            assert set((await owners(postgres_url)).values()) == {a_owner}
            assert tracker_b.active_count == 0, "a live owner keeps its tasks"
            a.process.kill()
            await a.process.wait()
            await eventually(lambda: all_done(store, ids), 20, what="b to finish every task")
        finally:
            await tracker_b.stop()
    assert delivered(deliveries) == Counter({("b", task_id): 1 for task_id in ids})


async def test_a_stopped_owner_that_wakes_up_does_not_act_on_the_tasks_it_lost(
    tmp_path, api, parts, postgres_url
):
    store, client = parts
    ids = await submit_orphans(client, store)
    deliveries = tmp_path / "deliveries"
    async with worker(tmp_path, postgres_url, api, deliveries) as a:
        await a.wait_for_line("ready")
        await eventually(lambda: all_running(store, ids), 10, what="every task to run")
        os.kill(a.process.pid, signal.SIGSTOP)
        tracker_b = a_tracker(client, store, deliveries)
        await tracker_b.start()
        try:

            async def b_owns_all() -> bool:
                return set((await owners(postgres_url)).values()) == {"b"}

            await eventually(b_owns_all, 10, what="b to take over the stopped owner's tasks")
            os.kill(a.process.pid, signal.SIGCONT)
            log = await a.wait_for_line("had moved to other processes")
            assert f"{TASKS} task(s) had moved to other processes" in log
            await eventually(lambda: all_done(store, ids), 20, what="b to finish every task")
        finally:
            await tracker_b.stop()
        log = a.log()
    # Back, it gets its part of the work again: what b hands over after it woke up.
    once = delivered(deliveries)
    assert sorted(task_id for _, task_id in once) == sorted(ids) and set(once.values()) == {1}
    before, _, after = log.partition("had moved to other processes")
    assert "-> SUCCEEDED" not in before, "the woken owner polled a task it had lost"
    for task_id in ids:
        if f"task {task_id}: RUNNING -> SUCCEEDED" in after:
            assert ("b", task_id) not in once, "it finished only tasks handed back to it"
    assert "followed by another process now" not in log, "it tried to write a lost task"


async def test_a_refresh_of_another_processes_task_shows_it_fresh_without_following_it(api, parts):
    store, client = parts
    [task_id] = (await submit_orphans(client, store))[:1]
    await store.heartbeat("a", time.time())
    assert [r.task_id for r in await store.claim_orphans("a", time.time(), 60, 1)] == [task_id]
    await eventually(
        lambda: _running_at_the_api(api, task_id), 5, what="the task to run at the API"
    )
    tracker_b = a_tracker(client, store, Path("/dev/null"))
    await tracker_b.start()
    try:
        shown = await tracker_b.refresh(task_id)
    finally:
        await tracker_b.stop()
    assert shown is not None and shown.raw_status == "RUNNING", "queried now"
    assert not tracker_b.is_tracking(task_id), "no second tracker for a task a owns"
    stored = await store.get(task_id)
    assert stored is not None and stored.raw_status == "PENDING", "the owner writes it, not b"
    assert [r.task_id for r in await store.owned("a")] == [task_id]


async def _running_at_the_api(api: FakeBailian, task_id: str) -> bool:
    task = api.tasks[task_id]
    return task.status_at(api.clock.now()) == "RUNNING"
