"""Private generation: the status only the requester sees, the video by DM (or privately in the
channel when their DMs are closed), and nothing of it in public."""

from __future__ import annotations

import logging
from typing import Any

from fakes.fake_bailian import TaskPlan
from tests.common import custom_ids, png
from tests.conftest import eventually


async def generate_privately(fake_discord, user=None):
    ref = png(fake_discord)
    return await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 whispers a secret", "private": True},
        attachments={"ref1": ref},
        user=user,
    )


def public_mentions_of(fake_discord, task_id: str) -> list[dict[str, Any]]:
    return [m for m in fake_discord.messages() if task_id in str(m)]


async def test_a_private_task_shows_its_status_privately_and_sends_the_video_by_dm(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_bytes=200_000)
    member = fake_discord.make_user(name="iris")
    interaction = await generate_privately(fake_discord, user=member)
    status = await interaction.wait_private()
    task_id = fake_api.submits[0].task_id
    assert interaction.ephemeral
    assert task_id in str(status["embeds"]) and "privately" in status["content"]

    await fake_discord.wait_for(
        lambda: any(m["attachments"] for m in fake_discord.dm_messages(member)), 10, what="DM"
    )
    dm = next(m for m in fake_discord.dm_messages(member) if m["attachments"])
    assert dm["attachments"][0]["size"] == 200_000
    assert task_id in str(dm)
    assert public_mentions_of(fake_discord, task_id) == [], "nothing public about it"
    record = await bot.store.get(task_id)
    assert record.private and record.counted is not None and record.counted.amount > 0, (
        "it still counts against budgets"
    )


async def test_closed_dms_get_the_video_as_a_private_follow_up(bot, fake_discord, fake_api, caplog):
    caplog.set_level(logging.INFO, logger="bot.tracking")
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_bytes=100_000)
    member = fake_discord.make_user(name="jun")
    fake_discord.close_dms(member)
    interaction = await generate_privately(fake_discord, user=member)
    await interaction.wait_private()
    task_id = fake_api.submits[0].task_id

    def private_video():
        return next(
            (
                m
                for m in fake_discord.ephemeral_messages
                if m.get("interaction_id") == interaction.id and m["attachments"]
            ),
            None,
        )

    await fake_discord.wait_for(lambda: private_video() is not None, 10, what="follow-up")
    assert "direct messages" in private_video()["content"]
    assert fake_discord.dm_messages(member) == []
    assert public_mentions_of(fake_discord, task_id) == []

    # The log says where it went: not "by channel", which a private follow-up is not.
    async def logged() -> list[str]:
        lines = (record.getMessage() for record in caplog.records)
        return [line for line in lines if f"task {task_id} delivered" in line]

    delivered = await eventually(logged, what="the delivery's log line")
    assert "as a private follow-up" in delivered[0] and "channel" not in delivered[0]


async def test_other_members_cannot_look_up_a_private_task(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    member = fake_discord.make_user(name="kai")
    interaction = await generate_privately(fake_discord, user=member)
    await interaction.wait_private()
    task_id = fake_api.submits[0].task_id

    other = await fake_discord.invoke("r2v status", {"task_id": task_id})
    answer = await other.wait_followup()
    assert "private" in answer["content"] and task_id not in str(answer["embeds"])

    own = await fake_discord.invoke("r2v status", {"task_id": task_id}, user=member)
    assert task_id in str((await own.wait_followup())["embeds"])


async def test_a_private_result_nobody_could_receive_waits_for_r2v_status(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=0.1)
    member = fake_discord.make_user(name="lea")
    fake_discord.close_dms(member)
    interaction = await generate_privately(fake_discord, user=member)
    await interaction.wait_private()
    task_id = fake_api.submits[0].task_id
    fake_discord.advance(16 * 60)  # the command's token has died: no private follow-up either

    async def done():
        record = await bot.store.get(task_id)
        return record is not None and not record.is_active

    await eventually(done, 10, what="the task to end")
    assert public_mentions_of(fake_discord, task_id) == []
    status = await fake_discord.invoke("r2v status", {"task_id": task_id}, user=member)
    answer = await status.wait_followup()
    assert "Your video: <http" in answer["content"]


async def test_a_chinese_member_gets_the_private_answers_in_chinese(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    ref = png(fake_discord)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 悄悄说话", "private": True},
        attachments={"ref1": ref},
        locale="zh-CN",
    )
    status = await interaction.wait_private()
    assert "已私密提交" in status["content"] and "排队开始于 <t:" in str(status["embeds"])
    helped = await fake_discord.invoke("r2v help", {}, locale="zh-CN")
    assert "character1" in (await helped.wait_response())["json"]["data"]["content"]
    assert "按秒计费" in (await helped.wait_response())["json"]["data"]["content"]


async def test_a_private_result_by_dm_has_the_follow_ups_buttons_and_they_work_there(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05)
    member = fake_discord.make_user(name="mo")
    interaction = await generate_privately(fake_discord, user=member)
    await interaction.wait_private()
    task_id = fake_api.submits[0].task_id
    await fake_discord.wait_for(
        lambda: any(m["attachments"] for m in fake_discord.dm_messages(member)), 10, what="DM"
    )
    dm = next(m for m in fake_discord.dm_messages(member) if m["attachments"])

    # As on a private follow-up: Re-roll, Edit, Continue; no Delete.
    assert custom_ids(dm) == [f"r2v:{a}:{task_id}" for a in ("reroll", "edit", "continue")]

    click = await fake_discord.click(dm["id"], f"r2v:reroll:{task_id}", user=member)
    answer = await click.wait_private()
    assert "Submitted privately" in answer["content"]
    child = await bot.store.get(fake_api.submits[1].task_id)
    assert child is not None and child.private
    # Made from a DM, it belongs where its parent does: that server's limits and records.
    assert (child.origin.guild_id, child.origin.channel_id) == (
        fake_discord.guild_id,
        fake_discord.channel_id,
    )
    assert public_mentions_of(fake_discord, child.task_id) == []
