"""`/r2v quota` and `/r2v-admin spend` in words."""

from __future__ import annotations

from bot.messages.limits import budget_line, describe_wait
from bot.messages.tasks import history_line
from bot.policy import next_day
from bot.service import QuotaView, SpendReport

MAX_MEMBERS_SHOWN = 20


def quota_text(view: QuotaView) -> str:
    limits, usage, currency, now = view.limits, view.usage, view.currency, view.now
    running = (
        f"{usage.active_tasks} of {limits.max_active_per_user}"
        if limits.max_active_per_user
        else f"{usage.active_tasks} (no limit)"
    )
    confirm = (
        f"{limits.confirm_above:.2f} {currency}"
        if limits.confirm_above is not None
        else "never asked"
    )
    lines = [
        f"**Today** (resets <t:{int(next_day(now))}:R>)",
        "You: "
        + budget_line(
            usage.user_today, limits.user_daily_seconds, limits.user_daily_amount, currency
        ),
        "This server: "
        + budget_line(
            usage.guild_today, limits.guild_daily_seconds, limits.guild_daily_amount, currency
        ),
        "",
        "**Limits**",
        f"Running at once: {running}",
        f"Cooldown between videos: {describe_wait(limits.user_cooldown_s)}",
        f"Confirmation above: {confirm}",
    ]
    if usage.last_submit_at and limits.user_cooldown_s:
        ready_at = usage.last_submit_at + limits.user_cooldown_s
        if ready_at > now:
            lines.append(f"Next video possible <t:{int(ready_at) + 1}:R>")
    lines += ["", "**Running**"]
    lines += [history_line(record) for record in view.running] or ["none"]
    return "\n".join(lines)


def spend_text(report: SpendReport) -> str:
    today, week, currency = report.today, report.week, report.currency
    lines = [
        f"**Today:** {today.seconds} billed s · {today.amount:.2f} {currency}",
        f"**Last 7 days:** {week.seconds} billed s · {week.amount:.2f} {currency}",
        "",
        "**Today by member**",
    ]
    lines += [
        f"<@{user}>: {spent.seconds} s · {spent.amount:.2f} {currency}"
        for user, spent in report.by_member[:MAX_MEMBERS_SHOWN]
    ] or ["nobody yet"]
    return "\n".join(lines)


ADMIN_ONLY = "This command is for members with the Manage Server permission."
