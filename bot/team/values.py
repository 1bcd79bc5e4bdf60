"""A server's own settings: which there are, how an admin's text is read, how they are kept as
text in the store, and the effective settings they make. Pure.

The effective settings of a server are the environment's (`LimitBook.for_guild`, which already
applies R2V_GUILD_LIMITS, and the generation defaults) with each of the server's own values put
over them (`merge`). A stored value this version cannot read (say, a model since withdrawn) is
passed over, so the environment's applies, and reported in `Merged.unreadable`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from bot.generation import limits as wan
from bot.generation.request import Defaults
from bot.generation.settings import GenerationSettings
from bot.policy import LimitBook, LimitSettings


class Setting(StrEnum):
    """What `/r2v-admin set` may change; the value is the name kept in the store."""

    USER_DAILY_SECONDS = "user_daily_seconds"
    GUILD_DAILY_SECONDS = "guild_daily_seconds"
    USER_DAILY_AMOUNT = "user_daily_amount"
    GUILD_DAILY_AMOUNT = "guild_daily_amount"
    COOLDOWN = "user_cooldown_s"
    MAX_ACTIVE = "max_active_per_user"
    ALLOWED_CHANNELS = "allowed_channel_ids"
    ALLOWED_ROLES = "allowed_role_ids"
    CONFIRM_ABOVE = "confirm_above"
    MODEL = "model"
    SIZE = "size"
    DURATION = "duration"
    PRIVATE_DEFAULT = "private_default"


class Expected(StrEnum):
    """What kind of value a setting takes: what a refusal of a bad value explains."""

    WHOLE = "whole"  # a whole number within `low`–`high`
    SECONDS = "seconds"  # a number of seconds, 0 or more
    AMOUNT = "amount"  # money, 0 or more
    AMOUNT_OR_OFF = "amount_or_off"
    CHANNELS = "channels"  # channel mentions or ids, or `all`
    ROLES = "roles"  # role mentions or ids, or `all`
    MODEL = "model"
    SIZE = "size"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Rule:
    expected: Expected
    low: int = 0
    high: int = 0


RULES: Final[Mapping[Setting, Rule]] = {
    Setting.USER_DAILY_SECONDS: Rule(Expected.WHOLE, 0, 10_000_000),
    Setting.GUILD_DAILY_SECONDS: Rule(Expected.WHOLE, 0, 10_000_000),
    Setting.USER_DAILY_AMOUNT: Rule(Expected.AMOUNT),
    Setting.GUILD_DAILY_AMOUNT: Rule(Expected.AMOUNT),
    Setting.COOLDOWN: Rule(Expected.SECONDS),
    Setting.MAX_ACTIVE: Rule(Expected.WHOLE, 0, 1000),
    Setting.ALLOWED_CHANNELS: Rule(Expected.CHANNELS),
    Setting.ALLOWED_ROLES: Rule(Expected.ROLES),
    Setting.CONFIRM_ABOVE: Rule(Expected.AMOUNT_OR_OFF),
    Setting.MODEL: Rule(Expected.MODEL),
    Setting.SIZE: Rule(Expected.SIZE),
    Setting.DURATION: Rule(Expected.WHOLE, wan.DURATION_MIN_S, wan.DURATION_MAX_S),
    Setting.PRIVATE_DEFAULT: Rule(Expected.YES_NO),
}

# Words an admin may type, in either language the bot speaks (compared case-folded).
OFF_WORDS: Final = frozenset({"off", "none", "no", "关", "关闭", "无", "不"})
ALL_WORDS: Final = frozenset({"all", "any", "everyone", "everywhere", "全部", "所有", "不限"})
YES_WORDS: Final = frozenset({"true", "yes", "on", "1", "是", "开", "开启"})
NO_WORDS: Final = frozenset({"false", "no", "off", "0", "否", "关", "关闭"})
# The stored form of "every channel" or "every role" (no restriction).
EVERYONE: Final = "all"
# The longest a cooldown may be: a week.
COOLDOWN_MAX_S: Final = 7 * 24 * 3600

_ID = re.compile(r"^(?:<#(\d+)>|<@&(\d+)>|(\d+))$")


@dataclass(frozen=True)
class TeamSettings:
    """Everything a server's admins may change: the team's limits and the defaults of
    `/r2v generate`."""

    limits: LimitSettings = field(default_factory=LimitSettings)
    defaults: Defaults = field(default_factory=Defaults)  # model, size and duration
    private_default: bool = False


def environment_settings(
    book: LimitBook, generation: GenerationSettings, guild_id: int | None
) -> TeamSettings:
    """What the environment gives a server (R2V_GUILD_LIMITS included), before its own values."""
    return TeamSettings(
        limits=book.for_guild(guild_id),
        defaults=generation.defaults,
        private_default=generation.private_default,
    )


# -- an admin's text -------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A value read from an admin's text, as the store keeps it."""

    setting: Setting
    stored: str


