"""Following a task to its end, as a user in the channel sees it (real bot, both fakes)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from fakes.fake_bailian import TaskPlan
from tests.common import generate, png, replies_to, stored
from tests.conftest import FAST_TRACKING, eventually, make_config, running


async def wait_final(fake_discord, status_id, timeout=10):
    await fake_discord.wait_for(
        lambda: replies_to(fake_discord, status_id), timeout, what="the final post"
    )
    return replies_to(fake_discord, status_id)[0]


def requester_id(interaction) -> int:
    return int(interaction.user["user"]["id"])


async def test_the_video_is_posted_in_the_channel_replying_to_the_status(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=0.6, video_bytes=300_000)
    interaction, status = await generate(fake_discord, "character1 waves", seed=99, duration=6)
    seen: set[str] = set()

    def status_text() -> str:
        text = str(fake_discord.get_message(status["id"])["embeds"])
        seen.update(s for s in ("PENDING", "RUNNING", "SUCCEEDED") if s in text)
        return text

    await fake_discord.wait_for(lambda: "SUCCEEDED" in status_text(), 10, what="SUCCEEDED")
    assert seen == {"PENDING", "RUNNING", "SUCCEEDED"}, "each status was shown on the way"

    post = await wait_final(fake_discord, status["id"])
    assert post["attachments"][0]["size"] == 300_000
    assert post["attachments"][0]["filename"].endswith(".mp4")
    assert fake_discord.pinged(post) == {
        "everyone": False,
        "users": {requester_id(interaction)},
        "roles": set(),
    }
    shown = str(post["embeds"])
    for expected in ("character1 waves", "99", "wan2.6-r2v-flash", "1920×1080", "6 s"):
        assert expected in shown
    # Status edits and the delivery go through the bot's channel routes, never the webhook.
    late = [r for r in fake_discord.requests if r.at > interaction.created_at + 0.1]
    assert not any(
        "/webhooks/" in r.path for r in late if r.method == "PATCH" and "SUCC" in str(r.json)
    )
    assert any(
        r.method == "PATCH"
        and r.path.endswith(f"/messages/{status['id']}")
        and r.path.startswith("/api/v10/channels/")
        for r in fake_discord.requests
    )
    task_id = fake_api.submits[0].task_id

    async def finished():
        record = await stored(bot.store, task_id)
        return record if not record.is_active else None

    record = await eventually(finished, what="the task to be closed in the store")
    assert record.result_message_id == int(post["id"])
    assert [s for _, s in await bot.store.events(record.task_id)] == [
        "PENDING",
        "RUNNING",
        "SUCCEEDED",
    ]


async def test_the_servers_cap_not_the_interactions_decides_what_is_attached(
    bot, fake_discord, fake_api
):
    """The bot's own channel post is capped by the server's boost tier (10 MiB here), whatever
    limit the member's interaction carried; both are recorded, each for what it governs."""
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_bytes=2_000_000)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 jumps"},
        attachments={"ref1": png(fake_discord)},
        attachment_size_limit=1_000_000,
    )
    status = await interaction.wait_public()
    post = await wait_final(fake_discord, status["id"])
    assert post["attachments"][0]["size"] == 2_000_000
    record = await bot.store.get(fake_api.submits[0].task_id)
    limits = (record.upload_limit, record.origin.interaction_upload_limit)
    assert limits == (10 * 1024**2, 1_000_000)


async def test_a_failed_task_says_why_and_what_to_change(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(
        pending_s=0.1,
        running_s=0.1,
        outcome="FAILED",
        code="InvalidParameter.DataInspection",
        message="Unable to download the media resource",
    )
    _, status = await generate(fake_discord)
    post = await wait_final(fake_discord, status["id"])
    assert "could not download one of the references" in post["content"]
    assert "Unable to download the media resource" in post["content"]
    await fake_discord.wait_for(
        lambda: "FAILED" in str(fake_discord.get_message(status["id"])["embeds"]),
        what="the status message to show FAILED",
    )


async def test_an_expired_task_ends_with_a_clear_message(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=5, running_s=5, expire_after_s=0.2)
    _, status = await generate(fake_discord)
    post = await wait_final(fake_discord, status["id"])
    assert "no longer knows this task" in post["content"]


async def test_a_status_outside_the_contract_runs_until_the_deadline(
    tmp_path, fake_api, fake_discord, caplog
):
    fast_deadline = replace(FAST_TRACKING, deadline_s=1.0)
    config = make_config(tmp_path, fake_api, fake_discord, tracker=fast_deadline)
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, outcome="SUSPENDED")
    async with running(config, fake_discord) as bot:
        _, status = await generate(fake_discord)
        post = await wait_final(fake_discord, status["id"])
        task_id = fake_api.submits[0].task_id

        async def closed():
            record = await stored(bot.store, task_id)
            return record if not record.is_active else None

        record = await eventually(closed)
    assert "stopped waiting" in post["content"]
    assert "/r2v status" in post["content"]
    assert record.raw_status == "SUSPENDED" and not record.is_active
    assert "'SUSPENDED', which the contract does not name" in caplog.text


async def test_delivery_arrives_after_the_interaction_token_expired(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=0.5, running_s=0.5)
    interaction, status = await generate(fake_discord)
    fake_discord.advance(16 * 60)  # the webhook token is dead now
    post = await wait_final(fake_discord, status["id"])
    assert post["attachments"], "the video still arrives through the bot's own channel route"
    assert fake_discord.pinged(post)["users"] == {requester_id(interaction)}


async def test_a_task_that_finished_while_the_bot_was_down_is_still_delivered(
    tmp_path, fake_api, fake_discord
):
    config = make_config(
        tmp_path, fake_api, fake_discord, tracker=replace(FAST_TRACKING, deadline_s=0.5)
    )
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=0.3)
    async with running(config, fake_discord) as bot:
        _, status = await generate(fake_discord)

        async def status_recorded():
            record = await stored(bot.store, fake_api.submits[0].task_id)
            return record.status_message_id

        await eventually(status_recorded)
    await asyncio.sleep(1.0)  # down past the deadline; the video got done meanwhile
    async with running(config, fake_discord):
        post = await wait_final(fake_discord, status["id"])
    assert post["attachments"], "delivered, not written off as past its deadline"


async def test_a_task_whose_status_message_was_never_recorded_is_still_delivered(
    config, fake_api, fake_discord
):
    """A crash between storing the task and recording its status message."""
    # Still running when the restarted bot first polls it (a second or so after its start).
    fake_api.default_plan = TaskPlan(pending_s=0.2, running_s=3.0)
    async with running(config, fake_discord) as bot:
        await bot.tracker.stop()  # this bot only submits
        await generate(fake_discord)
        task_id = fake_api.submits[0].task_id

        async def recorded():
            record = await stored(bot.store, task_id)
            return record.status_message_id

        await eventually(recorded)
        record = await stored(bot.store, task_id)
        await bot.store.save(replace(record, status_message_id=None))
    async with running(config, fake_discord):
        await fake_discord.wait_for(
            lambda: any(m["attachments"] for m in fake_discord.messages()), 10, what="the video"
        )
    video = next(m for m in fake_discord.messages() if m["attachments"])
    assert task_id in str(video["embeds"])
    # The restarted bot posts a fresh status message, and the video replies to it.
    status = fake_discord.get_message(video["message_reference"]["message_id"])
    assert task_id in str(status["embeds"]) and status["id"] != video["id"]
