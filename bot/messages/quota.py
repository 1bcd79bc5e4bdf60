"""`/r2v quota` and `/r2v-admin spend` in words."""

from __future__ import annotations

from collections.abc import Iterable

from bot.messages.catalog import Arg, roles_named, text
from bot.messages.limits import budget_line, describe_wait, money
from bot.messages.tasks import history_line
from bot.policy import next_day
from bot.quota.accounts import QuotaView, SpendReport
from bot.store.types import Spend

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
    """Billed (finished tasks) and pending (not finished yet) apart."""
    currency = report.currency

    def amounts(spent: Spend, prefix: str = "") -> dict[str, Arg]:
        return {f"{prefix}seconds": spent.seconds, f"{prefix}amount": money(spent.amount)}

    lines = [
        text(locale, "spend-today", currency=currency, **amounts(report.today)),
        text(locale, "spend-week", currency=currency, **amounts(report.week)),
    ]
    if report.pending.seconds or report.pending.amount:
        lines.append(text(locale, "spend-pending", currency=currency, **amounts(report.pending)))
    lines += ["", text(locale, "spend-by-member")]
    for member in report.by_member[:MAX_MEMBERS_SHOWN]:
        if member.pending.seconds or member.pending.amount:
            lines.append(
                text(
                    locale,
                    "spend-member-pending",
                    user=member.user_id,
                    currency=currency,
                    **amounts(member.billed),
                    **amounts(member.pending, "pending_"),
                )
            )
        else:
            lines.append(
                text(
                    locale,
                    "spend-member",
                    user=member.user_id,
                    currency=currency,
                    **amounts(member.billed),
                )
            )
    if not report.by_member:
        lines.append(text(locale, "spend-nobody"))
    return "\n".join(lines)


def admin_only(locale: str | None, admin_role_ids: Iterable[int]) -> str:
    return text(locale, "admin-only", **roles_named(locale, admin_role_ids))
