"""Delivery across restarts and the housekeeping of kept videos (real bot, both fakes)."""

from __future__ import annotations

import os
import time
from dataclasses import replace

from bot.store.sqlite import SqliteTaskStore
from fakes.fake_bailian import TaskPlan
from fakes.media import clip_720p_2s
from tests.common import png, stored
from tests.conftest import FAST_TRACKING, eventually, make_config, running

DAY_S = 86400.0


async def test_a_delivery_waiting_out_its_backoff_resumes_at_its_time_after_a_restart(
    tmp_path, fake_api, fake_discord
):
    slow = replace(FAST_TRACKING, delivery_retry_first_s=60.0, delivery_retry_max_s=60.0)
    config = make_config(tmp_path, fake_api, fake_discord, tracker=slow)
    down = TaskPlan(
        pending_s=0.1, running_s=0.1, video_file=clip_720p_2s(), video_unavailable_first=10**6
    )
    fake_api.default_plan = down
    async with running(config, fake_discord) as bot:
        interaction = await fake_discord.invoke(
            "r2v generate", {"prompt": "character1 waves"}, attachments={"ref1": png(fake_discord)}
        )
        await interaction.wait_public()
        task_id = fake_api.submits[0].task_id

        async def waiting():
            record = await stored(bot.store, task_id)
            return record if record.next_delivery_at is not None else None

        failed = await eventually(waiting, what="the first failed attempt")
    assert failed.delivery_attempts == 1 and failed.next_delivery_at > time.time() + 30
    # The host is back; the restarted bot must still wait for the stored time (brought closer
    # while it is down, so the test need not wait a minute).
    fake_api.tasks[task_id].plan = replace(down, video_unavailable_first=0)
    store = await SqliteTaskStore.open(config.store.db_path)
    due = time.time() + 1.0
    await store.save(replace(failed, next_delivery_at=due))
    await store.close()
    fetches_before = len(fake_api.downloads)
    async with running(config, fake_discord) as bot:

        async def delivered():
            record = await stored(bot.store, task_id)
            return record if not record.is_active else None

        done = await eventually(delivered, what="the delivery after the restart")
    later = fake_api.downloads[fetches_before:]
    wall_offset = time.time() - time.monotonic()
    assert later and min(r.real_at for r in later) + wall_offset >= due - 0.05
    assert done.result_message_id is not None and done.delivery_attempts == 1


async def test_old_kept_videos_are_pruned_when_the_bot_starts(config, fake_discord):
    videos = config.video.video_dir
    videos.mkdir(parents=True)
    old, recent = videos / "old-task.mp4", videos / "recent-task.mp4"
    for path, age in ((old, 8 * DAY_S), (recent, 1 * DAY_S)):
        path.write_bytes(b"kept video")
        os.utime(path, (time.time() - age, time.time() - age))
    async with running(config, fake_discord):

        async def pruned():
            return not old.exists()

        await eventually(pruned, what="the 8-day-old video to be pruned")
    assert recent.exists(), "kept for 7 days"
