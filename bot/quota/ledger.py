"""Submissions on their way: they count against the limits until the store has their task.

Two quick commands (or a double click) must not both slip under a limit, and a submission must
never be counted twice, nor not at all, while it moves from "on its way" to "in the store".
The ledger holds one entry per submission on its way; `reserve` checks the limits and adds the
entry under one lock, and `recorded` removes it under the same lock while the caller writes
the task to the store. A submission whose outcome is unknown (the task may exist) is held until
such a task would have ended.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from bot.policy import Refusal
from bot.store.types import Spend, Usage


@dataclass(eq=False)
class Reservation:
    """One submission on its way."""

    user_id: int
    guild_id: int | None
    at: float
    spend: Spend
    # Set when the submit's outcome is unknown: counted until then.
    held_until: float | None = None


class Ledger:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = asyncio.Lock()
        self._entries: list[Reservation] = []

    async def reserve(
        self,
        user_id: int,
        guild_id: int | None,
        spend: Spend,
        decide: Callable[[], Awaitable[Refusal | None]],
    ) -> Reservation | Refusal:
        """Ask `decide` whether one more submission fits (it reads the store's usage plus
        `add_pending`); if it does, hold its place until `recorded` or `release`. No other
        reservation or recording happens in between."""
        async with self._lock:
            refusal = await decide()
            if refusal is not None:
                return refusal
            reservation = Reservation(user_id, guild_id, self._clock(), spend)
            self._entries.append(reservation)
            return reservation

    def add_pending(self, usage: Usage, user_id: int, guild_id: int | None) -> Usage:
        """`usage` from the store plus the submissions of this user and guild on their way."""
        now = self._clock()
        self._entries = [e for e in self._entries if e.held_until is None or e.held_until > now]
        mine = [e for e in self._entries if e.user_id == user_id]
        guild = [e for e in self._entries if guild_id is not None and e.guild_id == guild_id]
        if not mine and not guild:
            return usage
        last_times = [t for t in (usage.last_submit_at, *(e.at for e in mine)) if t is not None]
        return Usage(
            active_tasks=usage.active_tasks + len(mine),
            last_submit_at=max(last_times) if last_times else None,
            user_today=_plus(usage.user_today, (e.spend for e in mine)),
            guild_today=_plus(usage.guild_today, (e.spend for e in guild)),
        )

    @asynccontextmanager
    async def recorded(self, reservation: Reservation) -> AsyncIterator[None]:
        """Around the store write of the reservation's task: the entry leaves the ledger exactly
        when the task enters the store. If the write fails, the entry is held instead."""
        async with self._lock:
            yield
            self.release(reservation)

    def release(self, reservation: Reservation) -> None:
        """Stop counting a reservation, unless it is held because its task may exist."""
        if reservation.held_until is None and reservation in self._entries:
            self._entries.remove(reservation)

    def hold(self, reservation: Reservation, seconds: float) -> None:
        """Keep counting a submission whose task may exist without being in the store."""
        reservation.held_until = self._clock() + seconds

    @property
    def on_the_way(self) -> int:
        """Submissions sent (or about to be) whose task is not yet in the store."""
        return sum(1 for e in self._entries if e.held_until is None)


def _plus(base: Spend, extra: Iterable[Spend]) -> Spend:
    spends = list(extra)
    return Spend(
        seconds=base.seconds + sum(s.seconds for s in spends),
        amount=base.amount + sum((s.amount for s in spends), Decimal(0)),
    )
