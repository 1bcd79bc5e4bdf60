"""Our disk is our problem: a video folder the bot cannot write is named once at start, and
every video is still posted (fitted in a temporary folder, or as its link), not held for a day.

The fault is real, as root or not: `R2V_VIDEO_DIR` lies below a regular file, so no folder can
be made there (nor a file written) by anyone."""

from __future__ import annotations

import logging
from typing import Any

from bot.messages import delivery as delivery_text
from bot.store.records import Ending
from bot.video.settings import VideoSettings
from fakes.fake_bailian import TaskPlan
from tests.common import generate, stored
from tests.conftest import make_config, running

MIB = 1024 * 1024


def results(fake_discord) -> list[dict[str, Any]]:
    return [
        m
        for m in fake_discord.messages()
        if any((e.get("footer") or {}).get("text", "").startswith("Task ") for e in m["embeds"])
    ]


def warnings_naming(caplog, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and text in r.getMessage()
    ]


def said_being_delivered(fake_discord) -> bool:
    return any(
        "being delivered" in str((r.json or {}).get("content"))
        for r in fake_discord.requests
        if r.method == "PATCH" and isinstance(r.json, dict)
    )


async def test_an_unwritable_video_folder_is_named_at_start_and_videos_are_still_posted(
    tmp_path, fake_api, fake_discord, clip_720p, clip_1080p, caplog
):
    (tmp_path / "a-file").write_text("a file where the videos' folder should be")
    video_dir = tmp_path / "a-file" / "videos"
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    video = VideoSettings(video_dir=video_dir, temporary_dir=temporary)
    config = make_config(tmp_path, fake_api, fake_discord, video=video)
    fake_api.plan_next(
        TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_720p),
        TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_1080p),
    )
    async with running(config, fake_discord) as bot:
        await generate(fake_discord)
        await generate(fake_discord, duration=10)
        posts = await fake_discord.wait_for(
            lambda: len(results(fake_discord)) == 2 and results(fake_discord), 120, what="videos"
        )
        records = [await stored(bot.store, s.task_id) for s in fake_api.submits]

    small, big = sorted(posts, key=lambda post: post["attachments"][0]["size"])
    assert small["attachments"][0]["size"] == clip_720p.stat().st_size
    assert big["attachments"][0]["size"] <= 10 * MIB < clip_1080p.stat().st_size, "fitted"
    assert all(r.ending is Ending.SUCCEEDED and r.delivery_attempts == 0 for r in records)
    assert not said_being_delivered(fake_discord)
    [told] = warnings_naming(caplog, str(video_dir))
    assert told.startswith(f"R2V_VIDEO_DIR {video_dir} cannot be written (")
    assert list(temporary.iterdir()) == [], "the temporary folder goes with the bot"


async def test_with_no_folder_to_write_at_all_each_video_goes_as_its_link_told_once(
    tmp_path, fake_api, fake_discord, clip_720p, caplog
):
    (tmp_path / "a-file").write_text("a file where folders should be")
    video = VideoSettings(
        video_dir=tmp_path / "a-file" / "videos", temporary_dir=tmp_path / "a-file" / "tmp"
    )
    config = make_config(tmp_path, fake_api, fake_discord, video=video)
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_720p)
    async with running(config, fake_discord):
        await generate(fake_discord)
        await generate(fake_discord)
        posts = await fake_discord.wait_for(
            lambda: len(results(fake_discord)) == 2 and results(fake_discord), 30, what="links"
        )

    for post in posts:
        assert post["attachments"] == []
        assert delivery_text.video_as_link("en-US") in post["content"]
        assert "could not store the video on its own disk" in str(post["embeds"])
        assert "/files/" in str(post["embeds"]), "the link itself"
    assert not said_being_delivered(fake_discord)
    assert len(warnings_naming(caplog, "nor in a temporary folder")) == 1
