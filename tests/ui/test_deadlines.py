"""Deadlines hold when the service does not answer: past the deadline the requester is told
since when it has not answered, the bot keeps asking, and a later answer still delivers. Real
bot, both fakes; the service's silence is the fake API's answers (5xx, 404)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.store.records import Ending
from fakes.fake_bailian import Reply, TaskPlan
from tests.common import generate, stored
from tests.conftest import FAST_TRACKING, eventually, make_config, running


def results(fake_discord) -> list[dict[str, Any]]:
    return [
        m
        for m in fake_discord.messages()
        if any((e.get("footer") or {}).get("text", "").startswith("Task ") for e in m["embeds"])
    ]


@pytest.mark.parametrize("status", [503, 404])
async def test_an_unanswered_task_past_its_deadline_is_told_and_a_later_answer_delivers(
    tmp_path, fake_api, fake_discord, clip_720p, status
):
    tracker = replace(FAST_TRACKING, deadline_s=1.0)
    config = make_config(tmp_path, fake_api, fake_discord, tracker=tracker)
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, video_file=clip_720p)
    fake_api.script_query(*[Reply(status)] * 1_000_000)
    async with running(config, fake_discord) as bot:
        _, shown = await generate(fake_discord)
        task_id = fake_api.submits[0].task_id

        def status_embed() -> str:
            message = fake_discord.get_message(shown["id"])
            return str(message["embeds"]) if message else ""

        await fake_discord.wait_for(
            lambda: "has not answered about this task since <t:" in status_embed(),
            20,
            what="the status to say the service is silent",
        )
        waiting = await stored(bot.store, task_id)
        assert waiting.is_active and waiting.ending is None, "still followed"
        assert "keeps asking until <t:" in status_embed()
        assert results(fake_discord) == []

        fake_api.forget_scripts()  # the service answers again
        [post] = await fake_discord.wait_for(lambda: results(fake_discord), 20, what="the video")

        async def closed():
            record = await stored(bot.store, task_id)
            return None if record.is_active else record

        delivered = await eventually(closed, what="the task to be closed")

    assert post["attachments"][0]["size"] == clip_720p.stat().st_size
    assert delivered.ending is Ending.SUCCEEDED
