"""`/r2v-admin settings` and `/r2v-admin set` end to end, on SQLite and on PostgreSQL: a value
set from Discord is the server's at once and in every process, logged with who and when."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.policy import LimitBook, LimitSettings
from bot.store.open import open_store
from bot.store.settings import StoreSettings
from bot.team.service import TeamSettingsService
from bot.team.values import Setting, TeamSettings
from tests.cogs.common import command
from tests.conftest import running
from tests.pg import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]

ENVIRONMENT = LimitSettings(max_active_per_user=3, user_cooldown_s=10.0, confirm_above=Decimal(5))


@pytest.fixture(params=["sqlite", "postgres"])
def team_config(request, config):
    config = replace(config, limits=LimitBook(ENVIRONMENT))
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        config = replace(config, store=StoreSettings(config.store.db_path, database_url=url))
    return config


async def answer(fake_discord, command, options=None, **more) -> str:
    it = await fake_discord.invoke(command, options or {}, **more)
    return str((await it.wait_private())["content"])


async def test_a_setting_set_from_discord_is_the_servers_in_every_process(
    team_config, fake_discord
):
    admin = fake_discord.default_user
    async with running(team_config, fake_discord) as first:
        said = await answer(
            fake_discord, "r2v-admin set", {"setting": "user_cooldown_s", "value": "45"}
        )
        assert "Cooldown between a member's videos (seconds) is now **45 s**" in said
        assert "(it was the environment's)" in said

        # Another process on the same database sees it at its next read: nothing to restart.
        other = await open_store(team_config.store.database_url, team_config.store.db_path)
        try:
            elsewhere = TeamSettingsService(other, lambda guild_id: TeamSettings(ENVIRONMENT))
            seen = await elsewhere.for_guild(fake_discord.guild_id)
        finally:
            await other.close()
        assert seen.limits.user_cooldown_s == 45.0
        assert (await first.team.for_guild(fake_discord.guild_id)).limits.user_cooldown_s == 45.0

        channel = fake_discord.channel_ids[1]
        said = await answer(
            fake_discord,
            "r2v-admin set",
            {"setting": "allowed_channel_ids", "value": f"<#{channel}>"},
        )
        assert f"<#{channel}>" in said
        overview = await answer(fake_discord, "r2v-admin settings")

    assert "✏️ Cooldown between a member's videos (seconds): **45 s** (environment: 10 s)" in (
        overview
    )
    assert f"✏️ Channels where /r2v may be used: **<#{channel}>** (environment: every channel)" in (
        overview
    )
    assert "⚙️ Videos a member may have in progress at once: **3**" in overview
    assert "⚙️ The bot's admin roles (`R2V_ADMIN_ROLE_IDS`, set by the operator): **none**" in (
        overview
    )
    assert "**Latest changes**" in overview
    assert f"<@{admin['user']['id']}>: Cooldown between a member's videos (seconds)" in overview


async def test_reset_bad_values_and_who_may_set(team_config, fake_discord):
    async with running(team_config, fake_discord) as bot:
        member = fake_discord.make_user(name="member", permissions="0")
        fake_discord.allow_command("r2v-admin", int(member["user"]["id"]))
        refused = await answer(
            fake_discord, "r2v-admin set", {"setting": "model", "value": "wan2.6-r2v"}, user=member
        )
        assert "Manage Server" in refused
        assert await bot.store.guild_settings(fake_discord.guild_id) == {}

        bad = await answer(fake_discord, "r2v-admin set", {"setting": "duration", "value": "12"})
        assert (
            bad == "Default duration (seconds) takes a whole number from 2 to 10; `12` is not one."
        )
        off = await answer(
            fake_discord, "r2v-admin set", {"setting": "confirm_above", "value": "off"}
        )
        assert "is now **never**" in off
        same = await answer(
            fake_discord, "r2v-admin set", {"setting": "confirm_above", "value": "关闭"}
        )
        assert "nothing changed" in same
        reset = await answer(fake_discord, "r2v-admin set", {"setting": "confirm_above"})
        assert "back to the environment's **5.00 CNY**" in reset

        settings = await bot.team.for_guild(fake_discord.guild_id)
        assert settings.limits == ENVIRONMENT
        log = await bot.store.guild_setting_changes(fake_discord.guild_id)
        assert [(c.name, c.old, c.new) for c in log] == [
            (Setting.CONFIRM_ABOVE.value, "off", None),
            (Setting.CONFIRM_ABOVE.value, None, "off"),
        ]


async def test_settings_speak_chinese_to_a_chinese_admin(config, fake_discord):
    async with running(config, fake_discord):
        said = await answer(
            fake_discord,
            "r2v-admin set",
            {"setting": "private_default", "value": "是"},
            locale="zh-CN",
        )
        assert said.startswith("✏️ 本服务器的“默认私密生成”已改为 **是**")
        overview = await answer(fake_discord, "r2v-admin settings", locale="zh-CN")
        assert overview.startswith("**本服务器的设置**")


async def test_a_setting_changed_from_discord_applies_to_the_next_command(
    team_config, fake_discord, fake_api
):
    async with running(team_config, fake_discord):
        first = await command(fake_discord)
        await first.wait_public()
        sent = fake_api.submits[0].json
        assert (sent["model"], sent["parameters"]["duration"]) == ("wan2.6-r2v-flash", 5)

        for setting, value in (
            ("model", "wan2.6-r2v"),
            ("duration", "8"),
            ("private_default", "yes"),
            ("user_cooldown_s", "0"),  # the environment's 10 s would refuse the next one
            ("confirm_above", "off"),
        ):
            said = await answer(fake_discord, "r2v-admin set", {"setting": setting, "value": value})
            assert "is now" in said, said

        posted = len(fake_discord.messages())
        second = await command(fake_discord)
        assert "Submitted privately" in (await second.wait_private())["content"]
        sent = fake_api.submits[1].json
        assert (sent["model"], sent["parameters"]["duration"]) == ("wan2.6-r2v", 8)
        assert len(fake_discord.messages()) == posted, "private by the server's new default"

        elsewhere = fake_discord.channel_ids[1]
        await answer(
            fake_discord,
            "r2v-admin set",
            {"setting": "allowed_channel_ids", "value": f"<#{elsewhere}>"},
        )
        third = await command(fake_discord)
        refused = (await third.wait_private())["content"]
        assert "Nothing was submitted" in refused and f"<#{elsewhere}>" in refused
        assert len(fake_api.submits) == 2
