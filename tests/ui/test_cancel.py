"""Cancel while queued: only where a cancel route is configured, only while PENDING, only by the
requester; a cancelled task frees its budget."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.policy import LimitBook
from fakes.fake_bailian import CANCEL_ROUTE, TaskPlan
from tests.common import custom_ids, generate, replies_to
from tests.conftest import NO_LIMITS, make_config, running


def with_cancel(config):
    return replace(config, api=replace(config.api, cancel_path_template=CANCEL_ROUTE))


async def test_no_cancel_button_without_a_cancel_route(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    _, status = await generate(fake_discord)
    assert not any(":cancel:" in c for c in custom_ids(status))


async def test_cancel_while_queued_frees_the_budget(tmp_path, fake_api, fake_discord):
    budget = replace(NO_LIMITS, user_daily_amount=Decimal("2.60"))  # one 5 s video: 2.50
    config = with_cancel(make_config(tmp_path, fake_api, fake_discord, limits=LimitBook(budget)))
    fake_api.default_plan = TaskPlan(pending_s=60, running_s=60)
    async with running(config, fake_discord):
        interaction, status = await generate(fake_discord, duration=5)
        task_id = fake_api.submits[0].task_id
        cancel = f"r2v:cancel:{task_id}"
        assert cancel in custom_ids(status)

        over = await fake_discord.invoke(
            "r2v generate",
            {"prompt": "character1 dances", "duration": 5},
            attachments={"ref1": fake_discord.add_attachment("b.png", "image/png", 50_000)},
            user=interaction.user,
        )
        assert "Nothing was submitted" in (await over.wait_followup())["content"]

        stranger = fake_discord.make_user(name="mallory")
        refused = await fake_discord.click(status["id"], cancel, user=stranger)
        await refused.wait_response()
        assert fake_api.cancels == []

        click = await fake_discord.click(status["id"], cancel, user=interaction.user)
        answer = await click.wait_followup()
        assert click.ephemeral and "Cancelled" in answer["content"]
        assert [c.task_id for c in fake_api.cancels] == [task_id]
        await fake_discord.wait_for(
            lambda: "CANCELED" in str(fake_discord.get_message(status["id"])["embeds"]),
            5,
            what="CANCELED shown",
        )
        assert not custom_ids(fake_discord.get_message(status["id"]))

        await generate(fake_discord, duration=5)
        assert len(fake_api.submits) == 2, "the cancelled task no longer counts"


async def test_cancel_goes_once_the_task_runs(tmp_path, fake_api, fake_discord):
    config = with_cancel(make_config(tmp_path, fake_api, fake_discord))
    fake_api.default_plan = TaskPlan(pending_s=0.2, running_s=60)
    async with running(config, fake_discord):
        _, status = await generate(fake_discord)
        task_id = fake_api.submits[0].task_id
        assert f"r2v:cancel:{task_id}" in custom_ids(status)
        await fake_discord.wait_for(
            lambda: "RUNNING" in str(fake_discord.get_message(status["id"])["embeds"]),
            10,
            what="RUNNING",
        )
        assert custom_ids(fake_discord.get_message(status["id"])) == [f"r2v:refresh:{task_id}"]


async def test_a_cancelled_task_says_who_cancelled_it_and_pings_nobody(
    tmp_path, fake_api, fake_discord
):
    config = with_cancel(make_config(tmp_path, fake_api, fake_discord))
    fake_api.default_plan = TaskPlan(pending_s=60, running_s=60)
    async with running(config, fake_discord) as bot:
        interaction, status = await generate(fake_discord)
        task_id = fake_api.submits[0].task_id
        click = await fake_discord.click(
            status["id"], f"r2v:cancel:{task_id}", user=interaction.user
        )
        await click.wait_followup()
        ending = await fake_discord.wait_for(
            lambda: next(iter(replies_to(fake_discord, status["id"])), None), 5, what="ending"
        )

        member = interaction.user["user"]["id"]
        assert ending["content"] == f"🚫 Cancelled by <@{member}>; nothing was charged."
        assert "by the service" not in ending["content"]
        assert fake_discord.pinged(ending) == {"everyone": False, "users": set(), "roles": set()}
        record = await bot.store.get(task_id)
        assert record is not None and record.cancelled_by == int(member), "data, not words"
