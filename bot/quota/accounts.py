"""What members and admins ask about money: a member's usage against the team's limits
(`/r2v quota`), a server's spend by member (`/r2v-admin spend`) and its tasks as CSV for
accounting. Values only; `bot.messages.quota` words them."""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.api.models import TaskStatus
from bot.policy import LimitSettings, day_start
from bot.requester import Requester
from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord
from bot.store.types import Hold, Spend, Usage, total
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
class MemberSpend:
    user_id: int
    billed: Spend  # finished tasks
    pending: Spend  # tasks not finished yet, and submissions on their way, at their estimate


@dataclass(frozen=True)
class SpendReport:
    """A server's spend: `today` and `week` are what finished tasks cost (their actual cost
    once reported, else the estimate); `pending` is what may still be billed (tasks not
    finished, submissions held on their way), apart; `by_member` is today's, largest first."""

    today: Spend
    week: Spend
    pending: Spend
    by_member: list[MemberSpend]
    currency: str


def spend_report(
    records: Iterable[TaskRecord], holds: Iterable[Hold], day: float, currency: str
) -> SpendReport:
    """The report of a server's tasks of the last 7 days and its unexpired holds (`day`: when
    today began). Failed and canceled tasks cost nothing."""
    today, week, pending = [], [], []
    billed_by: dict[int, list[Spend]] = defaultdict(list)
    pending_by: dict[int, list[Spend]] = defaultdict(list)
    for record in records:
        counted = record.counted
        if counted is None or record.status in (TaskStatus.FAILED, TaskStatus.CANCELED):
            continue
        user = record.origin.requester_id
        if record.finished_at is None:
            pending.append(counted)
            pending_by[user].append(counted)
            continue
        week.append(counted)
        if record.created_at >= day:
            today.append(counted)
            billed_by[user].append(counted)
    for hold in holds:
        pending.append(hold.spend)
        pending_by[hold.user_id].append(hold.spend)
    members = [
        MemberSpend(user, total(billed_by[user]), total(pending_by[user]))
        for user in {*billed_by, *pending_by}
    ]
    members.sort(key=lambda m: (-(m.billed.amount + m.pending.amount), m.user_id))
    return SpendReport(total(today), total(week), total(pending), members, currency)


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
        """Billed and pending apart, from the server's tasks of the last 7 days and the
        submissions held on their way (two store reads)."""
        now = self._clock()
        records = await self._store.guild_tasks_since(guild_id, now - WEEK_S)
        holds = await self._store.holds(None, guild_id, now)  # the server's, of every member
        return spend_report(records, holds, day_start(now), self.currency)

    async def spend_csv(self, guild_id: int) -> str:
        """This guild's tasks of the last 7 days as CSV, for accounting."""
        records = await self._store.guild_tasks_since(guild_id, self._clock() - WEEK_S)
        return tasks_csv(records, self.currency)
