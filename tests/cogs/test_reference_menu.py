"""Apps → "Use as r2v reference": a message's files become references."""

from __future__ import annotations

from tests.common import png


async def test_the_context_menu_turns_a_messages_files_into_references(bot, fake_discord, fake_api):
    image = png(fake_discord, "hero.png")
    clip = fake_discord.add_attachment("walk.mp4", "video/mp4", 2_000_000)
    target = fake_discord.post_user_message(
        fake_discord.channel_id, "look @everyone", attachments=[image, clip]
    )
    menu = await fake_discord.invoke_message_command("Use as r2v reference", target)
    await menu.wait_response()
    assert menu.modal is not None
    submitted = await fake_discord.submit_modal(
        menu, {"prompt": "character1 walks like character2", "negative_prompt": "", "duration": "4"}
    )
    await submitted.wait_public()
    body = fake_api.submits[0].json
    assert body["input"]["reference_urls"] == [image["url"], clip["url"]]
    assert body["parameters"]["duration"] == 4


async def test_the_context_menu_on_a_message_without_files_explains(bot, fake_discord):
    target = fake_discord.post_user_message(fake_discord.channel_id, "no files here")
    menu = await fake_discord.invoke_message_command("Use as r2v reference", target)
    answer = await menu.wait_response()
    assert menu.ephemeral and "no attached images or clips" in answer["json"]["data"]["content"]


async def test_the_menu_is_named_and_answers_in_chinese_for_a_chinese_client(bot, fake_discord):
    [menu] = [
        c
        for c in fake_discord.registered_commands
        if c["type"] == 3 and c["name"] == "Use as r2v reference"
    ]
    assert menu["name_localizations"]["zh-CN"] == "用作 r2v 参考"

    target = fake_discord.post_user_message(
        fake_discord.channel_id, "看这个", attachments=[png(fake_discord, "hero.png")]
    )
    opened = await fake_discord.invoke_message_command(
        "Use as r2v reference", target, locale="zh-CN"
    )
    await opened.wait_response()
    assert opened.modal is not None and opened.modal["title"] == "用这些参考生成视频"
