"""Who may generate, how much, when a click must confirm the price, and who besides its owner
may act on a member's things. Pure: the caller gathers usage from the store and passes the
time in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from bot.generation.pricing import CostEstimate
from bot.store.types import Usage


@dataclass(frozen=True)
class LimitSettings:
    """Empty collections and zero amounts mean "no limit"."""

    allowed_channel_ids: frozenset[int] = frozenset()
    allowed_role_ids: frozenset[int] = frozenset()
    # The bot's admins besides Discord's own permissions (see `Moderators`).
    admin_role_ids: frozenset[int] = frozenset()
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


class Limit(StrEnum):
    """Which rule refused a submission."""

    CHANNEL = "channel"
    ROLE = "role"
    RUNNING = "running"
    COOLDOWN = "cooldown"
    USER_BUDGET = "user_budget"
    GUILD_BUDGET = "guild_budget"


@dataclass(frozen=True)
class Refusal:
    """Which limit stopped the request, the facts behind it, and when it frees up (unix time).
    Plain data: `bot.messages.limits` words it."""

    limit: Limit
    frees_at: float | None = None
    allowed_ids: tuple[int, ...] = ()  # the channels or roles that may
    in_use: int | Decimal = 0  # running tasks, billed seconds or money already used
    allowed: int | Decimal = 0  # the limit's value
    cooldown_s: float = 0.0
    needed: int | Decimal = 0  # what this video would add
    currency: str | None = None  # for money budgets; None means billed seconds


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
        return Refusal(Limit.CHANNEL, allowed_ids=tuple(sorted(settings.allowed_channel_ids)))
    if settings.allowed_role_ids and not settings.allowed_role_ids & set(role_ids):
        return Refusal(Limit.ROLE, allowed_ids=tuple(sorted(settings.allowed_role_ids)))
    return None


def check_limits(
    settings: LimitSettings, usage: Usage, cost: CostEstimate | None, now: float
) -> Refusal | None:
    """Concurrency, cooldown and daily budgets, in that order (cheapest to explain first)."""
    if settings.max_active_per_user and usage.active_tasks >= settings.max_active_per_user:
        return Refusal(
            Limit.RUNNING, in_use=usage.active_tasks, allowed=settings.max_active_per_user
        )
    if settings.user_cooldown_s and usage.last_submit_at is not None:
        ready_at = usage.last_submit_at + settings.user_cooldown_s
        if now < ready_at:
            return Refusal(Limit.COOLDOWN, frees_at=ready_at, cooldown_s=settings.user_cooldown_s)
    seconds = cost.billed_seconds if cost else 0
    amount = cost.amount if cost else Decimal(0)
    budgets = (
        (
            Limit.USER_BUDGET,
            usage.user_today,
            settings.user_daily_seconds,
            settings.user_daily_amount,
        ),
        (
            Limit.GUILD_BUDGET,
            usage.guild_today,
            settings.guild_daily_seconds,
            settings.guild_daily_amount,
        ),
    )
    for limit, spent, max_seconds, max_amount in budgets:
        if max_seconds and spent.seconds + seconds > max_seconds:
            return Refusal(
                limit,
                frees_at=next_day(now),
                in_use=spent.seconds,
                allowed=max_seconds,
                needed=seconds,
            )
        if max_amount and spent.amount + amount > max_amount:
            return Refusal(
                limit,
                frees_at=next_day(now),
                in_use=spent.amount,
                allowed=max_amount,
                needed=amount,
                currency=cost.currency if cost else "",
            )
    return None


def needs_confirmation(settings: LimitSettings, cost: CostEstimate | None) -> bool:
    """Above the threshold, or of unknown price while a threshold is set."""
    if settings.confirm_above is None:
        return False
    return cost is None or cost.amount > settings.confirm_above


@dataclass(frozen=True)
class Actor:
    """A member acting on something that may be another member's: who, their roles in the
    server, and the Discord permissions that let moderators act on others' things."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manages_server: bool = False
    manages_messages: bool = False


@dataclass(frozen=True)
class Moderators:
    """Who may run `/r2v-admin` (Manage Server) and tidy up others' cast members and results
    (Manage Messages): those with Discord's permission, and members with one of the bot's admin
    roles (R2V_ADMIN_ROLE_IDS, per server through R2V_GUILD_LIMITS), so a team can hand the bot
    to its leads without giving them the server."""

    book: LimitBook = LimitBook()

    def admin_roles(self, guild_id: int | None) -> frozenset[int]:
        return self.book.for_guild(guild_id).admin_role_ids if guild_id is not None else frozenset()

    def may_administer(self, guild_id: int | None, actor: Actor) -> bool:
        return guild_id is not None and (actor.manages_server or self._admin(guild_id, actor))

    def may_moderate(self, guild_id: int | None, actor: Actor) -> bool:
        return guild_id is not None and (actor.manages_messages or self._admin(guild_id, actor))

    def _admin(self, guild_id: int, actor: Actor) -> bool:
        return bool(self.admin_roles(guild_id) & actor.role_ids)
