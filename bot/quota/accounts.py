"""What members and admins ask about money: a member's usage against the team's limits
(`/r2v quota`), a server's spend by member (`/r2v-admin spend`) and its tasks as CSV for
accounting. Values only; `bot.messages.quota` words them."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.policy import LimitSettings, day_start
from bot.requester import Requester
from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord
from bot.store.types import Spend, Usage, total
from bot.team.values import TeamSettings

WEEK_S = 7 * 24 * 3600


@dataclass(frozen=True)
class QuotaView:
    usage: Usage
    limits: LimitSettings
    running: list[TaskRecord]
    currency: str
    now: float


@dataclass(frozen=True)
class SpendReport:
    today: Spend
    week: Spend
    by_member: list[tuple[int, Spend]]
    currency: str


CSV_COLUMNS = (
    "task_id",
    "created_utc",
    "member_id",
    "model",
    "size",
    "duration_s",
    "billed_s",
    "status",
    "estimated_cost",
    "actual_cost",
    "currency",
)


def tasks_csv(records: list[TaskRecord], currency: str) -> str:
    """One row per task: the estimate and, once the service reported it, the actual cost
    (empty while unknown)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        estimate, actual, counted = record.estimate, record.actual, record.counted
        writer.writerow(
            (
                record.task_id,
                datetime.fromtimestamp(record.created_at, UTC).isoformat(timespec="seconds"),
                record.origin.requester_id,
                record.request.model,
                record.request.size,
                record.request.duration,
                counted.seconds if counted is not None else "",
                record.raw_status,
                f"{estimate.amount:.4f}" if estimate is not None else "",
                f"{actual.amount:.4f}" if actual is not None else "",
                estimate.currency if estimate is not None and estimate.currency else currency,
            )
        )
    return out.getvalue()


class Accounts:
    def __init__(
        self,
        store: TaskStore,
        *,
        currency: str,
        settings_for: Callable[[int | None], Awaitable[TeamSettings]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`settings_for(guild_id)`: a server's effective settings, read from the store."""
        self._store = store
        self.currency = currency
        self._settings_for = settings_for
        self._clock = clock

    async def quota(self, who: Requester) -> QuotaView:
        now = self._clock()
        usage = await self._store.usage(who.user_id, who.guild_id, day_start(now))
        running = await self._store.active_for_user(who.user_id)
        settings = await self._settings_for(who.guild_id)
        return QuotaView(usage, settings.limits, running, self.currency, now)

    async def spend(self, guild_id: int) -> SpendReport:
        now = self._clock()
        members = await self._store.guild_spend_by_user(guild_id, day_start(now))
        week = await self._store.spend_since(now - WEEK_S, guild_id=guild_id)
        return SpendReport(total(spend for _, spend in members), week, members, self.currency)

    async def spend_csv(self, guild_id: int) -> str:
        """This guild's tasks of the last 7 days as CSV, for accounting."""
        records = await self._store.guild_tasks_since(guild_id, self._clock() - WEEK_S)
        return tasks_csv(records, self.currency)
