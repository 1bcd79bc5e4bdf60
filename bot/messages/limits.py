"""Sentences for the team's limits: refusals, the confirmation question and `/r2v quota`."""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never

from bot.generation.pricing import CostEstimate
from bot.messages.catalog import listed, text
from bot.policy import Limit, Refusal
from bot.store.types import Spend

LIMIT_KEYS: dict[Limit, str] = {
    Limit.CHANNEL: "limit-channel",
    Limit.ROLE: "limit-role",
    Limit.RUNNING: "limit-running",
    Limit.COOLDOWN: "limit-cooldown",
    Limit.USER_BUDGET: "limit-user-budget",
    Limit.GUILD_BUDGET: "limit-guild-budget",
}


def nothing_submitted_heading(locale: str | None) -> str:
    return text(locale, "nothing-submitted")


def describe_wait(locale: str | None, seconds: float) -> str:
    """`45 s`, `10 min`, `1 h 30 min`: a cooldown read at a glance."""
    seconds = max(0, round(seconds))
    if seconds < 120:
        return text(locale, "wait-seconds", seconds=seconds)
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return text(locale, "wait-minutes", minutes=minutes)
    if not minutes:
        return text(locale, "wait-hours", hours=hours)
    return text(locale, "wait-hours-minutes", hours=hours, minutes=minutes)


def limit_title(locale: str | None, limit: Limit) -> str:
    return text(locale, LIMIT_KEYS[limit])


def refusal_sentence(locale: str | None, refusal: Refusal) -> str:
    match refusal.limit:
        case Limit.CHANNEL:
            channels = listed(locale, (f"<#{c}>" for c in refusal.allowed_ids))
            return text(locale, "refusal-channel", channels=channels)
        case Limit.ROLE:
            roles = listed(locale, (f"<@&{r}>" for r in refusal.allowed_ids))
            return text(locale, "refusal-role", roles=roles)
        case Limit.RUNNING:
            return text(
                locale, "refusal-running", in_use=str(refusal.in_use), allowed=str(refusal.allowed)
            )
        case Limit.COOLDOWN:
            return text(locale, "refusal-cooldown", wait=describe_wait(locale, refusal.cooldown_s))
        case Limit.USER_BUDGET | Limit.GUILD_BUDGET:
            if refusal.currency is None:
                return text(
                    locale,
                    "refusal-budget-seconds",
                    in_use=str(refusal.in_use),
                    allowed=str(refusal.allowed),
                    needed=str(refusal.needed),
                )
            unit = f" {refusal.currency}" if refusal.currency else ""
            return text(
                locale,
                "refusal-budget-money",
                in_use=money(refusal.in_use),
                allowed=money(refusal.allowed),
                needed=money(refusal.needed),
                unit=unit,
            )
        case _:
            assert_never(refusal.limit)


def describe_refusal(locale: str | None, refusal: Refusal) -> str:
    when = text(locale, "refusal-frees-at", at=int(refusal.frees_at)) if refusal.frees_at else ""
    return text(
        locale,
        "refusal-line",
        title=limit_title(locale, refusal.limit),
        sentence=refusal_sentence(locale, refusal),
        when=when,
    )


def nothing_submitted(locale: str | None, refusal: Refusal) -> str:
    return f"{nothing_submitted_heading(locale)} {describe_refusal(locale, refusal)}"


def describe_estimate(locale: str | None, estimate: CostEstimate) -> str:
    """`≈ 1.25 CNY (5 billed s)`, or `up to …` when clip lengths were assumed maximal."""
    return text(
        locale,
        "estimate-up-to" if estimate.upper_bound else "estimate-exact",
        amount=money(estimate.amount),
        currency=estimate.currency,
        billed=estimate.billed_seconds,
    )


def confirm_question(locale: str | None, price: str | None) -> str:
    shown = price or text(locale, "confirm-price-unknown")
    return text(locale, "confirm-question", price=shown)


def budget_line(
    locale: str | None, spent: Spend, max_seconds: int, max_amount: Decimal, currency: str
) -> str:
    seconds = (
        text(locale, "budget-seconds-of", seconds=spent.seconds, max=max_seconds)
        if max_seconds
        else text(locale, "budget-seconds", seconds=spent.seconds)
    )
    money_part = (
        text(
            locale,
            "budget-money-of",
            amount=money(spent.amount),
            max=money(max_amount),
            currency=currency,
        )
        if max_amount
        else text(locale, "budget-money", amount=money(spent.amount), currency=currency)
    )
    return text(locale, "budget-line", seconds=seconds, money=money_part)


def money(value: int | Decimal) -> str:
    """An amount of money with two decimals, as every sentence shows it."""
    return f"{Decimal(value):.2f}"
