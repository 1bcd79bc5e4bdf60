"""Submissions on their way: they count against the limits until the store has their task.

Two quick commands (or a double click, or two commands of one member in two servers served by
two processes) must not both slip under a limit, and a submission must never be counted twice,
nor not at all, while it moves from "on its way" to "in the store". Each submission on its way
is a hold in the store (`TaskStore.reserve`): the limits are checked and the hold inserted under
one lock per member that every process shares, and the store swaps the hold for the task in the
transaction that adds the task. A hold whose submit's outcome is unknown (the task may exist,
or the process died mid-submit) keeps counting until such a task would have ended: every hold is
written with that end, and only a stored task or a certain failure removes it sooner.

A hold is written before anything is paid, so it is also the submission's intent: it carries
what a later start needs to tell the member (`Intent`) and the worker that submits. Its task
replaces it in the store (`stored`); a certain failure drops it (`release`); when the member
heard from this process that the task may exist (`told`), it only counts on; a hold left open
(a crash, a stop, a store that failed as the task was written) is reported at a later start.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.policy import Refusal
from bot.store.protocol import TaskStore
from bot.store.types import Hold, Intent, Spend, Usage, total

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Reservation:
    """One submission on its way: its hold's id in the store. The ledger keeps it among its own
    until its task is stored, its hold is kept, or it is released."""

    id: int


class Ledger:
    def __init__(self, store: TaskStore, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        # Within one process: reservations of different members of one guild take turns too,
        # so that a guild's limits hold (a guild's commands all reach one process).
        self._lock = asyncio.Lock()
        self._mine: set[Reservation] = set()

    async def reserve(
        self,
        user_id: int,
        guild_id: int | None,
        spend: Spend,
        decide: Callable[[], Awaitable[Refusal | None]],
        *,
        hold_for_s: float,
        intent: Intent | None = None,
        owner: str | None = None,
    ) -> Reservation | Refusal:
        """Ask `decide` whether one more submission fits (it reads the store's usage plus
        `add_pending`); if it does, hold its place for up to `hold_for_s` (until `stored` or
        `release` ends it sooner), with the `intent` a later start would report for `owner`'s
        submission. No other reservation of this member, in any process, nor of this process,
        happens in between. The store's errors pass through: nothing is held then."""
        async with self._lock:
            now = self._clock()
            hold = Hold(
                user_id, guild_id, now, spend, until=now + hold_for_s, owner=owner, intent=intent
            )
            decided = await self._store.reserve(hold, decide)
            if isinstance(decided, Refusal):
                return decided
            reservation = Reservation(decided)
            self._mine.add(reservation)
            return reservation

    async def add_pending(self, usage: Usage, user_id: int, guild_id: int | None) -> Usage:
        """`usage` from the store plus the submissions of this user and guild on their way."""
        holds = await self._store.holds(user_id, guild_id, self._clock())
        mine = [h for h in holds if h.user_id == user_id]
        guild = [h for h in holds if guild_id is not None and h.guild_id == guild_id]
        if not mine and not guild:
            return usage
        last_times = [t for t in (usage.last_submit_at, *(h.at for h in mine)) if t is not None]
        return Usage(
            active_tasks=usage.active_tasks + len(mine),
            last_submit_at=max(last_times) if last_times else None,
            user_today=total((usage.user_today, *(h.spend for h in mine))),
            guild_today=total((usage.guild_today, *(h.spend for h in guild))),
        )

    def stored(self, reservation: Reservation) -> None:
        """The task was added with `reservation=` its id: the hold went in the same write."""
        self._mine.discard(reservation)

    def hold(self, reservation: Reservation) -> None:
        """Keep counting a submission whose task may exist without being in the store; its
        member was not told (the submit was cancelled): a later start reports it."""
        self._mine.discard(reservation)

    async def told(self, reservation: Reservation, *, task_id: str | None = None) -> None:
        """Keep counting a submission whose task may exist without being in the store; its
        member heard so from this process (with `task_id`, when the API answered one), so no
        later start need report it. When the store cannot note even that, a later start does."""
        self._mine.discard(reservation)
        try:
            await self._store.intent_told(reservation.id, self._clock(), task_id)
        except Exception as error:
            log.warning(
                "could not note that a member was told of an unrecorded submission (%s); "
                "a later start tells them again",
                type(error).__name__,
            )

    async def release(self, reservation: Reservation) -> None:
        """Stop counting a submission that failed for certain; a no-op once its task is stored
        or its hold kept."""
        if reservation not in self._mine:
            return
        self._mine.discard(reservation)
        try:
            await self._store.drop_hold(reservation.id)
        except Exception as error:
            # The hold expires by itself; until then it counts once too often, never too few.
            log.warning("could not drop a failed submission's hold: %s", type(error).__name__)

    @property
    def on_the_way(self) -> int:
        """Submissions of this process sent (or about to be) whose task is not yet stored."""
        return len(self._mine)