@dataclass(frozen=True)
class BadValue:
    """Text that is not a value of the setting; `rule` says what would be."""

    setting: Setting
    rule: Rule


def parse(setting: Setting, text: str) -> Parsed | BadValue:
    """Read what an admin typed for `setting` (`30`, `2.50`, `off`, `#videos #art`, `all`,
    `1920x1080`, `yes`, …) into its stored form, or say it is not a value of that setting."""
    rule = RULES[setting]
    stored = _read(rule, text.strip())
    return BadValue(setting, rule) if stored is None else Parsed(setting, stored)


def _read(rule: Rule, text: str) -> str | None:
    word = text.casefold()
    match rule.expected:
        case Expected.WHOLE:
            if not text.isdecimal() or not rule.low <= int(text) <= rule.high:
                return None
            return str(int(text))
        case Expected.SECONDS:
            try:
                seconds = float(text)
            except ValueError:
                return None
            if not math.isfinite(seconds) or not 0 <= seconds <= COOLDOWN_MAX_S:
                return None
            return _number_text(seconds)
        case Expected.AMOUNT:
            amount = _amount(text)
            return None if amount is None else str(amount)
        case Expected.AMOUNT_OR_OFF:
            if word in OFF_WORDS:
                return "off"
            amount = _amount(text)
            return None if amount is None else str(amount)
        case Expected.CHANNELS | Expected.ROLES:
            if word in ALL_WORDS:
                return EVERYONE
            ids = _ids(text, channels=rule.expected is Expected.CHANNELS)
            return None if ids is None else ",".join(map(str, sorted(ids)))
        case Expected.MODEL:
            return next((m for m in wan.MODELS if m == word), None)
        case Expected.SIZE:
            wanted = re.sub(r"\s*[x×X*]\s*", "*", text)
            return wanted if wanted in wan.SIZES else None
        case Expected.YES_NO:
            if word in YES_WORDS:
                return "true"
            return "false" if word in NO_WORDS else None
        case _:
            raise AssertionError(rule.expected)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _ids(text: str, *, channels: bool) -> frozenset[int] | None:
    """Channel (`<#…>`) or role (`<@&…>`) mentions or bare ids, separated by spaces or
    commas; None when a part is neither, or names the other kind."""
    ids: set[int] = set()
    for part in re.split(r"[\s,，、]+", text):
        if not part:
            continue
        found = _ID.match(part)
        if found is None:
            return None
        channel, role, bare = found.groups()
        if (channel and not channels) or (role and channels):
            return None
        ids.add(int(channel or role or bare))
    return frozenset(ids) if ids else None


