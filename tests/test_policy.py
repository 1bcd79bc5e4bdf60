"""Each limit on both sides of its boundary (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.generation.pricing import CostEstimate
from bot.messages.catalog import ENGLISH
from bot.messages.limits import describe_refusal, limit_title, refusal_sentence
from bot.policy import (
    Actor,
    LimitBook,
    LimitSettings,
    Moderators,
    check_access,
    check_limits,
    day_start,
    needs_confirmation,
    next_day,
)
from bot.store.types import Spend, Usage
from tests.conftest import NO_LIMITS

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC).timestamp()
COST = CostEstimate(billed_seconds=10, amount=Decimal("2.50"), currency="CNY", upper_bound=False)


NOTHING = Spend()


def usage(active=0, last=None, user=NOTHING, guild=NOTHING) -> Usage:
    return Usage(active_tasks=active, last_submit_at=last, user_today=user, guild_today=guild)


@pytest.mark.parametrize(
    ("settings", "used", "refused_by"),
    [
        ({"max_active_per_user": 3}, usage(active=2), None),
        ({"max_active_per_user": 3}, usage(active=3), "Running tasks"),
        ({"max_active_per_user": 0}, usage(active=50), None),
        ({"user_cooldown_s": 10}, usage(last=NOW - 10), None),
        ({"user_cooldown_s": 10}, usage(last=NOW - 9.9), "Cooldown"),
        ({"user_daily_seconds": 60}, usage(user=Spend(50)), None),
        ({"user_daily_seconds": 60}, usage(user=Spend(51)), "Your daily budget"),
        ({"guild_daily_seconds": 100}, usage(guild=Spend(90)), None),
        (
            {"guild_daily_seconds": 100},
            usage(guild=Spend(91)),
            "The server's daily budget",
        ),
        (
            {"user_daily_amount": Decimal(10)},
            usage(user=Spend(0, Decimal("7.50"))),
            None,
        ),
        (
            {"user_daily_amount": Decimal(10)},
            usage(user=Spend(0, Decimal("7.51"))),
            "Your daily budget",
        ),
        (
            {"guild_daily_amount": Decimal(100)},
            usage(guild=Spend(0, Decimal("97.50"))),
            None,
        ),
        (
            {"guild_daily_amount": Decimal(100)},
            usage(guild=Spend(0, Decimal("97.51"))),
            "The server's daily budget",
        ),
    ],
)
def test_limits_both_sides_of_each_boundary(settings, used, refused_by):
    refusal = check_limits(replace(NO_LIMITS, **settings), used, COST, NOW)
    assert (limit_title(ENGLISH, refusal.limit) if refusal else None) == refused_by


def test_a_refusal_says_when_the_limit_frees_up():
    cooldown = check_limits(LimitSettings(user_cooldown_s=30), usage(last=NOW - 10), COST, NOW)
    assert cooldown is not None and cooldown.frees_at == NOW + 20
    assert f"<t:{int(NOW + 20)}:R>" in describe_refusal(ENGLISH, cooldown)
    budget = check_limits(
        LimitSettings(user_cooldown_s=0, user_daily_seconds=5), usage(), COST, NOW
    )
    assert budget is not None and budget.frees_at == next_day(NOW)
    sentence = refusal_sentence(ENGLISH, budget)
    assert "0 of 5 billed seconds" in sentence and "10 more" in sentence


def test_budget_days_are_utc_days():
    assert day_start(NOW) == datetime(2026, 11, 25, tzinfo=UTC).timestamp()
    assert next_day(NOW) == datetime(2026, 11, 26, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("allowed_channels", "allowed_roles", "channels", "roles", "refused_by"),
    [
        ((), (), [1], [], None),
        ((1,), (), [1], [], None),
        ((1,), (), [2], [], "Channel"),
        ((1,), (), [7, 1], [], None),  # a thread whose parent is allowed
        ((), (5,), [1], [5, 6], None),
        ((), (5,), [1], [6], "Role"),
        ((), (5,), [1], [], "Role"),
    ],
)
def test_channel_and_role_rules(allowed_channels, allowed_roles, channels, roles, refused_by):
    settings = LimitSettings(
        allowed_channel_ids=frozenset(allowed_channels), allowed_role_ids=frozenset(allowed_roles)
    )
    refusal = check_access(settings, channels, roles)
    assert (limit_title(ENGLISH, refusal.limit) if refusal else None) == refused_by


@pytest.mark.parametrize(
    ("threshold", "amount", "asks"),
    [
        (Decimal(5), "5.00", False),
        (Decimal(5), "5.01", True),
        (None, "999", False),
        (Decimal(0), "0.01", True),
    ],
)
def test_confirmation_is_asked_only_above_the_threshold(threshold, amount, asks):
    cost = CostEstimate(billed_seconds=5, amount=Decimal(amount), currency="CNY", upper_bound=False)
    assert needs_confirmation(LimitSettings(confirm_above=threshold), cost) is asks


def test_an_unknown_price_asks_for_confirmation_when_a_threshold_is_set():
    assert needs_confirmation(LimitSettings(confirm_above=Decimal(5)), None) is True
    assert needs_confirmation(LimitSettings(confirm_above=None), None) is False


def test_discords_own_permission_or_an_admin_role_makes_a_moderator():
    moderators = Moderators(LimitBook(replace(NO_LIMITS, admin_role_ids=frozenset({5}))))
    plain = Actor(1, frozenset({4}))
    assert not moderators.may_administer(9, plain) and not moderators.may_moderate(9, plain)
    assert moderators.may_administer(9, replace(plain, manages_server=True))
    assert not moderators.may_moderate(9, replace(plain, manages_server=True)), (
        "Manage Server alone does not tidy up others' things: Manage Messages does"
    )
    assert moderators.may_moderate(9, replace(plain, manages_messages=True))
    lead = replace(plain, role_ids=frozenset({4, 5}))
    assert moderators.may_administer(9, lead) and moderators.may_moderate(9, lead)
    assert not Moderators().may_administer(9, lead), "no admin roles unless configured"
