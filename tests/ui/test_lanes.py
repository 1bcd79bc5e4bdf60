"""Slow things keep to their lane: downloads that stall and an ffmpeg that hangs hold no poll
slot and no other member's video. Real bot, both fakes; the stalls and the hang come from
outside the bot (the fake's video host, a wrapper script as R2V_FFMPEG)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.messages import delivery as delivery_text
from bot.video.settings import VideoSettings
from fakes.fake_bailian import TaskPlan
from tests.common import generate
from tests.conftest import FAST_TRACKING, make_config, running
from tests.video.test_fit import children, ended_afterwards, hanging_ffmpeg, is_gone


def results(fake_discord) -> list[dict[str, Any]]:
    """The bot's result posts: the embeds whose footer names a task."""
    return [
        m
        for m in fake_discord.messages()
        if any((e.get("footer") or {}).get("text", "").startswith("Task ") for e in m["embeds"])
    ]


def task_of(post: dict[str, Any]) -> str:
    footer: str = post["embeds"][0]["footer"]["text"]
    return footer.split()[-1]


async def test_an_ordinary_video_is_delivered_while_eight_downloads_stall(
    tmp_path, fake_api, fake_discord, clip_720p
):
    """Eight video hosts accept and stall (as many as there are poll slots); a ninth member's
    task is still followed, and its video posted, while all eight still stall."""
    assert FAST_TRACKING.concurrency == 8
    # The fake serves every video from its one host: its share is raised above the eight, as
    # if they were eight hosts (one host's share is tests/tracking/test_lanes.py's subject).
    tracker = replace(FAST_TRACKING, delivery_concurrency=10, deliveries_per_host=10)
    video = VideoSettings(video_dir=tmp_path / "videos", download_timeout_s=600)
    config = make_config(tmp_path, fake_api, fake_discord, tracker=tracker, video=video)
    stalling = TaskPlan(pending_s=0.05, running_s=0.05, video_stall_first=1_000_000)
    async with running(config, fake_discord):
        fake_api.plan_next(*[stalling] * 8)
        for _ in range(8):
            await generate(fake_discord)
        await fake_discord.wait_for(lambda: fake_api.stalling == 8, 20, what="eight stalls")

        fake_api.plan_next(TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_720p))
        await generate(fake_discord)
        ordinary = fake_api.submits[-1].task_id
        [post] = await fake_discord.wait_for(lambda: results(fake_discord), 20, what="a video")

        assert task_of(post) == ordinary
        assert post["attachments"][0]["size"] == clip_720p.stat().st_size
        assert fake_api.stalling == 8, "the eight still stall"


async def test_a_hung_ffmpeg_is_killed_with_its_child_and_each_video_goes_as_its_link(
    tmp_path, fake_api, fake_discord, clip_1080p
):
    """Two videos over the server's 10 MiB cap, an ffmpeg that hangs with a child: each fit is
    killed at its timeout with the child, and each video is posted as its link, the second not
    held behind the first."""
    script, pid_file = hanging_ffmpeg(tmp_path)
    video = VideoSettings(video_dir=tmp_path / "videos", ffmpeg=str(script), transcode_timeout_s=1)
    config = make_config(tmp_path, fake_api, fake_discord, video=video)
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_1080p)
    with ended_afterwards(pid_file):
        async with running(config, fake_discord):
            await generate(fake_discord)
            await generate(fake_discord)
            posts = await fake_discord.wait_for(
                lambda: len(results(fake_discord)) == 2 and results(fake_discord),
                30,
                what="both videos",
            )

            assert sorted(map(task_of, posts)) == sorted(s.task_id for s in fake_api.submits)
            for post in posts:
                assert post["attachments"] == []
                assert delivery_text.video_as_link("en-US") in post["content"]
                assert "could not be made to fit" in str(post["embeds"])
                assert "/files/" in str(post["embeds"]), "the link itself"
            killed = children(pid_file)
            assert len(killed) == 2 and all(map(is_gone, killed))