# -- the effective settings ------------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    """A server's effective settings; `own` are those its admins set (the rest come from the
    environment), `unreadable` stored values passed over."""

    settings: TeamSettings
    own: frozenset[Setting] = frozenset()
    unreadable: tuple[str, ...] = ()


def merge(base: TeamSettings, stored: Mapping[str, str]) -> Merged:
    """The environment's settings for a server with the server's own stored values over them."""
    settings = base
    own: set[Setting] = set()
    unreadable: list[str] = []
    for name, text in sorted(stored.items()):
        setting = _setting_named(name)
        applied = None if setting is None else _apply(settings, setting, text)
        if setting is None or applied is None:
            unreadable.append(name)
            continue
        settings = applied
        own.add(setting)
    return Merged(settings, frozenset(own), tuple(unreadable))


def _setting_named(name: str) -> Setting | None:
    try:
        return Setting(name)
    except ValueError:
        return None


def _apply(settings: TeamSettings, setting: Setting, text: str) -> TeamSettings | None:
    """`settings` with one stored value put in, or None when the text is not a value of it
    (stored values are re-read by the same rules an admin's text is)."""
    parsed = parse(setting, text)
    if not isinstance(parsed, Parsed):
        return None
    value = parsed.stored
    lim = settings.limits
    match setting:
        case Setting.USER_DAILY_SECONDS:
            return _limits(settings, replace(lim, user_daily_seconds=int(value)))
        case Setting.GUILD_DAILY_SECONDS:
            return _limits(settings, replace(lim, guild_daily_seconds=int(value)))
        case Setting.USER_DAILY_AMOUNT:
            return _limits(settings, replace(lim, user_daily_amount=Decimal(value)))
        case Setting.GUILD_DAILY_AMOUNT:
            return _limits(settings, replace(lim, guild_daily_amount=Decimal(value)))
        case Setting.COOLDOWN:
            return _limits(settings, replace(lim, user_cooldown_s=float(value)))
        case Setting.MAX_ACTIVE:
            return _limits(settings, replace(lim, max_active_per_user=int(value)))
        case Setting.ALLOWED_CHANNELS:
            return _limits(settings, replace(lim, allowed_channel_ids=_id_set(value)))
        case Setting.ALLOWED_ROLES:
            return _limits(settings, replace(lim, allowed_role_ids=_id_set(value)))
        case Setting.CONFIRM_ABOVE:
            threshold = None if value == "off" else Decimal(value)
            return _limits(settings, replace(lim, confirm_above=threshold))
        case Setting.MODEL:
            return replace(settings, defaults=replace(settings.defaults, model=value))
        case Setting.SIZE:
            return replace(settings, defaults=replace(settings.defaults, size=value))
        case Setting.DURATION:
            return replace(settings, defaults=replace(settings.defaults, duration=int(value)))
        case Setting.PRIVATE_DEFAULT:
            return replace(settings, private_default=value == "true")
        case _:
            raise AssertionError(setting)


def _limits(settings: TeamSettings, new: LimitSettings) -> TeamSettings:
    return replace(settings, limits=new)


def _id_set(text: str) -> frozenset[int]:
    if text == EVERYONE:
        return frozenset()
    return frozenset(int(part) for part in text.split(","))


def value_of(settings: TeamSettings, setting: Setting) -> object:
    """The effective value of one setting, for showing it."""
    lim = settings.limits
    values: dict[Setting, object] = {
        Setting.USER_DAILY_SECONDS: lim.user_daily_seconds,
        Setting.GUILD_DAILY_SECONDS: lim.guild_daily_seconds,
        Setting.USER_DAILY_AMOUNT: lim.user_daily_amount,
        Setting.GUILD_DAILY_AMOUNT: lim.guild_daily_amount,
        Setting.COOLDOWN: lim.user_cooldown_s,
        Setting.MAX_ACTIVE: lim.max_active_per_user,
        Setting.ALLOWED_CHANNELS: lim.allowed_channel_ids,
        Setting.ALLOWED_ROLES: lim.allowed_role_ids,
        Setting.CONFIRM_ABOVE: lim.confirm_above,
        Setting.MODEL: settings.defaults.model,
        Setting.SIZE: settings.defaults.size,
        Setting.DURATION: settings.defaults.duration,
        Setting.PRIVATE_DEFAULT: settings.private_default,
    }
    return values[setting]


def ids_of(value: object) -> Collection[int]:
    """The ids of a channels or roles value, sorted (for showing)."""
    return sorted(value) if isinstance(value, frozenset) else []
