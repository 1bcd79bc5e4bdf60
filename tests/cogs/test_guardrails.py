"""Guardrails for a paying team, through the real bot and both fakes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from decimal import Decimal

import discord
import pytest
from aiohttp import web

from bot.policy import LimitBook
from fakes.fake_bailian import Reply, TaskPlan
from tests.cogs.common import command
from tests.common import custom_ids, stored
from tests.conftest import NO_LIMITS, eventually, make_config, running

# flash, 1080P, with audio, 5 s = 2.50 CNY; 10 s = 5.00 CNY
EXPENSIVE = {"prompt": "character1 bows", "duration": 10}


def with_limits(tmp_path, fake_api, fake_discord, **limits):
    return make_config(
        tmp_path, fake_api, fake_discord, limits=LimitBook(replace(NO_LIMITS, **limits))
    )


async def ask_confirmation(fake_discord, user=None):
    interaction = await command(fake_discord, EXPENSIVE, user=user)
    message = await interaction.wait_private()
    assert "5.00 CNY" in message["content"]
    confirm, cancel = custom_ids(message)
    return interaction, message, confirm, cancel


@pytest.fixture
def confirming(tmp_path, fake_api, fake_discord):
    return with_limits(
        tmp_path, fake_api, fake_discord, confirm_above=Decimal("4.99"), confirm_timeout_s=5
    )


async def test_below_the_threshold_nothing_is_asked(confirming, fake_discord, fake_api):
    async with running(confirming, fake_discord):
        interaction = await command(fake_discord, {"prompt": "character1 bows", "duration": 9})
        assert (await interaction.wait_response())["type"] == 5
        await interaction.wait_public()
    assert len(fake_api.submits) == 1


async def test_confirm_submits_once_and_posts_the_public_status(confirming, fake_discord, fake_api):
    async with running(confirming, fake_discord):
        interaction, message, confirm, _ = await ask_confirmation(fake_discord)
        assert fake_api.submits == [], "nothing is spent before the click"
        click = await fake_discord.click(message["id"], confirm, user=interaction.user)
        status = await click.wait_public()
        assert not status["ephemeral"]
        assert fake_api.submits[0].task_id in str(status["embeds"])
        await fake_discord.wait_for(
            lambda: (
                "Submitted as task" in fake_discord.get_message(message["id"])["content"]
                and not fake_discord.get_message(message["id"])["components"]
            ),
            what="the confirmation to close",
        )
    assert len(fake_api.submits) == 1


async def test_a_double_click_submits_once(confirming, fake_discord, fake_api):
    async with running(confirming, fake_discord):
        interaction, message, confirm, _ = await ask_confirmation(fake_discord)
        first = await fake_discord.click(message["id"], confirm, user=interaction.user)
        second = await fake_discord.click(message["id"], confirm, user=interaction.user)
        await first.wait_public()
        answer = await second.wait_response()
        assert "already answered" in answer["json"]["data"]["content"]
    # Leaving `running` stops the bot, which first waits for every submission on its way.
    assert len(fake_api.submits) == 1


async def test_cancel_submits_nothing(confirming, fake_discord, fake_api):
    async with running(confirming, fake_discord):
        interaction, message, _, cancel = await ask_confirmation(fake_discord)
        click = await fake_discord.click(message["id"], cancel, user=interaction.user)
        answer = await click.wait_response()
        assert answer["type"] == 7 and "Nothing was submitted" in answer["json"]["data"]["content"]
    assert fake_api.submits == []


async def test_no_answer_in_time_submits_nothing(tmp_path, fake_api, fake_discord):
    config = with_limits(
        tmp_path, fake_api, fake_discord, confirm_above=Decimal(0), confirm_timeout_s=0.3
    )
    async with running(config, fake_discord):
        interaction, *_ = await ask_confirmation(fake_discord)
        question = await interaction.wait_private()
        await fake_discord.wait_for(
            lambda: "No answer within" in fake_discord.get_message(question["id"])["content"],
            what="the timeout to close the question",
        )
        assert fake_discord.get_message(question["id"])["components"] == []
    assert fake_api.submits == []


async def test_concurrent_tasks_limit_both_sides(tmp_path, fake_api, fake_discord):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    config = with_limits(tmp_path, fake_api, fake_discord, max_active_per_user=2)
    async with running(config, fake_discord):
        for _ in range(2):
            await (await command(fake_discord)).wait_public()
        third = await command(fake_discord)
        text = (await third.wait_private())["content"]
        assert "Running tasks" in text and "limit is 2" in text
        other = await command(fake_discord, user=fake_discord.make_user(name="bob"))
        await other.wait_public()
    assert len(fake_api.submits) == 3, "the limit is per member"


async def test_cooldown_both_sides(tmp_path, fake_api, fake_discord):
    config = with_limits(tmp_path, fake_api, fake_discord, user_cooldown_s=0.6)
    async with running(config, fake_discord):
        await (await command(fake_discord)).wait_public()
        early = await command(fake_discord)
        text = (await early.wait_private())["content"]
        assert "Cooldown" in text and "<t:" in text
        await asyncio.sleep(0.7)
        await (await command(fake_discord)).wait_public()
    assert len(fake_api.submits) == 2


async def test_daily_budget_in_seconds_survives_a_restart(tmp_path, fake_api, fake_discord):
    config = with_limits(tmp_path, fake_api, fake_discord, user_daily_seconds=10)
    async with running(config, fake_discord):
        await (await command(fake_discord)).wait_public()  # 5 s
        await (await command(fake_discord)).wait_public()  # 10 s: exactly the budget
    async with running(config, fake_discord):
        refused = await command(fake_discord)
        text = (await refused.wait_private())["content"]
    assert "Your daily budget" in text and "10 of 10 billed seconds" in text
    assert len(fake_api.submits) == 2


async def test_a_failed_task_does_not_count_against_the_budget(tmp_path, fake_api, fake_discord):
    fake_api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05, outcome="FAILED")
    config = with_limits(tmp_path, fake_api, fake_discord, guild_daily_amount=Decimal("2.50"))
    async with running(config, fake_discord) as bot:
        first = await command(fake_discord)
        await first.wait_public()
        task_id = fake_api.submits[0].task_id
        await fake_discord.wait_for(lambda: len(fake_discord.messages()) >= 2, what="failure post")

        async def closed():
            record = await stored(bot.store, task_id)
            return not record.is_active

        await eventually(closed, what="the failed task to be closed")
        fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
        await (await command(fake_discord)).wait_public()
        refused = await command(fake_discord)
        text = (await refused.wait_private())["content"]
    assert "The server's daily budget" in text and "2.50 of 2.50" in text


async def test_allowed_channels_and_roles(tmp_path, fake_api, fake_discord):
    allowed, other = fake_discord.channel_ids
    config = with_limits(
        tmp_path,
        fake_api,
        fake_discord,
        allowed_channel_ids=frozenset({allowed}),
        allowed_role_ids=frozenset({777}),
    )
    fake_discord.add_role(777, "makers")
    member = fake_discord.make_user(name="maker", roles=(777,))
    async with running(config, fake_discord):
        await (await command(fake_discord, user=member, channel_id=allowed)).wait_public()
        wrong_channel = await command(fake_discord, user=member, channel_id=other)
        text = (await wrong_channel.wait_private())["content"]
        assert "Channel" in text and f"<#{allowed}>" in text
        no_role = await command(fake_discord, channel_id=allowed)
        text = (await no_role.wait_private())["content"]
        assert "Role" in text and "<@&777>" in text
        assert fake_discord.pinged(await no_role.wait_private())["roles"] == set()
    assert len(fake_api.submits) == 1


async def test_quota_shows_usage_limits_and_running_tasks(tmp_path, fake_api, fake_discord):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    config = with_limits(
        tmp_path, fake_api, fake_discord, max_active_per_user=4, user_daily_seconds=100
    )
    async with running(config, fake_discord):
        await (await command(fake_discord)).wait_public()
        quota = await fake_discord.invoke("r2v quota", {})
        text = (await quota.wait_response())["json"]["data"]["content"]
    assert quota.ephemeral
    assert "5 billed s of 100" in text and "2.50 CNY" in text
    assert "1 of 4" in text
    assert fake_api.submits[0].task_id in text


async def test_secrets_never_reach_logs_or_replies(bot, fake_discord, fake_api, caplog):
    caplog.set_level(logging.DEBUG)
    fake_api.script_submit(Reply(401, "InvalidApiKey", "Invalid API-key provided."))
    interaction = await command(fake_discord)
    answer = await interaction.wait_private()
    await (await command(fake_discord)).wait_public()
    private = str(fake_discord.ephemeral_messages)
    everything = caplog.text + str(fake_discord.messages()) + private + answer["content"]
    assert fake_api.api_key not in everything
    assert fake_discord.bot_token not in everything


async def test_a_link_to_a_private_address_is_refused_and_never_fetched(
    bot, fake_discord, fake_api
):
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"x", content_type="image/png")

    app = web.Application()
    app.router.add_get("/{name}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    port = server.sockets[0].getsockname()[1]
    try:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "10.0.0.8", "[::1]", "169.254.1.1"):
            interaction = await fake_discord.invoke(
                "r2v generate", {"prompt": "character1", "links": f"http://{host}/a.png"}
            )
            text = (await interaction.wait_private())["content"]
            assert "private or local address" in text, host
    finally:
        await runner.cleanup()
    assert hits == [] and fake_api.submits == []


async def test_two_quick_commands_cannot_both_pass_the_running_limit(
    tmp_path, fake_api, fake_discord
):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    config = with_limits(tmp_path, fake_api, fake_discord, max_active_per_user=1)
    async with running(config, fake_discord):
        both = [await command(fake_discord), await command(fake_discord)]
        await fake_discord.wait_for(
            lambda: (
                len(fake_api.submits) == 1
                and any(
                    m["interaction_id"] in {i.id for i in both}
                    for m in fake_discord.ephemeral_messages
                )
            ),
            what="one submit and one private refusal",
        )
    assert len(fake_api.submits) == 1
    private = [m["content"] for m in fake_discord.ephemeral_messages if not m.get("deleted")]
    assert sorted("Running tasks" in text for text in private) == [False, True]
    assert any("Submitted as task" in text for text in private)
    public = [m for m in fake_discord.messages() if not m.get("deleted") and m["embeds"]]
    assert fake_api.submits[0].task_id in str(public[0]["embeds"])


async def test_limits_are_checked_again_when_a_confirmation_is_clicked(
    tmp_path, fake_api, fake_discord
):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    config = with_limits(
        tmp_path, fake_api, fake_discord, max_active_per_user=1, confirm_above=Decimal(0)
    )
    async with running(config, fake_discord):
        prompts = [await ask_confirmation(fake_discord) for _ in range(2)]
        clicks = [
            await fake_discord.click(message["id"], confirm, user=interaction.user)
            for interaction, message, confirm, _ in prompts
        ]
        await clicks[0].wait_public()
        late_question = prompts[1][1]["id"]
        await fake_discord.wait_for(
            lambda: "Running tasks" in fake_discord.get_message(late_question)["content"],
            what="the second click to be refused in its question",
        )
    assert len(fake_api.submits) == 1


async def test_a_channel_where_the_bot_cannot_post_is_refused_before_paying(
    bot, fake_discord, fake_api
):

    allowed = discord.Permissions.all()
    allowed.attach_files = False
    fake_discord.app_permissions = str(allowed.value)
    interaction = await command(fake_discord)
    text = (await interaction.wait_response())["json"]["data"]["content"]
    assert interaction.ephemeral and "Attach Files" in text
    assert fake_api.submits == []


async def test_a_submit_that_may_have_created_a_task_still_counts_against_the_limits(
    tmp_path, fake_api, fake_discord
):
    config = with_limits(tmp_path, fake_api, fake_discord, max_active_per_user=1)
    fake_api.script_submit(Reply(502, None, "Bad Gateway"))
    async with running(config, fake_discord):
        first = await command(fake_discord)
        assert "may have been submitted" in (await first.wait_private())["content"]
        second = await command(fake_discord)
        text = (await second.wait_private())["content"]
    assert "Running tasks" in text
    assert len(fake_api.submits) == 1


async def test_a_guild_override_replaces_the_default_limits(tmp_path, fake_api, fake_discord):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    config = with_limits(tmp_path, fake_api, fake_discord, max_active_per_user=5)
    strict = replace(config.limits.default, max_active_per_user=1)
    config = replace(
        config, limits=LimitBook(config.limits.default, {fake_discord.guild_id: strict})
    )
    async with running(config, fake_discord):
        await (await command(fake_discord)).wait_public()
        second = await command(fake_discord)
        text = (await second.wait_private())["content"]
    assert "Running tasks" in text and "limit is 1" in text
