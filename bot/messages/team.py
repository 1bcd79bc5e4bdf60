"""A server's own settings in words: `/r2v-admin settings` and the answers of `/r2v-admin set`.
Words in `locales/*/team.ftl`."""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never

from bot.generation import limits
from bot.generation.text import inline_code, shorten
from bot.messages.catalog import listed, roles_named, text
from bot.messages.limits import describe_wait, money
from bot.messages.tasks import size_name
from bot.messages.validation import DISCORD_MESSAGE_LIMIT
from bot.store.team import SettingChange
from bot.team.service import Changed, ChangeOutcome, Overview, Unchanged
from bot.team.values import (
    COOLDOWN_MAX_S,
    BadValue,
    Expected,
    Setting,
    TeamSettings,
    merge,
    value_of,
)

Locale = str | None


def setting_key(setting: Setting) -> str:
    """The catalog message naming a setting (also its choice name in `/r2v-admin set`)."""
    return "setting-" + setting.value.replace("_", "-")


def label(locale: Locale, setting: Setting) -> str:
    return text(locale, setting_key(setting))


def value(locale: Locale, setting: Setting, settings: TeamSettings, currency: str) -> str:
    """A setting's value in `settings`, as an admin reads it."""
    shown = value_of(settings, setting)
    match setting:
        case Setting.USER_DAILY_SECONDS | Setting.GUILD_DAILY_SECONDS:
            assert isinstance(shown, int)
            if not shown:
                return text(locale, "team-value-no-limit")
            return text(locale, "team-value-billed-seconds", seconds=shown)
        case Setting.USER_DAILY_AMOUNT | Setting.GUILD_DAILY_AMOUNT:
            assert isinstance(shown, Decimal | int)
            if not shown:
                return text(locale, "team-value-no-limit")
            return text(locale, "team-value-amount", amount=money(shown), currency=currency)
        case Setting.CONFIRM_ABOVE:
            if shown is None:
                return text(locale, "team-value-never")
            assert isinstance(shown, Decimal | int)
            return text(locale, "team-value-amount", amount=money(shown), currency=currency)
        case Setting.COOLDOWN:
            assert isinstance(shown, int | float)
            if not shown:
                return text(locale, "team-value-no-cooldown")
            return describe_wait(locale, shown)
        case Setting.MAX_ACTIVE:
            assert isinstance(shown, int)
            if not shown:
                return text(locale, "team-value-no-limit")
            return text(locale, "team-value-count", count=shown)
        case Setting.ALLOWED_CHANNELS:
            assert isinstance(shown, frozenset)
            if not shown:
                return text(locale, "team-value-every-channel")
            return listed(locale, (f"<#{c}>" for c in sorted(shown)))
        case Setting.ALLOWED_ROLES:
            assert isinstance(shown, frozenset)
            if not shown:
                return text(locale, "team-value-everyone")
            return listed(locale, (f"<@&{r}>" for r in sorted(shown)))
        case Setting.MODEL:
            return f"`{shown}`"
        case Setting.SIZE:
            assert isinstance(shown, str)
            return size_name(locale, shown)
        case Setting.DURATION:
            assert isinstance(shown, int)
            return text(locale, "team-value-seconds", seconds=shown)
        case Setting.PRIVATE_DEFAULT:
            return text(locale, "team-value-yes" if shown else "team-value-no")
        case _:
            assert_never(setting)


def stored_value(locale: Locale, setting: Setting, stored: str | None, currency: str) -> str:
    """A value as the store keeps it (None: the environment's), as an admin reads it."""
    if stored is None:
        return text(locale, "team-value-environment")
    settings = merge(TeamSettings(), {setting.value: stored}).settings
    return value(locale, setting, settings, currency)


def overview(locale: Locale, seen: Overview, currency: str) -> str:
    """`/r2v-admin settings`: every setting, which are this server's own, the latest changes."""
    merged = seen.merged
    lines = [text(locale, "team-heading")]
    for setting in Setting:
        now = value(locale, setting, merged.settings, currency)
        if setting in merged.own:
            environment = value(locale, setting, seen.environment, currency)
            lines.append(
                text(
                    locale,
                    "team-line-own",
                    label=label(locale, setting),
                    value=now,
                    environment=environment,
                )
            )
        else:
            lines.append(
                text(locale, "team-line-environment", label=label(locale, setting), value=now)
            )
    admin_roles = roles_named(locale, seen.environment.limits.admin_role_ids)
    lines.append(text(locale, "team-admin-roles", **admin_roles))
    if merged.unreadable:
        names = listed(locale, (inline_code(name, 40) for name in merged.unreadable))
        lines.append(text(locale, "team-unreadable", names=names))
    if seen.changes:
        lines += ["", text(locale, "team-changes-heading")]
        lines += [change_line(locale, change, currency) for change in seen.changes]
    return shorten("\n".join(lines), DISCORD_MESSAGE_LIMIT)


def change_line(locale: Locale, change: SettingChange, currency: str) -> str:
    try:
        setting = Setting(change.name)
    except ValueError:  # a setting this version no longer knows: its name as stored
        return shorten(f"<t:{int(change.changed_at)}:R> {inline_code(change.name, 40)}", 200)
    return text(
        locale,
        "team-change",
        at=int(change.changed_at),
        by=change.changed_by,
        label=label(locale, setting),
        old=stored_value(locale, setting, change.old, currency),
        new=stored_value(locale, setting, change.new, currency),
    )


def changed(
    locale: Locale, setting: Setting, outcome: ChangeOutcome, currency: str, typed: str | None
) -> str:
    """The answer to `/r2v-admin set` (`typed`: the value as the admin typed it)."""
    name = label(locale, setting)
    match outcome:
        case Changed(change, merged):
            now = value(locale, setting, merged.settings, currency)
            if change.new is None:
                return text(locale, "team-reset", label=name, value=now)
            old = stored_value(locale, setting, change.old, currency)
            return text(locale, "team-changed", label=name, value=now, old=old)
        case Unchanged(_, merged):
            now = value(locale, setting, merged.settings, currency)
            return text(locale, "team-unchanged", label=name, value=now)
        case BadValue():
            return bad_value(locale, outcome, typed or "")
        case _:
            assert_never(outcome)


def bad_value(locale: Locale, bad: BadValue, typed: str) -> str:
    name, shown = label(locale, bad.setting), inline_code(typed, 60)
    rule = bad.rule
    match rule.expected:
        case Expected.WHOLE:
            return text(
                locale, "team-bad-whole", label=name, low=rule.low, high=rule.high, text=shown
            )
        case Expected.SECONDS:
            return text(locale, "team-bad-seconds", label=name, high=COOLDOWN_MAX_S, text=shown)
        case Expected.AMOUNT:
            return text(locale, "team-bad-amount", label=name, text=shown)
        case Expected.AMOUNT_OR_OFF:
            return text(locale, "team-bad-amount-or-off", label=name, text=shown)
        case Expected.CHANNELS:
            return text(locale, "team-bad-channels", label=name, text=shown)
        case Expected.ROLES:
            return text(locale, "team-bad-roles", label=name, text=shown)
        case Expected.MODEL:
            choices = listed(locale, (f"`{model}`" for model in limits.MODELS))
            return text(locale, "team-bad-model", label=name, choices=choices, text=shown)
        case Expected.SIZE:
            return text(locale, "team-bad-size", label=name, text=shown)
        case Expected.YES_NO:
            return text(locale, "team-bad-yes-no", label=name, text=shown)
        case _:
            assert_never(rule.expected)
