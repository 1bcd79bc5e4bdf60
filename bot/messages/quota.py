"""`/r2v quota` and `/r2v-admin spend` in words."""

from __future__ import annotations

from bot.messages.catalog import text
from bot.messages.limits import budget_line, describe_wait, money
from bot.messages.tasks import history_line
from bot.policy import next_day
from bot.quota.accounts import QuotaView, SpendReport

MAX_MEMBERS_SHOWN = 20


def quota_text(locale: str | None, view: QuotaView) -> str:
    limits, usage, currency, now = view.limits, view.usage, view.currency, view.now
    running = (
        text(
            locale,
            "quota-running-of",
            active=usage.active_tasks,
            limit=limits.max_active_per_user,
        )
        if limits.max_active_per_user
        else text(locale, "quota-running-unlimited", active=usage.active_tasks)
    )
    confirm = (
        text(locale, "quota-confirm-amount", amount=money(limits.confirm_above), currency=currency)
        if limits.confirm_above is not None
        else text(locale, "quota-confirm-never")
    )
    lines = [
        text(locale, "quota-today", resets_at=int(next_day(now))),
        text(
            locale,
            "quota-you",
            line=budget_line(
                locale,
                usage.user_today,
                limits.user_daily_seconds,
                limits.user_daily_amount,
                currency,
            ),
        ),
        text(
            locale,
            "quota-server",
            line=budget_line(
                locale,
                usage.guild_today,
                limits.guild_daily_seconds,
                limits.guild_daily_amount,
                currency,
            ),
        ),
        "",
        text(locale, "quota-limits"),
        text(locale, "quota-running-at-once", running=running),
        text(locale, "quota-cooldown", wait=describe_wait(locale, limits.user_cooldown_s)),
        text(locale, "quota-confirm-above", confirm=confirm),
    ]
    if usage.last_submit_at and limits.user_cooldown_s:
        ready_at = usage.last_submit_at + limits.user_cooldown_s
        if ready_at > now:
            lines.append(text(locale, "quota-next-video", at=int(ready_at) + 1))
    lines += ["", text(locale, "quota-running-heading")]
    lines += [history_line(locale, record) for record in view.running] or [
        text(locale, "quota-none")
    ]
    return "\n".join(lines)


def spend_text(locale: str | None, report: SpendReport) -> str:
    today, week, currency = report.today, report.week, report.currency
    lines = [
        text(
            locale,
            "spend-today",
            seconds=today.seconds,
            amount=money(today.amount),
            currency=currency,
        ),
        text(
            locale,
            "spend-week",
            seconds=week.seconds,
            amount=money(week.amount),
            currency=currency,
        ),
        "",
        text(locale, "spend-by-member"),
    ]
    lines += [
        text(
            locale,
            "spend-member",
            user=user,
            seconds=spent.seconds,
            amount=money(spent.amount),
            currency=currency,
        )
        for user, spent in report.by_member[:MAX_MEMBERS_SHOWN]
    ] or [text(locale, "spend-nobody")]
    return "\n".join(lines)


def admin_only(locale: str | None) -> str:
    return text(locale, "admin-only")
