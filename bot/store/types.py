"""What the store reports about spending: plain values the limit checks read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.api.models import TaskStatus

# Tasks that ended in these statuses cost nothing; every other task counts, as it is or may be
# billed.
UNBILLED: Final = (TaskStatus.FAILED.value, TaskStatus.CANCELED.value)


@dataclass(frozen=True)
class Spend:
    """Billed seconds and money of tasks that count against a budget."""

    seconds: int = 0
    amount: Decimal = Decimal(0)


def total(spends: Iterable[Spend]) -> Spend:
    """The sum of several spends (exact: the amounts are Decimals)."""
    seconds, amount = 0, Decimal(0)
    for spend in spends:
        seconds += spend.seconds
        amount += spend.amount
    return Spend(seconds, amount)


@dataclass(frozen=True)
class Usage:
    """What one user (and their guild) has used, as the store knows it."""

    active_tasks: int
    last_submit_at: float | None
    user_today: Spend
    guild_today: Spend


@dataclass(frozen=True)
class Intent:
    """What a later start needs to tell a member of a submission that was sent (or about to be)
    and never recorded: where and in which language to tell them, and what they had asked for.
    Data; the words are the catalog's."""

    channel_id: int
    locale: str | None
    private: bool
    model: str
    duration: int
    # The prompt's beginning, up to PROMPT_START_CHARS characters.
    prompt_start: str


# How much of the prompt an intent keeps: enough for a member to recognise their request.
PROMPT_START_CHARS: Final = 100


@dataclass(frozen=True)
class Hold:
    """A submission on its way to the API, counted against its member's and guild's limits
    until its task is stored (then the task counts instead) or until `until` (when the submit's
    outcome is unknown, or its process died: the task may exist and be billed).

    Written before the submit, a hold is also the submission's intent: `owner` (the worker
    that submits) and `intent` let a later start tell the member of a submission whose task was
    never stored (see `OpenIntent`). Read back for counting, only the first five fields are
    filled."""

    user_id: int
    guild_id: int | None
    at: float
    spend: Spend
    until: float
    owner: str | None = None
    intent: Intent | None = None


@dataclass(frozen=True)
class OpenIntent:
    """A hold whose task was never stored and whose member has not been told: its process
    died or stopped mid-submit, or its store failed as the task was to be written. The task may
    exist and be billed (`task_id` when the API's answer came back, else unknown: the API has
    no lookup by request)."""

    id: int
    user_id: int
    guild_id: int | None
    at: float
    intent: Intent
    task_id: str | None = None


@dataclass(frozen=True)
class ProcessName:
    """Where a worker runs, exactly enough to tell later that it no longer does: a pid means one
    process only within its pid space (one boot of one kernel, one pid namespace), and only
    together with the process's start time, since pids are reused."""

    host: str  # the host name, for people reading the table
    pid_space: str
    pid: int
    started: int  # clock ticks from boot to the process's start (/proc/<pid>/stat field 22)


@dataclass(frozen=True)
class Worker:
    """A live worker (a bot process) as the store knows it."""

    owner: str
    heartbeat_at: float
    process: ProcessName | None  # None: a worker that did not say (an older version)
    share: int  # the queries per window of the account's cap it holds
    tasks: int  # the active tasks it owns
    # Whether the lock it holds for its process's life is held (SQLite: `bot.store.sqlite_locks`):
    # True, it runs; False, it is gone; None, no lock tells (PostgreSQL, a network file system,
    # a worker that took none).
    lock_held: bool | None = None


@dataclass(frozen=True)
class Workforce:
    """The live workers, by owner, and the active tasks none of them owns."""

    workers: tuple[Worker, ...]
    orphans: int

    @property
    def tasks(self) -> int:
        """Every active task."""
        return self.orphans + sum(worker.tasks for worker in self.workers)


@dataclass(frozen=True)
class ShareGrant:
    """A worker's share of the query cap as the store granted it, and the last time a share was
    given back (by a worker that lowered or released its own): a raise may be used only once
    that worker's last queries have left the cap's window."""

    queries: int
    freed_at: float
