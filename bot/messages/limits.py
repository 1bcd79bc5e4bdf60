"""Sentences for the team's limits: refusals, the confirmation question and `/r2v quota`."""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never

from bot.policy import Limit, Refusal
from bot.store.types import Spend

NOTHING_SUBMITTED = "**Nothing was submitted.**"


def describe_wait(seconds: float) -> str:
    """`45 s`, `10 min`, `1 h 30 min`: a cooldown read at a glance."""
    seconds = max(0, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def limit_title(limit: Limit) -> str:
    match limit:
        case Limit.CHANNEL:
            return "Channel"
        case Limit.ROLE:
            return "Role"
        case Limit.RUNNING:
            return "Running tasks"
        case Limit.COOLDOWN:
            return "Cooldown"
        case Limit.USER_BUDGET:
            return "Your daily budget"
        case Limit.GUILD_BUDGET:
            return "The server's daily budget"
        case _:
            assert_never(limit)


def refusal_sentence(refusal: Refusal) -> str:
    match refusal.limit:
        case Limit.CHANNEL:
            channels = ", ".join(f"<#{c}>" for c in refusal.allowed_ids)
            return f"videos can be made only in {channels}."
        case Limit.ROLE:
            roles = ", ".join(f"<@&{r}>" for r in refusal.allowed_ids)
            return f"making videos needs one of these roles: {roles}."
        case Limit.RUNNING:
            return (
                f"you already have {refusal.in_use} video(s) in progress; the limit is "
                f"{refusal.allowed}. Wait for one to finish."
            )
        case Limit.COOLDOWN:
            return f"wait {describe_wait(refusal.cooldown_s)} between two videos."
        case Limit.USER_BUDGET | Limit.GUILD_BUDGET:
            if refusal.currency is None:
                return (
                    f"{refusal.in_use} of {refusal.allowed} billed seconds are used today and "
                    f"this video needs up to {refusal.needed} more."
                )
            unit = f" {refusal.currency}" if refusal.currency else ""
            return (
                f"{_money(refusal.in_use)} of {_money(refusal.allowed)}{unit} are spent today "
                f"and this video costs up to {_money(refusal.needed)}{unit} more."
            )
        case _:
            assert_never(refusal.limit)


def describe_refusal(refusal: Refusal) -> str:
    when = f" It frees up <t:{int(refusal.frees_at)}:R>." if refusal.frees_at else ""
    return f"**{limit_title(refusal.limit)}**: {refusal_sentence(refusal)}{when}"


def nothing_submitted(refusal: Refusal) -> str:
    return f"{NOTHING_SUBMITTED} {describe_refusal(refusal)}"


def confirm_question(price: str | None) -> str:
    shown = price or "an unknown amount (no price is configured)"
    return f"This video costs **{shown}**, above this server's confirmation threshold. Generate it?"


def budget_line(spent: Spend, max_seconds: int, max_amount: Decimal, currency: str) -> str:
    seconds = f"{spent.seconds} billed s" + (f" of {max_seconds}" if max_seconds else "")
    money = (
        f"{spent.amount:.2f} of {max_amount:.2f} {currency}"
        if max_amount
        else f"{spent.amount:.2f} {currency}"
    )
    return f"{seconds} · {money}"


def _money(value: int | Decimal) -> str:
    return f"{Decimal(value):.2f}"
