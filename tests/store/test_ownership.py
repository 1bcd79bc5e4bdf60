"""Several bot processes on one database: each active task has one owner, a dead owner's tasks
are taken over by exactly one live process, a process that lost a task can no longer write it,
tasks handed over become orphans, and the shares of the query cap never add up to more than the
cap. Run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from dataclasses import replace

import asyncpg

from bot.api.models import TaskStatus
from bot.store.protocol import TaskStore
from bot.store.records import Phase
from bot.store.types import ProcessName, ShareGrant, Worker, Workforce
from bot.tracking.ownership import new_worker_id
from tests.common import stored
from tests.store.conftest import Backend
from tests.store.test_contract import record

TIMEOUT_S = 30.0
NOW = 10_000.0


async def owners(backend: Backend) -> dict[str, str | None]:
    query = "SELECT task_id, owner FROM tasks"
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            return dict(db.execute(query).fetchall())
    conn = await asyncpg.connect(backend.location)
    try:
        return {row["task_id"]: row["owner"] for row in await conn.fetch(query)}
    finally:
        await conn.close()


async def test_a_live_owner_keeps_its_tasks(store: TaskStore):
    await store.heartbeat("a", NOW)
    await store.add(record("t1"), owner="a")

    assert await store.claim_orphans("b", NOW + TIMEOUT_S, TIMEOUT_S, limit=10) == []
    assert await store.save(replace(record("t1"), raw_status="RUNNING"), owner="a") is True
    assert (await stored(store, "t1")).raw_status == "RUNNING"


async def test_a_dead_owners_tasks_go_to_the_claimer_which_alone_may_save_them(
    store: TaskStore, backend: Backend
):
    await store.heartbeat("a", NOW)
    await store.add(record("t1", raw_status="RUNNING"), owner="a")
    later = NOW + TIMEOUT_S + 1

    claimed = await store.claim_orphans("b", later, TIMEOUT_S, limit=10)

    assert claimed == [record("t1", raw_status="RUNNING")]
    assert (await owners(backend))["t1"] == "b"
    assert await store.save(replace(record("t1"), raw_status="STALE"), owner="a") is False
    assert (await stored(store, "t1")).raw_status == "RUNNING"
    assert await store.save(replace(record("t1"), raw_status="FRESH"), owner="b") is True
    assert (await stored(store, "t1")).raw_status == "FRESH"
    # b is alive now (claiming is a heartbeat): a, back from its pause, cannot take it back.
    assert await store.claim_orphans("a", later + 1, TIMEOUT_S, limit=10) == []


async def test_orphans_are_unowned_or_dead_owned_active_tasks_oldest_first(store: TaskStore):
    await store.heartbeat("dead", NOW - TIMEOUT_S - 1)
    await store.heartbeat("alive", NOW - 1)
    await store.add(record("unowned", created_at=3.0))
    await store.add(record("dead-owner", created_at=2.0), owner="dead")
    await store.add(record("unknown-owner", created_at=4.0), owner="never-heartbeat")
    await store.add(record("alive-owner", created_at=1.0), owner="alive")
    await store.add(record("mine", created_at=0.5), owner="me")
    await store.add(record("done", created_at=0.0, phase=Phase.DONE), owner="dead")
    await store.add(record("delivering", created_at=5.0, phase=Phase.DELIVERING), owner="dead")

    first = await store.claim_orphans("me", NOW, TIMEOUT_S, limit=2)
    rest = await store.claim_orphans("me", NOW, TIMEOUT_S, limit=10)

    assert [r.task_id for r in first] == ["dead-owner", "unowned"]
    assert [r.task_id for r in rest] == ["unknown-owner", "delivering"]
    assert await store.claim_orphans("me", NOW, TIMEOUT_S, limit=10) == []


async def test_the_workforce_is_the_live_workers_with_their_process_share_and_tasks(
    store: TaskStore, backend: Backend
):
    assert await store.workforce(NOW, TIMEOUT_S) == Workforce((), 0)
    here = ProcessName("host-a", "boot pid:[4026531836]", 4321, 987654321)
    await store.register("b", NOW - 5, here)
    await store.register("a", NOW - TIMEOUT_S - 1, None)  # dead
    await store.claim_orphans("c", NOW, TIMEOUT_S, limit=1)  # a heartbeat of an unnamed one
    await store.add(record("t1", created_at=1.0), owner="b")
    await store.add(record("t2", created_at=2.0), owner="b")
    await store.add(record("t3", created_at=3.0), owner="a")
    await store.add(record("t4", created_at=4.0))
    await store.add(record("t5", created_at=5.0, phase=Phase.DONE), owner="b")
    await store.take_share("b", 3, cap=5, now=NOW, timeout_s=TIMEOUT_S, window_s=1.0)

    force = await store.workforce(NOW, TIMEOUT_S)

    # b registered through this store, which holds its lock (SQLite); c only sent a heartbeat.
    locked = True if backend.name == "sqlite" else None
    assert force == Workforce(
        (
            Worker("b", NOW - 5, here, share=3, tasks=2, lock_held=locked),
            Worker("c", NOW, None, share=0, tasks=0),
        ),
        orphans=2,
    )
    assert force.tasks == 4
    await store.heartbeat("a", NOW)  # a heartbeat moves forward, it does not add a worker
    assert [w.owner for w in (await store.workforce(NOW, TIMEOUT_S)).workers] == ["a", "b", "c"]


async def test_shares_of_the_cap_never_add_up_to_more_than_the_cap(store: TaskStore):
    def take(owner: str, wanted: int, now: float = NOW) -> Awaitable[ShareGrant]:
        return store.take_share(owner, wanted, cap=10, now=now, timeout_s=TIMEOUT_S, window_s=1.0)

    for owner in ("a", "b", "c"):
        await store.heartbeat(owner, NOW)
    assert await take("a", 6) == ShareGrant(6, 0.0)
    assert await take("b", 6) == ShareGrant(4, 0.0), "what a leaves"
    assert await take("c", 1) == ShareGrant(0, 0.0)
    # a gives some back: the time it did is told to whoever takes it next.
    assert await take("a", 3, NOW + 1) == ShareGrant(3, 0.0)
    assert await take("c", 3, NOW + 2) == ShareGrant(3, NOW + 1)
    assert await take("b", 4, NOW + 3) == ShareGrant(4, NOW + 1), "keeping a share frees none"


async def test_a_dead_workers_share_is_held_for_a_window_past_its_timeout(store: TaskStore):
    await store.heartbeat("a", NOW)
    await store.heartbeat("b", NOW)
    await store.take_share("a", 8, cap=10, now=NOW, timeout_s=TIMEOUT_S, window_s=1.0)
    past_timeout = NOW + TIMEOUT_S + 0.5

    taken = await store.take_share(
        "b", 10, cap=10, now=past_timeout, timeout_s=TIMEOUT_S, window_s=1.0
    )
    later = await store.take_share(
        "b", 10, cap=10, now=past_timeout + 1, timeout_s=TIMEOUT_S, window_s=1.0
    )

    assert (taken.queries, later.queries) == (2, 10)


async def test_handed_over_tasks_are_orphans_and_only_the_owners_active_ones_go(
    store: TaskStore, backend: Backend
):
    await store.heartbeat("a", NOW)
    await store.heartbeat("b", NOW)
    await store.add(record("t1", created_at=1.0), owner="a")
    await store.add(record("t2", created_at=2.0), owner="a")
    await store.add(record("t3", created_at=3.0), owner="b")
    await store.add(record("t4", phase=Phase.DONE, status=TaskStatus.SUCCEEDED), owner="a")

    moved = await store.hand_over("a", ["t1", "t3", "t4", "ghost"])

    assert moved == 1
    assert [r.task_id for r in await store.owned("a")] == ["t2"]
    assert (await owners(backend))["t4"] == "a"
    assert [r.task_id for r in await store.claim_orphans("c", NOW, TIMEOUT_S, 10)] == ["t1"]
    assert await store.hand_over("a", []) == 0


async def test_a_released_workers_tasks_are_orphans_at_once(store: TaskStore, backend: Backend):
    await store.heartbeat("a", NOW)
    await store.add(record("t1"), owner="a")
    await store.add(record("t2", phase=Phase.DONE, status=TaskStatus.SUCCEEDED), owner="a")
    await store.take_share("a", 4, cap=4, now=NOW, timeout_s=TIMEOUT_S, window_s=1.0)

    await store.release("a", NOW + 1)

    assert (await store.workforce(NOW + 1, TIMEOUT_S)).workers == ()
    assert [r.task_id for r in await store.claim_orphans("b", NOW, TIMEOUT_S, 10)] == ["t1"]
    assert (await owners(backend))["t2"] == "a"  # history keeps who followed it
    # Its share is free at once, to be used once its last queries are out of the window.
    grant = await store.take_share("b", 4, cap=4, now=NOW + 2, timeout_s=TIMEOUT_S, window_s=1.0)
    assert grant == ShareGrant(4, NOW + 1)


async def test_a_fenced_save_of_an_unowned_or_unknown_task_writes_nothing(store: TaskStore):
    await store.add(record("t1"))

    assert await store.save(replace(record("t1"), raw_status="X"), owner="a") is False
    assert await store.save(record("ghost"), owner="a") is False
    assert await store.get("t1") == record("t1")


def test_worker_ids_are_unique():
    assert len({new_worker_id() for _ in range(100)}) == 100


async def test_concurrent_claimers_never_claim_a_task_twice(backend: Backend):
    tasks = 2000
    setup = await backend.open()
    await setup.heartbeat("dead", NOW - TIMEOUT_S - 1)
    for n in range(tasks):
        await setup.add(record(f"t{n:04}", created_at=float(n)), owner="dead" if n % 2 else None)
    claimers = [await backend.open() for _ in range(4)]

    async def claim_all(store: TaskStore, owner: str) -> list[str]:
        got: list[str] = []
        while batch := await store.claim_orphans(owner, NOW, TIMEOUT_S, limit=37):
            got += [r.task_id for r in batch]
        return got

    try:
        results = await asyncio.gather(
            *(claim_all(store, f"worker-{n}") for n, store in enumerate(claimers))
        )
    finally:
        for store in [setup, *claimers]:
            await store.close()

    claimed = [task_id for result in results for task_id in result]
    assert len(claimed) == tasks
    assert set(claimed) == {f"t{n:04}" for n in range(tasks)}
    stored = await owners(backend)
    for n, result in enumerate(results):
        assert {stored[task_id] for task_id in result} <= {f"worker-{n}"}
