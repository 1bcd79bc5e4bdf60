"""Holds for submissions on their way, on both stores: checked and inserted under one lock that
separate stores (processes) share, swapped for the task in one write, expiring on their own."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.store.protocol import TaskStore
from bot.store.types import Hold, Spend
from tests.store.conftest import Backend
from tests.store.test_contract import record

NOW = 10_000.0
MEMBER = 42
GUILD = 7


def hold(until: float = NOW + 600, user_id: int = MEMBER) -> Hold:
    return Hold(user_id, GUILD, NOW, Spend(5, Decimal("1.5")), until)


async def on_the_way_and_stored(store: TaskStore) -> tuple[int, int]:
    holds = await store.holds(MEMBER, None, NOW)
    usage = await store.usage(MEMBER, None, 0.0)
    return len(holds), usage.active_tasks


async def test_one_member_racing_from_two_processes_gets_one_place(backend: Backend):
    first, second = await backend.open(), await backend.open()
    try:

        async def at_most_one(store: TaskStore) -> str | None:
            held = await on_the_way_and_stored(store)
            await asyncio.sleep(0.05)  # the other process tries meanwhile
            return "refused" if sum(held) >= 1 else None

        results = await asyncio.gather(
            first.reserve(hold(), lambda: at_most_one(first)),
            second.reserve(hold(), lambda: at_most_one(second)),
        )
    finally:
        await first.close()
        await second.close()
    assert sorted(map(type, results), key=str) == sorted([int, str], key=str), results


async def test_a_stored_task_replaces_its_hold_in_one_write(store: TaskStore):
    async def fits() -> None:
        return None

    reservation = await store.reserve(hold(), fits)
    assert isinstance(reservation, int)
    assert await on_the_way_and_stored(store) == (1, 0)
    [held] = await store.holds(MEMBER, GUILD, NOW)
    assert held.spend == Spend(5, Decimal("1.5"))

    await store.add(record("t1", requester_id=MEMBER, created_at=NOW), reservation=reservation)

    assert await on_the_way_and_stored(store) == (0, 1), "counted exactly once"


async def test_a_hold_counts_until_it_expires_or_is_dropped(store: TaskStore):
    async def fits() -> None:
        return None

    lasting = await store.reserve(hold(until=NOW + 600), fits)
    await store.reserve(hold(until=NOW + 1), fits)
    assert isinstance(lasting, int)
    assert len(await store.holds(MEMBER, None, NOW)) == 2
    assert len(await store.holds(MEMBER, None, NOW + 1)) == 1, "the short one expired"
    assert len(await store.holds(0, GUILD, NOW)) == 2, "a guild sees its members' holds"
    assert len(await store.holds(None, GUILD, NOW)) == 2, "no member: the guild's holds alone"

    await store.drop_hold(lasting)
    assert await store.holds(MEMBER, None, NOW + 1) == []
