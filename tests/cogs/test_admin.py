"""`/r2v-admin`: spend and tracking control, for members with Manage Server only."""

from __future__ import annotations

import pytest

from fakes.fake_bailian import TaskPlan
from fakes.fake_discord import FakeDiscordError
from tests.cogs.common import command
from tests.common import delivered


async def test_admin_sees_spend_and_can_stop_tracking(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    await (await command(fake_discord)).wait_public()
    task_id = fake_api.submits[0].task_id

    member = fake_discord.make_user(name="member", permissions="0")
    with pytest.raises(FakeDiscordError, match="does not show 'r2v-admin'"):
        await fake_discord.invoke("r2v-admin spend", {}, user=member)
    # A server that lets everyone see the command (Integrations) still keeps it to managers.
    fake_discord.allow_command("r2v-admin", fake_discord.guild_id)
    refused = await fake_discord.invoke("r2v-admin spend", {}, user=member)
    text = (await refused.wait_private())["content"]
    assert text == "This command is for members with the Manage Server permission."

    spend = await fake_discord.invoke("r2v-admin spend", {})
    text = (await spend.wait_response())["json"]["data"]["content"]
    assert "**Today:** 0 billed s · 0.00 CNY" in text and spend.ephemeral
    assert "**Not finished yet:** 5 s · 2.50 CNY" in text

    untrack = await fake_discord.invoke("r2v-admin untrack", {"task_id": task_id})
    assert "Stopped following" in (await untrack.wait_response())["json"]["data"]["content"]
    record = await bot.store.get(task_id)
    assert not record.is_active and not bot.tracker.is_tracking(task_id)


async def test_spend_shows_billed_and_pending_apart(bot, fake_discord, fake_api):
    _, _, _ = await delivered(fake_discord, fake_api)  # finished: billed
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    await (await command(fake_discord)).wait_public()  # running: pending
    member = fake_discord.default_user["user"]["id"]

    spend = await fake_discord.invoke("r2v-admin spend", {})
    text = (await spend.wait_private())["content"]

    assert "**Today:** 5 billed s · 2.50 CNY" in text
    assert "**Last 7 days:** 5 billed s · 2.50 CNY" in text
    assert "**Not finished yet:** 5 s · 2.50 CNY" in text
    assert f"<@{member}>: 5 billed s · 2.50 CNY · ⏳ 5 s · 2.50 CNY not finished yet" in text
