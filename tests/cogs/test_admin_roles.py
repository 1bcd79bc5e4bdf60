"""The bot's admin roles (R2V_ADMIN_ROLE_IDS): a team lead without Manage Server or Manage
Messages runs `/r2v-admin` and tidies up others' cast members and results, once the server lets
the role see the command; everyone else is told who may, and nobody is pinged."""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from bot.policy import LimitBook
from fakes.fake_discord import FakeDiscordError
from tests.cogs.common import add, image
from tests.common import delivered
from tests.conftest import NO_LIMITS, running

LEAD_ROLE = 424242424242424242
MEMBER = str(
    discord.Permissions(view_channel=True, send_messages=True, use_application_commands=True).value
)


@pytest.fixture
def leads_config(config, fake_discord):
    fake_discord.add_role(LEAD_ROLE, "leads")
    return replace(
        config, limits=LimitBook(replace(NO_LIMITS, admin_role_ids=frozenset({LEAD_ROLE})))
    )


async def private_text(interaction) -> str:
    return str((await interaction.wait_private())["content"])


async def test_a_lead_runs_the_admin_commands_once_the_server_shows_them_the_command(
    leads_config, fake_discord
):
    async with running(leads_config, fake_discord) as bot:
        lead = fake_discord.make_user(name="lead", roles=[LEAD_ROLE], permissions=MEMBER)
        member = fake_discord.make_user(name="member", permissions=MEMBER)
        # Discord hides /r2v-admin (Manage Server by default) until the server allows the role.
        with pytest.raises(FakeDiscordError, match="does not show 'r2v-admin'"):
            await fake_discord.invoke("r2v-admin settings", {}, user=lead)
        fake_discord.allow_command("r2v-admin", LEAD_ROLE)

        changed = await fake_discord.invoke(
            "r2v-admin set", {"setting": "user_cooldown_s", "value": "30"}, user=lead
        )
        assert "is now **30 s** in this server" in await private_text(changed)
        stored = await bot.store.guild_settings(fake_discord.guild_id)
        assert stored["user_cooldown_s"] == "30"
        overview = await fake_discord.invoke("r2v-admin settings", {}, user=lead)
        assert (
            f"admin roles (`R2V_ADMIN_ROLE_IDS`, set by the operator): **<@&{LEAD_ROLE}>**, "
            "besides Manage Server and Manage Messages"
        ) in await private_text(overview)

        # Someone the server also lets see the command, without the role, is told who may.
        fake_discord.allow_command("r2v-admin", int(member["user"]["id"]))
        refused = await fake_discord.invoke("r2v-admin spend", {}, user=member)
        assert await private_text(refused) == (
            "This command is for members with the Manage Server permission or one of the bot's "
            f"admin roles: <@&{LEAD_ROLE}>."
        )
        assert fake_discord.pinged(await refused.wait_private())["roles"] == set()


async def test_a_lead_may_remove_anyones_cast_member_and_others_are_told_who_may(
    leads_config, fake_discord
):
    async with running(leads_config, fake_discord) as bot:
        adder = fake_discord.make_user(name="ada", permissions=MEMBER)
        stranger = fake_discord.make_user(name="zed", permissions=MEMBER)
        lead = fake_discord.make_user(name="lead", roles=[LEAD_ROLE], permissions=MEMBER)
        await add(fake_discord, "Mia", image(fake_discord), user=adder)

        refused = await fake_discord.invoke("r2v cast remove", {"name": "Mia"}, user=stranger)
        answer = await refused.wait_private()
        assert answer["content"] == (
            f"Only <@{adder['user']['id']}>, who added **Mia**, or a member who can manage "
            f"messages or has one of the bot's admin roles (<@&{LEAD_ROLE}>) can change or "
            "remove it."
        )
        assert fake_discord.pinged(answer) == {"everyone": False, "users": set(), "roles": set()}

        renamed = await fake_discord.invoke(
            "r2v cast rename", {"name": "Mia", "new_name": "Mira"}, user=lead
        )
        assert "**Mia** is now **Mira**" in await private_text(renamed)
        removed = await fake_discord.invoke("r2v cast remove", {"name": "Mira"}, user=lead)
        assert "was removed" in await private_text(removed)
        assert await bot.store.cast_names(fake_discord.guild_id) == []


async def test_a_lead_may_delete_anyones_result(leads_config, fake_discord, fake_api):
    async with running(leads_config, fake_discord):
        _, _, result = await delivered(fake_discord, fake_api)
        delete = f"r2v:delete:{fake_api.submits[0].task_id}"

        stranger = fake_discord.make_user(name="mallory", permissions=MEMBER)
        refused = await fake_discord.click(result["id"], delete, user=stranger)
        text = (await refused.wait_response())["json"]["data"]["content"]
        assert f"or has one of the bot's admin roles (<@&{LEAD_ROLE}>) can delete it" in text
        assert not fake_discord.get_message(result["id"]).get("deleted")

        lead = fake_discord.make_user(name="lead", roles=[LEAD_ROLE], permissions=MEMBER)
        click = await fake_discord.click(result["id"], delete, user=lead)
        await click.wait_response()
        await fake_discord.wait_for(
            lambda: fake_discord.get_message(result["id"]).get("deleted"), 5, what="deleted"
        )


async def test_the_refusal_and_the_settings_name_the_roles_in_chinese_too(
    leads_config, fake_discord
):
    async with running(leads_config, fake_discord):
        member = fake_discord.make_user(name="member", permissions=MEMBER)
        fake_discord.allow_command("r2v-admin", fake_discord.guild_id)
        refused = await fake_discord.invoke("r2v-admin spend", {}, user=member, locale="zh-CN")
        assert await private_text(refused) == (
            f"此命令仅限拥有「管理服务器」权限或拥有机器人管理身份组（<@&{LEAD_ROLE}>）的成员使用。"
        )
        lead = fake_discord.make_user(name="lead", roles=[LEAD_ROLE], permissions=MEMBER)
        overview = await fake_discord.invoke("r2v-admin settings", {}, user=lead, locale="zh-CN")
        assert (
            f"⚙️ 机器人管理身份组（`R2V_ADMIN_ROLE_IDS`，由运维设置）：**<@&{LEAD_ROLE}>**"
            in await private_text(overview)
        )
