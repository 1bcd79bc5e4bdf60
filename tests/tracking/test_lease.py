"""The lease a tracker holds its tasks under, on SQLite and PostgreSQL alike: what it claims and
leaves, when a dead worker's tasks move (at its timeout, or at once when its process is proven
gone), fenced saves, the stall that fences it until it has re-read what it still owns, tasks
and shares of the query cap that follow the work, the release at a clean stop, and the lease of
a process alone on its store.

The holder is a real tracker that is not started: it follows what the lease hands it and polls
nothing, so what it follows is exactly what the lease decided."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.api.client import BailianClient
from bot.store.protocol import TaskStore
from bot.store.records import Phase
from bot.store.sqlite import SqliteTaskStore
from bot.store.types import ProcessName
from bot.tracking.ownership import Lease, SharedLease, SoleLease, this_process
from bot.tracking.rate_limit import Cap, QueryShare
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, ManualClock
from fakes.recording import RecordingNotifier
from tests.conftest import FAST_TRACKING, eventually
from tests.pg import postgres_server, postgres_url
from tests.store.conftest import Backend, backend, store
from tests.store.test_contract import record

__all__ = ["backend", "postgres_server", "postgres_url", "store"]

TIMEOUT_S = 30.0
SETTINGS = replace(FAST_TRACKING, worker_timeout_s=TIMEOUT_S, claim_interval_s=60.0)


@pytest.fixture
async def client() -> AsyncIterator[BailianClient]:
    async with FakeBailian() as api, aiohttp.ClientSession() as session:
        yield BailianClient(session, api.base_url, api.api_key)


def holder(client: BailianClient, store: TaskStore, lease: Lease, **options) -> Tracker:
    return Tracker(client, store, RecordingNotifier(), SETTINGS, lease=lease, **options)


def followed(tracker: Tracker) -> list[str]:
    return sorted(r.task_id for r in tracker.tracked_records())


def lease_loops() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "r2v-ownership"]


async def test_a_lease_takes_the_orphans_and_leaves_a_live_workers_tasks(store, client):
    now = time.time()
    await store.heartbeat("dead", now - TIMEOUT_S - 1)
    await store.heartbeat("live", now)
    await store.add(record("unowned", created_at=1.0))
    await store.add(record("of-the-dead", created_at=2.0), owner="dead")
    await store.add(record("of-the-living", created_at=3.0), owner="live")
    await store.add(record("also-of-the-living", created_at=4.0), owner="live")
    lease = SharedLease(store, "me", SETTINGS)
    tracker = holder(client, store, lease)

    await lease.start(tracker)
    try:
        # Its part: half of the four active tasks.
        assert followed(tracker) == ["of-the-dead", "unowned"]
        assert [r.task_id for r in await store.owned("me")] == ["unowned", "of-the-dead"]
        assert tracker.owner == "me"
    finally:
        await lease.release()


async def test_a_dead_workers_tasks_and_share_move_at_its_timeout(store, client):
    settings = replace(SETTINGS, worker_timeout_s=1.0)
    await store.heartbeat("other", time.time())
    await store.add(record("t1", created_at=time.time()), owner="other")
    share = QueryShare(Cap(10, 1.0))
    lease = SharedLease(store, "me", settings, share=share)
    tracker = holder(client, store, lease)

    await lease.start(tracker)
    try:
        # other is live and has the one task: most of the cap is its, once it asks.
        assert followed(tracker) == [] and share.promised == 1

        # Claims come every 60 s only: the take-over is timed by other's heartbeat.
        async def taken_over() -> bool:
            return followed(tracker) == ["t1"] and share.promised == 10

        await eventually(taken_over, 5, what="the take-over at other's timeout")
        assert [r.task_id for r in await store.owned("me")] == ["t1"]
    finally:
        await lease.release()


async def test_a_save_writes_only_while_the_task_is_held(store, client, caplog):
    caplog.set_level(logging.INFO, logger="bot.tracking.ownership")
    await store.add(record("t1"))
    lease = SharedLease(store, "me", SETTINGS)
    await lease.start(holder(client, store, lease))
    try:
        assert await lease.save(record("t1", raw_status="RUNNING")) is True
        # Past this process's timeout, as another worker sees it, the task is an orphan.
        later = time.time() + TIMEOUT_S + 1
        assert [r.task_id for r in await store.claim_orphans("other", later, TIMEOUT_S, 1)] == [
            "t1"
        ]

        assert await lease.save(record("t1", raw_status="STALE")) is False
    finally:
        await lease.release()
    stored = await store.get("t1")
    assert stored is not None and stored.raw_status == "RUNNING"
    assert "task t1 is followed by another process now" in caplog.text


async def test_a_stalled_lease_is_fenced_until_it_has_reread_what_it_still_owns(
    store, client, caplog
):
    settings = replace(SETTINGS, worker_timeout_s=0.4)
    clock = ManualClock(10_000.0)
    await store.add(record("first", created_at=1.0))
    await store.add(record("second", created_at=2.0))
    lease = SharedLease(store, "me", settings, clock=clock.now)
    tracker = holder(client, store, lease, clock=clock.now)
    await lease.start(tracker)
    try:
        assert not lease.fenced and followed(tracker) == ["first", "second"]
        # This process stalls: another worker, past its timeout, takes the oldest task.
        taken = await store.claim_orphans("other", clock.now() + 10, 0.4, 1)
        assert [r.task_id for r in taken] == ["first"]

        clock.advance(0.21)  # no heartbeat for over half the timeout
        assert lease.fenced and followed(tracker) == ["first", "second"]

        async def renewed() -> bool:
            return not lease.fenced

        await eventually(renewed, 5, what="the lease to renew after the stall")
        assert followed(tracker) == ["second"]
        assert await lease.save(record("first", raw_status="RUNNING")) is False
        assert await lease.save(record("second", raw_status="RUNNING")) is True
    finally:
        await lease.release()
    assert "heartbeat renewed after a stall; 1 task(s) had moved to other processes" in (
        caplog.text
    )


async def test_a_release_hands_every_task_and_the_share_over_at_once(store, client):
    await store.add(record("t1"))
    share = QueryShare(Cap(5, 1.0))
    lease = SharedLease(store, "me", SETTINGS, process=here(), share=share)
    await lease.start(holder(client, store, lease))
    assert lease_loops(), "the lease is kept in the background"
    assert share.queries == 5

    await lease.release()

    now = time.time()
    assert lease_loops() == [], "nothing renews a released lease"
    assert share.queries == 0
    assert (await store.workforce(now, TIMEOUT_S)).workers == ()
    assert [r.task_id for r in await store.claim_orphans("other", now, TIMEOUT_S, 10)] == ["t1"]
    taken = await store.take_share("other", 5, cap=5, now=now, timeout_s=TIMEOUT_S, window_s=1.1)
    assert taken.queries == 5 and taken.freed_at <= now


async def test_a_process_that_returns_gets_its_part_back_and_the_shares_follow(
    store, backend, client, caplog
):
    caplog.set_level(logging.INFO, logger="bot.tracking.ownership")
    settings = replace(SETTINGS, claim_interval_s=0.1)
    await store.add(record("delivering", created_at=0.0, phase=Phase.DELIVERING))
    for n in range(1, 7):
        await store.add(record(f"t{n}", created_at=float(n)))
    busy_share = QueryShare(Cap(4, 1.0))
    busy_lease = SharedLease(store, "busy", settings, share=busy_share)
    busy = holder(client, store, busy_lease)
    await busy_lease.start(busy)
    second = await backend.open()
    back_share = QueryShare(Cap(4, 1.0))
    back_lease = SharedLease(second, "back", settings, share=back_share)
    back = holder(client, second, back_lease)
    try:
        assert len(followed(busy)) == 7 and busy_share.promised == 4, "alone, it has it all"
        await back_lease.start(back)

        async def even() -> bool:
            assert not set(followed(busy)) & set(followed(back)), "a task followed twice"
            return (len(followed(busy)), len(followed(back))) == (4, 3) and (
                busy_share.promised,
                back_share.promised,
            ) == (2, 2)

        await eventually(even, 10, what="the work and the cap to be split evenly")
    finally:
        await back_lease.release()
        await busy_lease.release()
        await second.close()
    assert followed(back) == ["t1", "t2", "t3"], "the ones polled longest ago (never: oldest)"
    assert "delivering" in followed(busy), "a delivery in progress stays where it is"
    assert "handed 3 task(s) over to less busy processes" in caplog.text


@contextmanager
def a_process() -> Iterator[int]:
    """Another program, running until the block ends; its pid."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


