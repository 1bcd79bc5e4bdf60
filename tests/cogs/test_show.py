"""Finding things again: `/r2v show`, task-id autocomplete and `/r2v help`."""

from __future__ import annotations

from fakes.fake_bailian import TaskPlan
from tests.common import delivered, generate


async def test_show_reposts_from_the_kept_file_after_the_link_expired(bot, fake_discord, fake_api):
    fake_api.plan_next(TaskPlan(pending_s=0.05, running_s=0.05, expire_after_s=0.5))
    interaction, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    assert bot.videos.keeper.has(task_id), "the delivered video was kept"
    await fake_discord.wait_for(
        lambda: fake_api.clock.now() > fake_api.tasks[task_id].expires_at, 5, what="expiry"
    )

    downloads = len(fake_api.downloads)
    show = await fake_discord.invoke("r2v show", {"task_id": task_id}, user=interaction.user)
    post = await show.wait_public()
    assert post["attachments"][0]["size"] == result["attachments"][0]["size"]
    assert task_id in str(post["embeds"])
    assert f"r2v:delete:{task_id}" in str(post["components"])
    assert len(fake_api.downloads) == downloads, "the expired link was not needed"


async def test_show_says_when_no_copy_is_left_or_the_task_is_still_running(
    bot, fake_discord, fake_api
):
    fake_api.plan_next(TaskPlan(pending_s=0.05, running_s=0.05, expire_after_s=0.5))
    interaction, _, _ = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    await fake_discord.wait_for(
        lambda: fake_api.clock.now() > fake_api.tasks[task_id].expires_at, 5, what="expiry"
    )
    bot.videos.keeper.path_for(task_id).unlink()  # pruned, as after R2V_VIDEO_KEEP_DAYS
    gone = await fake_discord.invoke("r2v show", {"task_id": task_id}, user=interaction.user)
    assert "no longer available" in (await gone.wait_followup())["content"]
    assert not any(m.get("interaction_id") == gone.id for m in fake_discord.messages())

    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    await generate(fake_discord)
    running_id = fake_api.submits[1].task_id
    early = await fake_discord.invoke("r2v show", {"task_id": running_id})
    assert "not finished" in (await early.wait_response())["json"]["data"]["content"]


async def test_task_ids_autocomplete_from_the_members_own_tasks(bot, fake_discord, fake_api):
    fake_api.default_plan = TaskPlan(pending_s=30, running_s=30)
    interaction, _ = await generate(fake_discord)
    task_id = fake_api.submits[0].task_id
    typing = await fake_discord.invoke(
        "r2v show", {"task_id": "dances"}, user=interaction.user, focused="task_id"
    )
    choices = (await typing.wait_response())["json"]["data"]["choices"]
    assert [c["value"] for c in choices] == [task_id]
    assert "character1 dances" in choices[0]["name"] and len(choices[0]["name"]) <= 100

    stranger = fake_discord.make_user(name="zed")
    theirs = await fake_discord.invoke(
        "r2v status", {"task_id": ""}, user=stranger, focused="task_id"
    )
    assert (await theirs.wait_response())["json"]["data"]["choices"] == []


async def test_help_explains_references_options_and_cost(bot, fake_discord):
    answer = await fake_discord.invoke("r2v help", {})
    text = (await answer.wait_response())["json"]["data"]["content"]
    assert answer.ephemeral
    for expected in ("character1", "ref1", "negative_prompt", "private", "/r2v quota", "billed"):
        assert expected in text
