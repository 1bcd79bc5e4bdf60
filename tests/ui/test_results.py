"""What a member does with a result: delete it, continue from it, see where it came from."""

from __future__ import annotations

import discord

from tests.common import custom_ids, delivered

MEMBER = str(
    discord.Permissions(view_channel=True, send_messages=True, use_application_commands=True).value
)


async def test_only_the_requester_or_a_moderator_deletes_a_result(bot, fake_discord, fake_api):
    interaction, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    delete = f"r2v:delete:{task_id}"

    stranger = fake_discord.make_user(name="mallory", permissions=MEMBER)
    refused = await fake_discord.click(result["id"], delete, user=stranger)
    text = (await refused.wait_response())["json"]["data"]["content"]
    assert refused.ephemeral and "manage messages" in text
    assert not fake_discord.get_message(result["id"]).get("deleted")

    click = await fake_discord.click(result["id"], delete, user=interaction.user)
    await click.wait_response()
    await fake_discord.wait_for(
        lambda: fake_discord.get_message(result["id"]).get("deleted"), 5, what="deleted"
    )
    assert await bot.store.get(task_id) is not None, "the record stays"
    history = await fake_discord.invoke("r2v history", {}, user=interaction.user)
    assert task_id in (await history.wait_response())["json"]["data"]["content"]


async def test_a_moderator_may_delete_anyones_result(bot, fake_discord, fake_api):
    _, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    moderator = fake_discord.make_user(name="mod")  # all permissions but administrator
    click = await fake_discord.click(result["id"], f"r2v:delete:{task_id}", user=moderator)
    await click.wait_response()
    await fake_discord.wait_for(
        lambda: fake_discord.get_message(result["id"]).get("deleted"), 5, what="deleted"
    )


async def test_continue_submits_the_video_as_character1_then_the_references(
    bot, fake_discord, fake_api
):
    interaction, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    assert f"r2v:continue:{task_id}" in custom_ids(result)
    click = await fake_discord.click(result["id"], f"r2v:continue:{task_id}", user=interaction.user)
    await click.wait_response()
    clicked_with = click.payload["message"]["attachments"][0]["url"]
    submit = await fake_discord.submit_modal(
        click, {"prompt": "character1 bows to character2"}, user=interaction.user
    )
    status = await submit.wait_public()
    sent = fake_api.submits[1].json["input"]
    original = fake_api.submits[0].json["input"]["reference_urls"]
    assert sent["reference_urls"][0] == clicked_with, "the video as Discord sent it, fresh"
    assert [u.split("?")[0] for u in sent["reference_urls"][1:]] == [
        u.split("?")[0] for u in original
    ]
    assert sent["prompt"] == "character1 bows to character2"
    assert task_id in str(status["embeds"]), "it says what it came from"


async def test_history_shows_what_each_task_came_from(bot, fake_discord, fake_api):
    interaction, _, result = await delivered(fake_discord, fake_api)
    task_id = fake_api.submits[0].task_id
    click = await fake_discord.click(result["id"], f"r2v:reroll:{task_id}", user=interaction.user)
    await click.wait_public()
    history = await fake_discord.invoke("r2v history", {}, user=interaction.user)
    listed = (await history.wait_response())["json"]["data"]["content"]
    child = fake_api.submits[1].task_id
    assert listed.index(child) < listed.index(f"from `{task_id}`")


async def test_a_continuation_redone_later_renews_the_videos_link_too(bot, fake_discord, fake_api):
    interaction, _, result = await delivered(fake_discord, fake_api)
    first = fake_api.submits[0].task_id
    click = await fake_discord.click(result["id"], f"r2v:continue:{first}", user=interaction.user)
    await click.wait_response()
    submit = await fake_discord.submit_modal(
        click, {"prompt": "character1 waves goodbye"}, user=interaction.user
    )
    await submit.wait_public()
    continued = fake_api.submits[1].task_id
    await fake_discord.wait_for(
        lambda: sum(1 for m in fake_discord.messages() if m["attachments"]) >= 2, 10, what="video"
    )
    second_result = [m for m in fake_discord.messages() if m["attachments"]][1]
    fake_discord.advance(3600)
    again = await fake_discord.click(
        second_result["id"], f"r2v:reroll:{continued}", user=interaction.user
    )
    await again.wait_public()
    before = fake_api.submits[1].json["input"]["reference_urls"][0]
    after = fake_api.submits[2].json["input"]["reference_urls"][0]
    assert before.split("?")[0] == after.split("?")[0] and before != after
