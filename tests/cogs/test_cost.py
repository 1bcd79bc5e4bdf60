"""The real cost: shown on the result, counted by budgets and by the admins' spend."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

from bot.policy import LimitBook
from bot.quota.accounts import tasks_csv
from fakes.fake_bailian import TaskPlan
from tests.common import generate
from tests.conftest import NO_LIMITS, make_config, running


async def finished(fake_discord, count):
    await fake_discord.wait_for(
        lambda: sum(1 for m in fake_discord.messages() if m["attachments"]) >= count,
        10,
        what=f"{count} videos",
    )


async def test_actual_cost_replaces_the_estimate_on_the_result_and_in_the_budget(
    tmp_path, fake_api, fake_discord
):
    # flash, 1080P, with sound: 0.5 CNY a second. A 5 s video is estimated at 2.50; the
    # service bills 2 s, so it cost 1.00. A budget of 3.60 takes a second video only if the
    # first counts as 1.00.
    budget = replace(NO_LIMITS, user_daily_amount=Decimal("3.60"))
    config = make_config(tmp_path, fake_api, fake_discord, limits=LimitBook(budget))
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, usage={"video_duration": 2})
    async with running(config, fake_discord):
        interaction, _ = await generate(fake_discord, duration=5)
        await finished(fake_discord, 1)
        result = next(m for m in fake_discord.messages() if m["attachments"])
        assert "1.00 CNY, estimated 2.50" in str(result["embeds"])

        await generate(fake_discord, duration=5)
        assert len(fake_api.submits) == 2, "the budget counted the actual 1.00"
        await finished(fake_discord, 2)

        third = await fake_discord.invoke(
            "r2v generate",
            {"prompt": "character1 dances", "duration": 5},
            attachments={"ref1": fake_discord.add_attachment("a.png", "image/png", 50_000)},
            user=interaction.user,
        )
        refusal = await third.wait_followup()
        assert "Nothing was submitted" in refusal["content"] and len(fake_api.submits) == 2

        admin = await fake_discord.invoke("r2v-admin spend", {"csv": True})
        answer = await admin.wait_response()
        assert "2.00" in answer["json"]["data"]["content"], "spend counts the actual amounts"
        assert answer["files"][0][0] == "r2v-tasks.csv"


def test_the_csv_has_estimate_and_actual_per_task():
    from tests.store.test_contract import FULL

    rows = list(csv.DictReader(io.StringIO(tasks_csv([FULL], "CNY"))))
    assert rows[0]["task_id"] == FULL.task_id
    assert rows[0]["estimated_cost"] == "9.0000" and rows[0]["actual_cost"] == "7.8000"
    estimate_only = replace(FULL, actual=None)
    rows = list(csv.DictReader(io.StringIO(tasks_csv([estimate_only], "CNY"))))
    assert rows[0]["estimated_cost"] == "9.0000" and rows[0]["actual_cost"] == ""
