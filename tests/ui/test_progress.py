"""Progress a member can trust: live timestamps, "usually ready" once learnt, place in queue."""

from __future__ import annotations

from dataclasses import replace

from fakes.fake_bailian import TaskPlan
from tests.common import generate
from tests.conftest import make_config, running


def status_text(fake_discord, message_id) -> str:
    return str(fake_discord.get_message(message_id)["embeds"])


async def test_status_counts_from_queued_to_generating_with_discord_timestamps(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=30)
    _, status = await generate(fake_discord)
    assert "queued since <t:" in str(status["embeds"])
    await fake_discord.wait_for(
        lambda: "generating since <t:" in status_text(fake_discord, status["id"]),
        10,
        what="generating since",
    )


async def test_usually_ready_appears_once_the_bot_has_learnt_the_kind(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=0.02, running_s=0.05)
    for done in range(1, 6):
        await generate(fake_discord, duration=4)
        await fake_discord.wait_for(
            lambda done=done: sum(1 for m in fake_discord.messages() if m["attachments"]) >= done,
            10,
            what=f"video {done}",
        )
    fake_api.default_plan = TaskPlan(pending_s=0.02, running_s=60)
    _, status = await generate(fake_discord, duration=4)
    await fake_discord.wait_for(
        lambda: "usually ready <t:" in status_text(fake_discord, status["id"]),
        10,
        what="usually ready",
    )
    # Another kind (another duration) has no samples: no promise is made.
    _, other = await generate(fake_discord, duration=9)
    await fake_discord.wait_for(
        lambda: "generating since" in status_text(fake_discord, other["id"]), 10, what="running"
    )
    assert "usually ready" not in status_text(fake_discord, other["id"])


async def test_members_see_their_place_when_the_account_is_busy(tmp_path, fake_api, fake_discord):
    config = make_config(tmp_path, fake_api, fake_discord)
    config = replace(config, tracker=replace(config.tracker, account_concurrency=1))
    fake_api.default_plan = TaskPlan(pending_s=60, running_s=60)
    async with running(config, fake_discord):
        _, first = await generate(fake_discord)
        _, second = await generate(fake_discord)
        _, third = await generate(fake_discord)
    assert "waiting tasks" not in str(first["embeds"])
    assert "#1 among this bot's waiting tasks" in str(second["embeds"])
    assert "#2 among this bot's waiting tasks" in str(third["embeds"])