def started(pid: int) -> int:
    """Field 22 of /proc/<pid>/stat: clock ticks from boot to the process's start."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def here() -> ProcessName:
    me = this_process()
    assert me is not None, "the tests run on Linux"
    return me


@asynccontextmanager
async def a_predecessor(
    backend: Backend, process: ProcessName | None, tasks: list[str], *, running: bool
) -> AsyncIterator[None]:
    """A worker that sent its heartbeat just now, in `process`, with these tasks, through a
    store of its own: open for the block while it is `running` (on SQLite its lock is held),
    else closed before it (its lock free, as the end of its process leaves it)."""
    theirs = await backend.open()
    try:
        await theirs.register("old", time.time(), process)
        for n, task_id in enumerate(tasks):
            await theirs.add(record(task_id, created_at=float(n)), owner="old")
        if not running:
            await theirs.close()
        yield
    finally:
        if running:
            await theirs.close()


async def test_a_predecessor_whose_process_is_gone_is_taken_over_at_once(
    store, backend, client, caplog
):
    with a_process() as pid:
        gone = replace(here(), pid=pid, started=started(pid))
    async with a_predecessor(backend, gone, ["t1", "t2"], running=False):
        lease = SharedLease(store, "me", SETTINGS, process=here())
        tracker = holder(client, store, lease)
        await lease.start(tracker)
    try:
        assert followed(tracker) == ["t1", "t2"], "no wait for its heartbeat to time out"
        assert [w.owner for w in (await store.workforce(time.time(), TIMEOUT_S)).workers] == ["me"]
    finally:
        await lease.release()
    # One rule: on SQLite its lock tells first, on PostgreSQL its pid.
    proof = "its lock is free" if backend.name == "sqlite" else f"pid {pid} runs no more"
    assert f"worker old is gone ({proof}); its 2 task(s) are taken over now" in caplog.text


async def test_a_pid_reused_by_another_program_is_not_the_predecessor(store, backend, client):
    with a_process() as pid:
        # The pid names a live program, started at another time than the worker that had it.
        process = replace(here(), pid=pid, started=started(pid) - 1)
        async with a_predecessor(backend, process, ["t1"], running=False):
            lease = SharedLease(store, "me", SETTINGS, process=here())
            tracker = holder(client, store, lease)
            await lease.start(tracker)
            try:
                assert followed(tracker) == ["t1"]
            finally:
                await lease.release()


@contextmanager
def predecessor_process(where: str) -> Iterator[ProcessName | None]:
    """How a live worker's process is named: as it runs, in a pid space this process cannot
    look into (its pid is free here), or not at all (a worker of an older version)."""
    with a_process() as pid:
        alive = replace(here(), pid=pid, started=started(pid))
        if where == "running":
            yield alive
            return
    yield replace(alive, pid_space="another-boot pid:[1]") if where == "elsewhere" else None


@pytest.mark.parametrize("where", ["running", "elsewhere", "unnamed"])
async def test_a_predecessor_not_proven_gone_keeps_its_tasks(store, backend, client, where):
    with predecessor_process(where) as process:
        async with a_predecessor(backend, process, ["t1"], running=True):
            lease = SharedLease(store, "me", SETTINGS, process=here())
            tracker = holder(client, store, lease)
            await lease.start(tracker)
            try:
                assert followed(tracker) == []
            finally:
                await lease.release()
    assert [r.task_id for r in await store.owned("old")] == ["t1"]


def lock_files_folder(database: Path) -> Path:
    return database.with_name(f"{database.name}.workers")


def lock_files(database: Path) -> list[str]:
    folder = lock_files_folder(database)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def test_on_sqlite_a_free_lock_proves_a_worker_gone_where_its_pid_cannot(
    tmp_path, client, caplog
):
    # A container started again: the predecessor ran in a pid namespace this one cannot see.
    database = tmp_path / "tasks.sqlite3"
    backend = Backend("sqlite", lambda: SqliteTaskStore.open(database), str(database))
    elsewhere = replace(here(), pid_space="another-boot pid:[1]")
    store = await backend.open()
    try:
        async with a_predecessor(backend, elsewhere, ["t1"], running=False):
            assert lock_files(database) == ["old.lock"], "left by the predecessor"
            lease = SharedLease(store, "me", SETTINGS, process=here())
            tracker = holder(client, store, lease)
            await lease.start(tracker)
        try:
            assert followed(tracker) == ["t1"], "no wait for its heartbeat to time out"
            assert lock_files(database) == ["me.lock"], "the dead one's lock file is gone"
        finally:
            await lease.release()
        assert lock_files(database) == [], "a clean stop removes its own"
    finally:
        await store.close()
    assert "worker old is gone (its lock is free); its 1 task(s)" in caplog.text


async def test_on_sqlite_a_held_lock_keeps_a_worker_whose_pid_says_gone(tmp_path, client):
    database = tmp_path / "tasks.sqlite3"
    backend = Backend("sqlite", lambda: SqliteTaskStore.open(database), str(database))
    with a_process() as pid:
        gone = replace(here(), pid=pid, started=started(pid))
    store = await backend.open()
    try:
        async with a_predecessor(backend, gone, ["t1"], running=True):
            lease = SharedLease(store, "me", SETTINGS, process=here())
            tracker = holder(client, store, lease)
            await lease.start(tracker)
            try:
                assert followed(tracker) == []
            finally:
                await lease.release()
            assert lock_files(database) == ["old.lock"]
        assert [r.task_id for r in await store.owned("old")] == ["t1"]
    finally:
        await store.close()


async def test_on_sqlite_the_lock_files_of_workers_long_gone_are_removed(tmp_path, client):
    database = tmp_path / "tasks.sqlite3"
    store = await SqliteTaskStore.open(database)
    try:
        ancient = await SqliteTaskStore.open(database)
        await ancient.register("ancient", time.time() - TIMEOUT_S - 1, here())
        await ancient.close()
        # Its file written before its last heartbeat, and one of a worker registering now.
        os.utime(lock_files_folder(database) / "ancient.lock", (0, time.time() - TIMEOUT_S - 1))
        newcomer = await SqliteTaskStore.open(database)
        await newcomer.register("newcomer", time.time() - TIMEOUT_S - 1, here())
        await newcomer.close()
        lease = SharedLease(store, "me", SETTINGS, process=here())
        await lease.start(holder(client, store, lease))
        try:
            assert lock_files(database) == ["me.lock", "newcomer.lock"]
        finally:
            await lease.release()
    finally:
        await store.close()


async def test_a_process_gets_a_new_worker_id_at_every_start(store):
    first = SharedLease.for_this_process(store, SETTINGS)
    second = SharedLease.for_this_process(store, SETTINGS)

    assert first.owner != second.owner
    # host:pid:random, which the operator reads in the database and the process tests parse.
    assert first.owner.split(":")[1] == str(os.getpid())


async def test_a_process_alone_on_its_store_holds_every_active_task(store, client):
    await store.heartbeat("someone", time.time())
    await store.add(record("unowned", created_at=1.0))
    await store.add(record("owned", created_at=2.0), owner="someone")
    await store.add(record("done", created_at=3.0, phase=Phase.DONE))
    lease = SoleLease(store)
    tracker = holder(client, store, lease)

    await lease.start(tracker)

    assert followed(tracker) == ["owned", "unowned"]
    assert lease.owner is None and tracker.owner is None and not lease.fenced
    assert await lease.save(record("owned", raw_status="RUNNING")) is True
    assert await lease.save(record("ghost")) is False
    await lease.release()
    stored = await store.get("owned")
    assert stored is not None and stored.raw_status == "RUNNING"
    assert lease_loops() == []
