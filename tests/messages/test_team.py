"""Every server setting reads in both languages: its value at the defaults and at values an
admin sets, a logged change, and why a typed value is not one."""

from __future__ import annotations

import pytest

from bot.messages.catalog import LOCALES
from bot.messages.team import bad_value, label, stored_value, value
from bot.team.values import RULES, BadValue, Parsed, Setting, TeamSettings, merge, parse

# A value an admin might set for each setting, as typed.
TYPED = {
    Setting.USER_DAILY_SECONDS: "600",
    Setting.GUILD_DAILY_SECONDS: "6000",
    Setting.USER_DAILY_AMOUNT: "2.5",
    Setting.GUILD_DAILY_AMOUNT: "100",
    Setting.COOLDOWN: "90",
    Setting.MAX_ACTIVE: "2",
    Setting.ALLOWED_CHANNELS: "<#11> <#12>",
    Setting.ALLOWED_ROLES: "<@&21>",
    Setting.CONFIRM_ABOVE: "off",
    Setting.MODEL: "wan2.6-r2v",
    Setting.SIZE: "720x1280",
    Setting.DURATION: "8",
    Setting.PRIVATE_DEFAULT: "yes",
}

EXPECTED_EN = {
    Setting.USER_DAILY_SECONDS: ("no limit", "600 billed s"),
    Setting.GUILD_DAILY_SECONDS: ("no limit", "6,000 billed s"),
    Setting.USER_DAILY_AMOUNT: ("no limit", "2.50 CNY"),
    Setting.GUILD_DAILY_AMOUNT: ("no limit", "100.00 CNY"),
    Setting.COOLDOWN: ("10 s", "90 s"),
    Setting.MAX_ACTIVE: ("3", "2"),
    Setting.ALLOWED_CHANNELS: ("every channel", "<#11>, <#12>"),
    Setting.ALLOWED_ROLES: ("everyone", "<@&21>"),
    Setting.CONFIRM_ABOVE: ("5.00 CNY", "never"),
    Setting.MODEL: ("`wan2.6-r2v-flash`", "`wan2.6-r2v`"),
    Setting.SIZE: ("1920×1080 · 1080P · 16:9 landscape", "720×1280 · 720P · 9:16 portrait"),
    Setting.DURATION: ("5 s", "8 s"),
    Setting.PRIVATE_DEFAULT: ("no", "yes"),
}


def test_every_setting_has_a_typed_example():
    assert set(TYPED) == set(Setting) == set(EXPECTED_EN)


@pytest.mark.parametrize("setting", list(Setting))
def test_each_value_in_english(setting):
    parsed = parse(setting, TYPED[setting])
    assert isinstance(parsed, Parsed)
    changed = merge(TeamSettings(), {setting.value: parsed.stored}).settings
    default, set_here = EXPECTED_EN[setting]
    assert value("en-US", setting, TeamSettings(), "CNY") == default
    assert value("en-US", setting, changed, "CNY") == set_here
    assert stored_value("en-US", setting, parsed.stored, "CNY") == set_here
    assert stored_value("en-US", setting, None, "CNY") == "the environment's"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("setting", list(Setting))
def test_each_setting_reads_in_each_language(locale, setting):
    parsed = parse(setting, TYPED[setting])
    assert isinstance(parsed, Parsed)
    assert label(locale, setting)
    assert stored_value(locale, setting, parsed.stored, "CNY")
    refusal = bad_value(locale, BadValue(setting, RULES[setting]), "nonsense @everyone")
    assert "`nonsense @\u200beveryone`" in refusal
