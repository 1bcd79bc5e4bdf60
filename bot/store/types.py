"""What the store reports about spending: plain values the limit checks read."""

from __future__ import annotations

import os
import socket
import uuid
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
class Hold:
    """A submission on its way to the API, counted against its member's and guild's limits
    until its task is stored (then the task counts instead) or until `until` (when the submit's
    outcome is unknown, or its process died: the task may exist and be billed)."""

    user_id: int
    guild_id: int | None
    at: float
    spend: Spend
    until: float


def new_worker_id() -> str:
    """A name for this process as a task owner: readable in the database, never reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
