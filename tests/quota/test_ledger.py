"""The reservation ledger over both real stores, with an injected clock: each submission counts
exactly once, whichever process made it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

from bot.policy import Limit, Refusal
from bot.quota.ledger import Ledger, Reservation
from bot.store.protocol import TaskStore
from bot.store.types import Intent, Spend, Usage
from tests.store.conftest import backend, postgres_server, postgres_url, store
from tests.store.test_contract import record

__all__ = ["backend", "postgres_server", "postgres_url", "store"]

EMPTY = Usage(active_tasks=0, last_submit_at=None, user_today=Spend(), guild_today=Spend())
COST = Spend(10, Decimal("1.50"))
DEADLINE_S = 600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def allow() -> None:
    return None


async def test_a_reservation_counts_for_its_user_and_guild_until_released(store: TaskStore):
    ledger = Ledger(store, clock=Clock())
    held = await ledger.reserve(1, 7, COST, allow, hold_for_s=DEADLINE_S)
    assert isinstance(held, Reservation)

    mine = await ledger.add_pending(EMPTY, user_id=1, guild_id=7)
    assert (mine.active_tasks, mine.last_submit_at, mine.user_today) == (1, 1000.0, COST)
    assert mine.guild_today == COST
    neighbour = await ledger.add_pending(EMPTY, user_id=2, guild_id=7)
    assert (neighbour.active_tasks, neighbour.user_today, neighbour.guild_today) == (
        0,
        Spend(),
        COST,
    )
    assert await ledger.add_pending(EMPTY, user_id=2, guild_id=8) == EMPTY
    assert ledger.on_the_way == 1

    await ledger.release(held)
    assert await ledger.add_pending(EMPTY, user_id=1, guild_id=7) == EMPTY
    assert ledger.on_the_way == 0


async def test_a_refusal_reserves_nothing(store: TaskStore):
    ledger = Ledger(store, clock=Clock())
    refusal = Refusal(Limit.RUNNING, in_use=3, allowed=3)

    async def refuse() -> Refusal:
        return refusal

    assert await ledger.reserve(1, 7, COST, refuse, hold_for_s=DEADLINE_S) is refusal
    assert ledger.on_the_way == 0
    assert await ledger.add_pending(EMPTY, user_id=1, guild_id=7) == EMPTY


async def test_two_quick_reservations_are_decided_one_after_the_other(store: TaskStore):
    ledger = Ledger(store, clock=Clock())
    seen: list[int] = []

    async def at_most_one() -> Refusal | None:
        usage = await ledger.add_pending(EMPTY, user_id=1, guild_id=None)
        seen.append(usage.active_tasks)
        await asyncio.sleep(0)  # a store query in between must not let the other one in
        return Refusal(Limit.RUNNING, in_use=1, allowed=1) if usage.active_tasks else None

    first, second = await asyncio.gather(
        ledger.reserve(1, None, COST, at_most_one, hold_for_s=DEADLINE_S),
        ledger.reserve(1, None, COST, at_most_one, hold_for_s=DEADLINE_S),
    )
    assert isinstance(first, Reservation) and isinstance(second, Refusal)
    assert seen == [0, 1]


async def test_storing_the_task_moves_the_count_from_the_hold_to_the_task_exactly_once(
    store: TaskStore,
):
    ledger = Ledger(store, clock=Clock())
    held = await ledger.reserve(42, None, COST, allow, hold_for_s=DEADLINE_S)
    assert isinstance(held, Reservation)

    await store.add(replace(record("t1"), created_at=1000.0), reservation=held.id)
    ledger.stored(held)
    await ledger.release(held)  # as the service's finally does: a no-op now

    usage = await ledger.add_pending(await store.usage(42, None, 0.0), 42, None)
    assert usage.active_tasks == 1, "the task counts, its hold no longer"
    assert ledger.on_the_way == 0


async def test_an_unknown_outcome_is_held_until_such_a_task_would_have_ended(store: TaskStore):
    clock = Clock()
    ledger = Ledger(store, clock=clock)
    held = await ledger.reserve(1, None, COST, allow, hold_for_s=DEADLINE_S)
    assert isinstance(held, Reservation)
    ledger.hold(held)
    await ledger.release(held)
    usage = await ledger.add_pending(EMPTY, 1, None)
    assert usage.active_tasks == 1, "a release does not end a hold"
    assert ledger.on_the_way == 0, "a held entry is not a submission on its way"
    clock.now += DEADLINE_S
    assert await ledger.add_pending(EMPTY, 1, None) == EMPTY


INTENT = Intent(channel_id=5, locale=None, private=False, model="m", duration=5, prompt_start="p")


async def test_a_hold_is_the_intent_a_later_start_reports_unless_the_member_was_told(
    store: TaskStore,
):
    clock = Clock()
    ledger = Ledger(store, clock=clock)
    cancelled = await ledger.reserve(
        1, None, COST, allow, hold_for_s=DEADLINE_S, intent=INTENT, owner="w1"
    )
    answered = await ledger.reserve(
        1, None, COST, allow, hold_for_s=DEADLINE_S, intent=INTENT, owner="w1"
    )
    assert isinstance(cancelled, Reservation) and isinstance(answered, Reservation)
    ledger.hold(cancelled)  # cancelled after sending: nobody told the member
    await ledger.told(answered, task_id="t-1")  # "submitted as t-1, but not recorded"

    assert ledger.on_the_way == 0
    usage = await ledger.add_pending(EMPTY, 1, None)
    assert usage.active_tasks == 2, "both may be billed: both count"
    found = await store.open_intents("w2", clock.now + 1, clock.now)
    assert [(i.id, i.intent, i.task_id) for i in found] == [(cancelled.id, INTENT, None)]
