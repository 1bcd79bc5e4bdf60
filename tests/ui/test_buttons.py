"""Refresh on the status message; Re-roll and Edit & re-run on the result: owner only, and
still working after a restart."""

from __future__ import annotations

import json

import discord

from bot.store.records import Derivation
from fakes.fake_bailian import TaskPlan
from tests.common import custom_ids, delivered, generate
from tests.conftest import running


async def test_only_the_requester_can_use_the_buttons(bot, fake_discord, fake_api):
    _, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    assert f"r2v:reroll:{task_id}" in custom_ids(result)

    stranger = fake_discord.make_user(name="mallory")
    click = await fake_discord.click(result["id"], f"r2v:reroll:{task_id}", user=stranger)
    answer = await click.wait_response()
    assert click.ephemeral
    assert "Only" in answer["json"]["data"]["content"]
    assert len(fake_api.submits) == 1, "a stranger's click submits nothing"


async def test_reroll_edit_and_continue_live_on_the_result_and_refresh_on_the_status(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    _, status = await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    assert custom_ids(status) == [f"r2v:refresh:{task_id}"]

    _, status, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[1].task_id
    assert custom_ids(result) == [
        f"r2v:{action}:{task_id}" for action in ("reroll", "edit", "continue", "delete")
    ]
    await fake_discord.wait_for(
        lambda: not custom_ids(fake_discord.get_message(status["id"])), 5, what="no Refresh"
    )


async def test_reroll_submits_the_same_request_with_a_new_seed_and_fresh_urls(
    bot, fake_discord, fake_api
):
    interaction, _, result = await delivered(fake_discord, fake_api, seed=1234, duration=3)
    task_id = fake_api.submits[0].task_id
    fake_discord.advance(3600)  # an hour later the signed attachment link is renewed
    click = await fake_discord.click(result["id"], f"r2v:reroll:{task_id}", user=interaction.user)
    new_status = await click.wait_public()
    assert len(fake_api.submits) == 2
    first, second = fake_api.submits[0].json, fake_api.submits[1].json
    assert second["parameters"]["seed"] != first["parameters"]["seed"]
    assert second["parameters"]["duration"] == 3
    assert second["input"]["prompt"] == first["input"]["prompt"]
    old_url, new_url = first["input"]["reference_urls"][0], second["input"]["reference_urls"][0]
    assert old_url.split("?")[0] == new_url.split("?")[0], "the same file"
    assert old_url != new_url, "with a renewed signature"
    assert any(r.path.endswith("/attachments/refresh-urls") for r in fake_discord.requests)
    shown = str(new_status["embeds"])
    assert fake_api.submits[1].task_id in shown
    # The re-roll says what it came from: the parent's task id and a link to its result.
    assert task_id in shown and f"/{result['channel_id']}/{result['id']}" in shown
    record = await bot.store.get(fake_api.submits[1].task_id)
    assert record.lineage is not None and record.lineage.parent_task_id == task_id
    assert record.lineage.kind is Derivation.REROLL


async def test_edit_and_rerun_opens_a_prefilled_modal_and_submits_the_new_text(
    bot, fake_discord, fake_api
):
    interaction, _, result = await delivered(fake_discord, fake_api, negative_prompt="rain")
    task_id = fake_api.submits[0].task_id
    click = await fake_discord.click(result["id"], f"r2v:edit:{task_id}", user=interaction.user)
    await click.wait_response()
    assert "character1 dances" in str(click.modal) and "rain" in str(click.modal)

    # A prompt naming a character without a reference is refused, privately.
    bad = await fake_discord.submit_modal(
        click, {"prompt": "character2 sings", "negative_prompt": ""}, user=interaction.user
    )
    refusal = await bad.wait_private()
    assert bad.ephemeral and "character2" in refusal["content"]
    assert len(fake_api.submits) == 1

    again = await fake_discord.click(result["id"], f"r2v:edit:{task_id}", user=interaction.user)
    await again.wait_response()
    good = await fake_discord.submit_modal(
        again, {"prompt": "character1 sings", "negative_prompt": "snow"}, user=interaction.user
    )
    await good.wait_public()
    assert len(fake_api.submits) == 2
    assert fake_api.submits[1].json["input"]["prompt"] == "character1 sings"
    assert fake_api.submits[1].json["input"]["negative_prompt"] == "snow"


async def test_edit_and_rerun_changes_duration_size_model_shot_and_seed(
    bot, fake_discord, fake_api
):
    interaction, _, result = await delivered(fake_discord, fake_api, duration=5, seed=7)
    task_id = fake_api.submits[0].task_id
    click = await fake_discord.click(result["id"], f"r2v:edit:{task_id}", user=interaction.user)
    await click.wait_response()
    assert '"7"' in json.dumps(click.modal), "the seed is pre-filled"
    good = await fake_discord.submit_modal(
        click,
        {
            "prompt": "character1 dances",
            "model_size": ["wan2.6-r2v|720*1280"],
            "duration_shot": ["8|multi"],
            "seed": "42",
        },
        user=interaction.user,
    )
    await good.wait_public()
    sent = fake_api.submits[1].json
    assert sent["model"] == "wan2.6-r2v"
    assert sent["parameters"] == {
        "size": "720*1280",
        "duration": 8,
        "shot_type": "multi",
        "seed": 42,
    }

    # A seed that is not a number is refused before anything is submitted.
    again = await fake_discord.click(result["id"], f"r2v:edit:{task_id}", user=interaction.user)
    await again.wait_response()
    bad = await fake_discord.submit_modal(
        again, {"prompt": "character1 dances", "seed": "lucky"}, user=interaction.user
    )
    refusal = await bad.wait_response()
    assert "seed" in refusal["json"]["data"]["content"].lower()
    assert len(fake_api.submits) == 2


async def test_buttons_still_work_after_a_restart(config, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1)
    async with running(config, fake_discord):
        interaction, _ = await generate(fake_discord)
        task_id = fake_api.submits[0].task_id
        await fake_discord.wait_for(
            lambda: any(m["attachments"] for m in fake_discord.messages()), 10, what="video"
        )
    async with running(config, fake_discord):
        video = next(m for m in fake_discord.messages() if m["attachments"])
        assert f"r2v:reroll:{task_id}" in custom_ids(video)
        click = await fake_discord.click(
            video["id"], f"r2v:reroll:{task_id}", user=interaction.user
        )
        await click.wait_public()
        assert len(fake_api.submits) == 2


async def test_buttons_on_a_result_posted_before_an_upgrade_still_work(bot, fake_discord, fake_api):
    interaction, _, _ = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    # A result as an older version posted it: plain buttons, the custom_ids spelled out.
    old = discord.ui.View(timeout=None)
    for action, label in (("reroll", "Re-roll"), ("edit", "Edit & re-run"), ("delete", "Delete")):
        old.add_item(discord.ui.Button(label=label, custom_id=f"r2v:{action}:{task_id}"))
    posted = await bot.http.send_message(
        fake_discord.channel_id,
        params=discord.http.handle_message_parameters(content="older result", view=old),
    )

    edit = await fake_discord.click(posted["id"], f"r2v:edit:{task_id}", user=interaction.user)
    await edit.wait_response()
    assert "character1 dances" in str(edit.modal)
    delete = await fake_discord.click(posted["id"], f"r2v:delete:{task_id}", user=interaction.user)
    await delete.wait_response()
    await fake_discord.wait_for(
        lambda: fake_discord.get_message(posted["id"]).get("deleted"), 5, what="deleted"
    )


async def test_refresh_queries_the_task_now(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    interaction, status = await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    before = len(fake_api.queries)
    click = await fake_discord.click(status["id"], f"r2v:refresh:{task_id}", user=interaction.user)
    answer = await click.wait_followup()
    assert len(fake_api.queries) > before
    assert "PENDING" in str(answer["embeds"]) and click.ephemeral


async def test_status_and_history_commands(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    interaction, _ = await generate(fake_discord)
    task_id = fake_api.submits[0].task_id

    status = await fake_discord.invoke("r2v status", {"task_id": task_id}, user=interaction.user)
    shown = await status.wait_followup()
    assert status.ephemeral and task_id in str(shown["embeds"]) and "PENDING" in str(shown)

    foreign = await fake_discord.invoke("r2v status", {"task_id": "not-a-bot-task"})
    text = (await foreign.wait_followup())["content"]
    assert "No task `not-a-bot-task`" in text and "Check the ID" in text

    history = await fake_discord.invoke("r2v history", {}, user=interaction.user)
    listed = (await history.wait_response())["json"]["data"]["content"]
    assert task_id in listed and history.ephemeral

    other = await fake_discord.invoke("r2v history", {}, user=fake_discord.make_user(name="zed"))
    assert "no video tasks yet" in (await other.wait_response())["json"]["data"]["content"]


async def test_a_failed_link_renewal_says_what_failed(bot, fake_discord, fake_api):
    interaction, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id

    fake_discord.fail_refresh(503)
    reroll = await fake_discord.click(result["id"], f"r2v:reroll:{task_id}", user=interaction.user)
    said = (await reroll.wait_private())["content"]
    assert "Discord is not answering right now" in said and "Try again in a minute" in said

    fake_discord.fail_refresh(403)
    click = await fake_discord.click(result["id"], f"r2v:continue:{task_id}", user=interaction.user)
    await click.wait_response()
    shot = await fake_discord.submit_modal(
        click, {"prompt": "character1 bows"}, user=interaction.user
    )
    said = (await shot.wait_private())["content"]
    assert "Discord refused to renew the links of this task's files (HTTP 403)" in said
    assert "expired" not in said
    assert len(fake_api.submits) == 1, "nothing submitted"

    again = await fake_discord.click(result["id"], f"r2v:reroll:{task_id}", user=interaction.user)
    await again.wait_public()
    assert len(fake_api.submits) == 2, "once Discord answers, it goes through"
