"""The reservation ledger with an injected clock: each submission counts exactly once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.policy import Limit, Refusal
from bot.quota.ledger import Ledger, Reservation
from bot.store.types import Spend, Usage

EMPTY = Usage(active_tasks=0, last_submit_at=None, user_today=Spend(), guild_today=Spend())
COST = Spend(10, Decimal("1.50"))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def allow() -> None:
    return None


async def test_a_reservation_counts_for_its_user_and_guild_until_released():
    clock = Clock()
    ledger = Ledger(clock=clock)
    held = await ledger.reserve(1, 7, COST, allow)
    assert isinstance(held, Reservation)

    mine = ledger.add_pending(EMPTY, user_id=1, guild_id=7)
    assert (mine.active_tasks, mine.last_submit_at, mine.user_today) == (1, 1000.0, COST)
    assert mine.guild_today == COST
    neighbour = ledger.add_pending(EMPTY, user_id=2, guild_id=7)
    assert (neighbour.active_tasks, neighbour.user_today, neighbour.guild_today) == (
        0,
        Spend(),
        COST,
    )
    assert ledger.add_pending(EMPTY, user_id=2, guild_id=8) == EMPTY
    assert ledger.on_the_way == 1

    ledger.release(held)
    assert ledger.add_pending(EMPTY, user_id=1, guild_id=7) == EMPTY
    assert ledger.on_the_way == 0


async def test_a_refusal_reserves_nothing():
    ledger = Ledger(clock=Clock())
    refusal = Refusal(Limit.RUNNING, in_use=3, allowed=3)

    async def refuse() -> Refusal:
        return refusal

    assert await ledger.reserve(1, 7, COST, refuse) is refusal
    assert ledger.on_the_way == 0


async def test_two_quick_reservations_are_decided_one_after_the_other():
    ledger = Ledger(clock=Clock())
    seen: list[int] = []

    async def at_most_one() -> Refusal | None:
        usage = ledger.add_pending(EMPTY, user_id=1, guild_id=None)
        seen.append(usage.active_tasks)
        await asyncio.sleep(0)  # a store query in between must not let the other one in
        return Refusal(Limit.RUNNING, in_use=1, allowed=1) if usage.active_tasks else None

    first, second = await asyncio.gather(
        ledger.reserve(1, None, COST, at_most_one), ledger.reserve(1, None, COST, at_most_one)
    )
    assert isinstance(first, Reservation) and isinstance(second, Refusal)
    assert seen == [0, 1]


async def test_recording_moves_the_entry_from_the_ledger_into_the_store_exactly_once():
    ledger = Ledger(clock=Clock())
    held = await ledger.reserve(1, None, COST, allow)
    assert isinstance(held, Reservation)
    async with ledger.recorded(held):
        assert ledger.on_the_way == 1, "still counted while the store writes it"
    assert ledger.on_the_way == 0


async def test_an_unknown_outcome_is_held_until_such_a_task_would_have_ended():
    clock = Clock()
    ledger = Ledger(clock=clock)
    held = await ledger.reserve(1, None, COST, allow)
    assert isinstance(held, Reservation)
    ledger.hold(held, 600)
    ledger.release(held)
    assert ledger.add_pending(EMPTY, 1, None).active_tasks == 1, "a release does not end a hold"
    assert ledger.on_the_way == 0, "a held entry is not a submission on its way"
    clock.now += 600
    assert ledger.add_pending(EMPTY, 1, None) == EMPTY
