"""Who may generate, how much, and when a click must confirm the price. Pure: the caller
gathers usage from the store and passes the time in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from bot.generation.pricing import CostEstimate


@dataclass(frozen=True)
class LimitSettings:
    """Empty collections and zero amounts mean "no limit"."""

    allowed_channel_ids: frozenset[int] = frozenset()
    allowed_role_ids: frozenset[int] = frozenset()
    max_active_per_user: int = 3
    user_cooldown_s: float = 10.0
    user_daily_seconds: int = 0
    guild_daily_seconds: int = 0
    user_daily_amount: Decimal = Decimal(0)
    guild_daily_amount: Decimal = Decimal(0)
    confirm_above: Decimal | None = Decimal(5)
    confirm_timeout_s: float = 120.0


@dataclass(frozen=True)
class LimitBook:
    """The limits of every guild: `default`, except where a guild has its own (R2V_GUILD_LIMITS).
    Direct messages (no guild) get the default."""

    default: LimitSettings = LimitSettings()
    by_guild: Mapping[int, LimitSettings] = field(default_factory=lambda: MappingProxyType({}))

    def for_guild(self, guild_id: int | None) -> LimitSettings:
        if guild_id is None:
            return self.default
        return self.by_guild.get(guild_id, self.default)


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


@dataclass(frozen=True)
class Refusal:
    """Which limit stopped the request, and when it frees up (unix time), if it will."""

    limit: str
    sentence: str
    frees_at: float | None = None

    def describe(self) -> str:
        when = f" It frees up <t:{int(self.frees_at)}:R>." if self.frees_at else ""
        return f"**{self.limit}**: {self.sentence}{when}"


def day_start(now: float) -> float:
    """Budgets are per UTC day."""
    moment = datetime.fromtimestamp(now, UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp()


def next_day(now: float) -> float:
    return day_start(now) + timedelta(days=1).total_seconds()


def check_access(
    settings: LimitSettings, channel_ids: Collection[int], role_ids: Collection[int]
) -> Refusal | None:
    """Channel and role rules; `channel_ids` holds the channel and, for a thread, its parent."""
    if settings.allowed_channel_ids and not settings.allowed_channel_ids & set(channel_ids):
        channels = ", ".join(f"<#{c}>" for c in sorted(settings.allowed_channel_ids))
        return Refusal("Channel", f"videos can be made only in {channels}.")
    if settings.allowed_role_ids and not settings.allowed_role_ids & set(role_ids):
        roles = ", ".join(f"<@&{r}>" for r in sorted(settings.allowed_role_ids))
        return Refusal("Role", f"making videos needs one of these roles: {roles}.")
    return None


def check_limits(
    settings: LimitSettings, usage: Usage, cost: CostEstimate | None, now: float
) -> Refusal | None:
    """Concurrency, cooldown and daily budgets, in that order (cheapest to explain first)."""
    if settings.max_active_per_user and usage.active_tasks >= settings.max_active_per_user:
        return Refusal(
            "Running tasks",
            f"you already have {usage.active_tasks} video(s) in progress; the limit is "
            f"{settings.max_active_per_user}. Wait for one to finish.",
        )
    if settings.user_cooldown_s and usage.last_submit_at is not None:
        ready_at = usage.last_submit_at + settings.user_cooldown_s
        if now < ready_at:
            return Refusal(
                "Cooldown",
                f"wait {settings.user_cooldown_s:g} s between two videos.",
                frees_at=ready_at,
            )
    seconds = cost.billed_seconds if cost else 0
    amount = cost.amount if cost else Decimal(0)
    currency = f" {cost.currency}" if cost else ""
    budgets = (
        (
            "Your daily budget",
            usage.user_today,
            settings.user_daily_seconds,
            settings.user_daily_amount,
        ),
        (
            "The server's daily budget",
            usage.guild_today,
            settings.guild_daily_seconds,
            settings.guild_daily_amount,
        ),
    )
    for name, spent, max_seconds, max_amount in budgets:
        if max_seconds and spent.seconds + seconds > max_seconds:
            return Refusal(
                name,
                f"{spent.seconds} of {max_seconds} billed seconds are used today and this "
                f"video needs up to {seconds} more.",
                frees_at=next_day(now),
            )
        if max_amount and spent.amount + amount > max_amount:
            return Refusal(
                name,
                f"{spent.amount:.2f} of {max_amount:.2f}{currency} are spent today and this "
                f"video costs up to {amount:.2f}{currency} more.",
                frees_at=next_day(now),
            )
    return None


def needs_confirmation(settings: LimitSettings, cost: CostEstimate | None) -> bool:
    """Above the threshold, or of unknown price while a threshold is set."""
    if settings.confirm_above is None:
        return False
    return cost is None or cost.amount > settings.confirm_above
