"""A server's own settings: an admin's text read by each setting's rule, and the effective
settings (the environment's with the server's values over them), as tables (pure)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType

import pytest

from bot.generation.request import Defaults
from bot.generation.settings import GenerationSettings
from bot.policy import LimitBook, LimitSettings
from bot.team.values import (
    RULES,
    BadValue,
    Expected,
    Merged,
    Parsed,
    Setting,
    TeamSettings,
    environment_settings,
    merge,
    parse,
    value_of,
)

S = Setting


@pytest.mark.parametrize(
    ("setting", "text", "stored"),
    [
        (S.USER_DAILY_SECONDS, "600", "600"),
        (S.USER_DAILY_SECONDS, " 0 ", "0"),
        (S.GUILD_DAILY_SECONDS, "10000000", "10000000"),
        (S.MAX_ACTIVE, "007", "7"),
        (S.DURATION, "2", "2"),
        (S.DURATION, "10", "10"),
        (S.COOLDOWN, "30", "30"),
        (S.COOLDOWN, "2.5", "2.5"),
        (S.COOLDOWN, "0", "0"),
        (S.USER_DAILY_AMOUNT, "12.50", "12.50"),
        (S.GUILD_DAILY_AMOUNT, "0", "0"),
        (S.CONFIRM_ABOVE, "5", "5"),
        (S.CONFIRM_ABOVE, "OFF", "off"),
        (S.CONFIRM_ABOVE, "关闭", "off"),
        (S.ALLOWED_CHANNELS, "<#222> <#111>, 333", "111,222,333"),
        (S.ALLOWED_CHANNELS, "<#5>，<#4>", "4,5"),
        (S.ALLOWED_CHANNELS, "all", "all"),
        (S.ALLOWED_ROLES, "<@&9> 8", "8,9"),
        (S.ALLOWED_ROLES, "全部", "all"),
        (S.MODEL, "WAN2.6-R2V", "wan2.6-r2v"),
        (S.SIZE, "1920x1080", "1920*1080"),
        (S.SIZE, "720 × 1280", "720*1280"),
        (S.SIZE, "960*960", "960*960"),
        (S.PRIVATE_DEFAULT, "Yes", "true"),
        (S.PRIVATE_DEFAULT, "否", "false"),
        (S.PRIVATE_DEFAULT, "off", "false"),
    ],
)
def test_an_admins_text_becomes_the_stored_value(setting, text, stored):
    assert parse(setting, text) == Parsed(setting, stored)


@pytest.mark.parametrize(
    ("setting", "text"),
    [
        (S.USER_DAILY_SECONDS, "-1"),
        (S.USER_DAILY_SECONDS, "1.5"),
        (S.USER_DAILY_SECONDS, "10000001"),
        (S.MAX_ACTIVE, "1001"),
        (S.MAX_ACTIVE, "²"),
        (S.DURATION, "1"),
        (S.DURATION, "11"),
        (S.COOLDOWN, "-3"),
        (S.COOLDOWN, "nan"),
        (S.COOLDOWN, "inf"),
        (S.COOLDOWN, "604801"),
        (S.USER_DAILY_AMOUNT, "-0.01"),
        (S.USER_DAILY_AMOUNT, "off"),
        (S.USER_DAILY_AMOUNT, "NaN"),
        (S.CONFIRM_ABOVE, "lots"),
        (S.ALLOWED_CHANNELS, "<@&5>"),
        (S.ALLOWED_CHANNELS, "#videos"),
        (S.ALLOWED_CHANNELS, ""),
        (S.ALLOWED_ROLES, "<#5>"),
        (S.ALLOWED_ROLES, "@artists"),
        (S.MODEL, "wan2.5"),
        (S.SIZE, "1920x1081"),
        (S.PRIVATE_DEFAULT, "maybe"),
    ],
)
def test_text_that_is_no_value_of_the_setting_is_refused(setting, text):
    assert parse(setting, text) == BadValue(setting, RULES[setting])


def test_every_setting_has_a_rule_and_a_value():
    assert set(RULES) == set(Setting)
    for setting in Setting:
        value_of(TeamSettings(), setting)  # raises for a setting it does not know


ENV = TeamSettings(
    limits=LimitSettings(
        allowed_channel_ids=frozenset({1}),
        max_active_per_user=3,
        user_cooldown_s=10.0,
        confirm_above=Decimal(5),
    ),
    defaults=Defaults(model="wan2.6-r2v-flash", size="1920*1080", duration=5),
    private_default=False,
)
LIM = ENV.limits


@pytest.mark.parametrize(
    ("stored", "expected", "own"),
    [
        ({}, ENV, set()),
        (
            {"user_cooldown_s": "30", "max_active_per_user": "1"},
            replace(ENV, limits=replace(LIM, user_cooldown_s=30.0, max_active_per_user=1)),
            {S.COOLDOWN, S.MAX_ACTIVE},
        ),
        (
            {"user_daily_seconds": "600", "guild_daily_seconds": "6000"},
            replace(ENV, limits=replace(LIM, user_daily_seconds=600, guild_daily_seconds=6000)),
            {S.USER_DAILY_SECONDS, S.GUILD_DAILY_SECONDS},
        ),
        (
            {"user_daily_amount": "2.50", "guild_daily_amount": "100"},
            replace(
                ENV,
                limits=replace(
                    LIM, user_daily_amount=Decimal("2.50"), guild_daily_amount=Decimal(100)
                ),
            ),
            {S.USER_DAILY_AMOUNT, S.GUILD_DAILY_AMOUNT},
        ),
        (
            {"confirm_above": "off"},
            replace(ENV, limits=replace(LIM, confirm_above=None)),
            {S.CONFIRM_ABOVE},
        ),
        (
            {"confirm_above": "0.5"},
            replace(ENV, limits=replace(LIM, confirm_above=Decimal("0.5"))),
            {S.CONFIRM_ABOVE},
        ),
        (
            {"allowed_channel_ids": "all", "allowed_role_ids": "7,8"},
            replace(
                ENV,
                limits=replace(
                    LIM, allowed_channel_ids=frozenset(), allowed_role_ids=frozenset({7, 8})
                ),
            ),
            {S.ALLOWED_CHANNELS, S.ALLOWED_ROLES},
        ),
        (
            {"model": "wan2.6-r2v", "size": "720*1280", "duration": "8", "private_default": "true"},
            replace(
                ENV,
                defaults=Defaults(model="wan2.6-r2v", size="720*1280", duration=8),
                private_default=True,
            ),
            {S.MODEL, S.SIZE, S.DURATION, S.PRIVATE_DEFAULT},
        ),
    ],
    ids=["none", "cooldown-active", "seconds", "money", "confirm-off", "confirm", "ids", "gen"],
)
def test_the_servers_values_go_over_the_environments(stored, expected, own):
    assert merge(ENV, stored) == Merged(expected, frozenset(own))


def test_stored_values_this_version_cannot_read_are_passed_over():
    merged = merge(ENV, {"model": "wan9", "color": "red", "user_cooldown_s": "20"})

    assert merged.settings == replace(ENV, limits=replace(LIM, user_cooldown_s=20.0))
    assert merged.own == {S.COOLDOWN}
    assert merged.unreadable == ("color", "model")


def test_the_environment_of_a_server_includes_its_r2v_guild_limits():
    special = LimitSettings(max_active_per_user=9)
    book = LimitBook(LimitSettings(), MappingProxyType({42: special}))
    generation = GenerationSettings(defaults=Defaults(size="1280*720"), private_default=True)

    assert environment_settings(book, generation, 42).limits == special
    elsewhere = environment_settings(book, generation, 7)
    assert elsewhere.limits == LimitSettings()
    assert elsewhere.defaults.size == "1280*720" and elsewhere.private_default
    assert environment_settings(book, generation, None).limits == LimitSettings()


def test_each_rule_says_what_it_expects():
    assert RULES[S.DURATION] == RULES[S.DURATION].__class__(Expected.WHOLE, 2, 10)
    assert {rule.expected for rule in RULES.values()} == set(Expected)
