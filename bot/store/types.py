"""What the store reports about spending: plain values the limit checks read."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Usage:
    """What one user (and their guild) has used, as the store knows it."""

    active_tasks: int
    last_submit_at: float | None
    user_today: Spend
    guild_today: Spend
