"""Delivering a finished video as the channel sees it, on a bad day: a video over the server's
cap, a video host that is down, Discord answering 503, permissions lost, DMs closed, a crash
between posting and recording, a link that redirects to a private address, odd results.
Real bot, both fakes, real MP4s (made once and cached by `fakes.media`)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.store.records import Ending, Phase
from bot.video.mp4 import Mp4Info, probe
from fakes.fake_bailian import Reply, TaskPlan
from tests.conftest import eventually, make_config, running

MIB = 1024 * 1024


def png(fake_discord):
    return fake_discord.add_attachment("alice.png", "image/png", 50_000, width=800, height=600)


async def generate(fake_discord, locale="en-US", **options):
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves", **options},
        attachments={"ref1": png(fake_discord)},
        locale=locale,
    )
    return interaction, await interaction.wait_public()


def results(fake_discord, channel_id=None) -> list[dict[str, Any]]:
    """The bot's result posts: the embeds whose footer names a task (in either language)."""
    return [
        m
        for m in fake_discord.messages(channel_id)
        if any(
            (e.get("footer") or {}).get("text", "").startswith(("Task ", "任务 "))
            for e in m["embeds"]
        )
    ]


async def closed(bot, task_id: str):
    async def check():
        record = await bot.store.get(task_id)
        return record if record is not None and not record.is_active else None

    return await eventually(check, timeout=30, what=f"task {task_id} to be closed")


async def download(url: str, to: Path) -> Path:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        data = await response.read()
    await asyncio.to_thread(to.write_bytes, data)
    return to


def status_contents(fake_discord, status_id) -> list[str]:
    """Every content the bot set on the status message, in order."""
    return [
        r.json["content"]
        for r in fake_discord.requests
        if r.method == "PATCH"
        and r.path.endswith(f"/messages/{status_id}")
        and isinstance(r.json, dict)
        and r.json.get("content")
    ]


async def test_a_1080p_video_over_the_cap_is_re_encoded_to_fit_and_posted(
    bot, fake_discord, fake_api, clip_1080p, tmp_path
):
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info) and source.size_bytes > 15 * MIB
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_file=clip_1080p)
    await generate(fake_discord, duration=10)
    [post] = await fake_discord.wait_for(lambda: results(fake_discord), 120, what="the video")
    [attachment] = post["attachments"]
    assert attachment["size"] <= 10 * MIB, "the tier-0 server's cap"
    posted = probe(await download(attachment["url"], tmp_path / "posted.mp4"))
    assert isinstance(posted, Mp4Info) and posted.size_bytes == attachment["size"]
    assert abs(posted.duration_s - source.duration_s) <= 0.05 * source.duration_s
    note = str(post["embeds"])
    assert "re-encoded to fit this server's upload limit of 10 MB" in note
    assert "/files/" in note and re.search(r"<t:\d+:R>", note), "the original, while it lasts"
    assert [r.status for r in fake_discord.requests if r.status == 413] == []


async def test_a_host_outage_longer_than_the_old_give_up_is_waited_out(
    bot, fake_discord, fake_api, clip_720p
):
    """Six retries used to be all a video got; now it is retried while its link lives."""
    fake_api.default_plan = TaskPlan(
        pending_s=0.1,
        running_s=0.1,
        video_file=clip_720p,
        video_drop_first=5,
        video_unavailable_first=7,
    )
    _, status = await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    record = await closed(bot, task_id)
    [post] = results(fake_discord)
    assert post["attachments"][0]["size"] == clip_720p.stat().st_size
    assert record.result_message_id == int(post["id"]) and record.ending is Ending.SUCCEEDED
    assert record.delivery_attempts > 6, "more failures than the old give-up allowed"
    shown = status_contents(fake_discord, status["id"])
    assert "ready and being delivered" in shown[0]
    assert "being delivered" not in shown[-1], "the status message no longer says so"


async def test_discord_answering_503_for_a_while_still_gets_one_post(
    bot, fake_discord, fake_api, clip_720p
):
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_file=clip_720p)
    await generate(fake_discord)
    fake_discord.fail_channel(status=503, seconds=600)

    task_id = fake_api.submits[0].task_id

    async def failed_attempts():
        return (await bot.store.get(task_id)).delivery_attempts >= 4

    await eventually(failed_attempts, timeout=20, what="attempts refused with 503")
    fake_discord.advance(601)  # ten minutes later Discord is back
    record = await closed(bot, task_id)
    [post] = results(fake_discord)
    assert post["attachments"] and record.result_message_id == int(post["id"])
    assert fake_api.tasks[task_id].videos_served == 1, "retries use the kept file"


async def test_lost_permissions_send_the_video_by_dm(bot, fake_discord, fake_api, clip_720p):
    fake_api.default_plan = TaskPlan(pending_s=0.2, running_s=0.2, video_file=clip_720p)
    interaction, _ = await generate(fake_discord)
    fake_discord.revoke_send()
    record = await closed(bot, fake_api.submits[0].task_id)
    assert results(fake_discord) == []
    [dm] = fake_discord.dm_messages(interaction.user)
    assert dm["attachments"][0]["size"] == clip_720p.stat().st_size
    assert f"Task {record.task_id}" in str(dm["embeds"])
    assert "comes by DM" in dm["content"] and "your video is ready" in dm["content"]
    assert record.result_message_id == int(dm["id"])


async def test_a_deleted_channel_sends_the_video_by_dm(bot, fake_discord, fake_api, clip_720p):
    channel = fake_discord.channel_ids[1]
    fake_api.default_plan = TaskPlan(pending_s=0.3, running_s=0.2, video_file=clip_720p)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves"},
        attachments={"ref1": png(fake_discord)},
        channel_id=channel,
    )
    await interaction.wait_public()
    await fake_discord.delete_channel(channel)
    record = await closed(bot, fake_api.submits[0].task_id)
    [dm] = fake_discord.dm_messages(interaction.user)
    assert dm["attachments"] and record.result_message_id == int(dm["id"])


async def test_with_dms_closed_the_status_message_says_where_to_fetch_it(
    bot, fake_discord, fake_api, clip_720p, caplog
):
    fake_api.default_plan = TaskPlan(pending_s=0.2, running_s=0.2, video_file=clip_720p)
    interaction, status = await generate(fake_discord)
    fake_discord.revoke_send()
    fake_discord.close_dms(interaction.user)
    record = await closed(bot, fake_api.submits[0].task_id)
    assert results(fake_discord) == [] and fake_discord.dm_messages(interaction.user) == []
    shown = fake_discord.get_message(status["id"])["content"]
    assert f"/r2v status task_id:{record.task_id} video:True" in shown
    assert record.result_message_id is None and record.phase is Phase.DONE
    assert not [r for r in caplog.records if re.search(r"task \S+ delivered", r.getMessage())]

    # And that is where it is: the kept video comes with the status answer.
    fake_discord.clear_faults()
    asked = await fake_discord.invoke("r2v status", {"task_id": record.task_id, "video": True})
    answer = await asked.wait_followup()
    assert answer["attachments"][0]["size"] == clip_720p.stat().st_size


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
async def test_a_crash_between_posting_and_recording_never_posts_twice(
    tmp_path, fake_api, fake_discord, clip_720p, locale
):
    """The post is made, the process dies before the store learns its id; others chat for a
    while (more than a page of history) and the bot is down for ten minutes, longer than
    Discord's nonce dedupe."""
    config = make_config(tmp_path, fake_api, fake_discord)
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_file=clip_720p)
    async with running(config, fake_discord) as bot:
        await generate(fake_discord, locale=locale)
        task_id = fake_api.submits[0].task_id
        delivered = await closed(bot, task_id)
        assert delivered.delivery_attempt_at is not None
        # The state a kill -9 right after the post leaves: attempt recorded, result not.
        await bot.tracker.stop()
        await bot.store.save(replace(delivered, phase=Phase.DELIVERING, result_message_id=None))
    [original] = results(fake_discord)
    for n in range(120):
        fake_discord.post_user_message(None, f"chat {n}")
    fake_discord.advance(600)
    async with running(config, fake_discord) as bot:
        record = await closed(bot, task_id)
    assert results(fake_discord) == [original]
    assert record.result_message_id == int(original["id"])
    pages = [r for r in fake_discord.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert pages, "the history was read"


async def test_a_redirect_to_a_private_address_is_refused_and_nothing_is_uploaded(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(
        pending_s=0.1,
        running_s=0.1,
        video_redirect_to="https://169.254.169.254/latest/meta-data/iam",
    )
    await generate(fake_discord)
    record = await closed(bot, fake_api.submits[0].task_id)
    [post] = results(fake_discord)
    assert post["attachments"] == []
    assert record.ending is Ending.VIDEO_GONE
    assert "could not fetch its file" in post["content"]


@pytest.mark.parametrize(
    ("plan", "ending", "said"),
    [
        (TaskPlan(video_body="empty"), Ending.BAD_VIDEO, "an empty file or something that is"),
        (TaskPlan(video_body="not_mp4"), Ending.BAD_VIDEO, "an empty file or something that is"),
        (TaskPlan(video_missing=True), Ending.VIDEO_GONE, "could not fetch its file"),
    ],
    ids=["empty", "not an MP4", "gone"],
)
async def test_odd_files_end_with_their_own_message(
    bot, fake_discord, fake_api, plan, ending, said
):
    fake_api.default_plan = replace(plan, pending_s=0.1, running_s=0.1)
    await generate(fake_discord)
    record = await closed(bot, fake_api.submits[0].task_id)
    [post] = results(fake_discord)
    assert record.ending is ending and said in post["content"]
    assert post["attachments"] == []
    assert (await bot.store.get(record.task_id)).ending is ending, "kept in the store"


async def test_succeeded_without_a_video_says_so(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=5, running_s=5)
    await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    body = {"request_id": "r", "output": {"task_id": task_id, "task_status": "SUCCEEDED"}}
    fake_api.script_query(Reply(200, body=json.dumps(body)), task_id=task_id)
    record = await closed(bot, task_id)
    [post] = results(fake_discord)
    assert record.ending is Ending.NO_VIDEO
    assert "gave no video to fetch" in post["content"]


async def test_the_cap_is_read_again_at_delivery_when_the_server_lost_its_boost(
    bot, fake_discord, fake_api
):
    await fake_discord.set_premium_tier(2)
    await fake_discord.wait_for(
        lambda: bot.get_guild(fake_discord.guild_id).filesize_limit == 50 * MIB, what="tier 2"
    )
    # 11 MiB of the fake's pattern: a valid MP4 layout that ffmpeg cannot re-encode.
    fake_api.default_plan = TaskPlan(pending_s=0.5, running_s=0.3, video_bytes=11 * MIB)
    await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    assert (await bot.store.get(task_id)).upload_limit == 50 * MIB
    await fake_discord.set_premium_tier(0)
    record = await closed(bot, task_id)
    [post] = results(fake_discord)
    assert post["attachments"] == [] and "upload limit of 10 MB" in str(post["embeds"])
    assert record.upload_limit == 10 * MIB
    assert [r for r in fake_discord.requests if r.status == 413] == []
