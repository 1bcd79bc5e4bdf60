"""Members read the bot in their own Discord language (real bot, both fakes): replies follow
the member's locale, then the server's, then R2V_DEFAULT_LOCALE; the tracker's later posts
follow the language recorded at submit time; synced commands carry Chinese descriptions."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import discord

from bot.policy import LimitBook
from fakes.fake_bailian import TaskPlan
from tests.common import png, replies_to
from tests.conftest import NO_LIMITS, make_config, running


def labels(message) -> list[str]:
    return [c["label"] for row in message["components"] for c in row["components"]]


async def test_a_chinese_member_gets_a_chinese_refusal(bot, fake_discord, fake_api):
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves at character2", "duration": 5},
        attachments={"ref1": png(fake_discord, "tiny.png", width=100, height=100)},
        locale="zh-CN",
    )
    text = (await interaction.wait_private())["content"]
    assert interaction.ephemeral
    assert text.startswith("**未提交任何任务。** 请修改以下 2 处问题：\n")
    assert "ref1（`tiny.png`）为 100×100 像素，每条边至少需要 240 像素" in text
    assert "提示词中提到了 character2，但你只提供了 1 个参考（character1）" in text
    assert fake_api.submits == []


async def test_a_chinese_member_gets_a_chinese_status_and_a_chinese_result(
    bot, fake_discord, fake_api
):
    fake_api.default_plan = TaskPlan(pending_s=0.2, running_s=0.3, video_bytes=100_000)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {
            "prompt": "character1 和 character2 在雨中漫步",
            "links": "https://example.com/refs/cup.webp",
            "duration": 6,
            "seed": 7,
        },
        attachments={"ref1": png(fake_discord)},
        locale="zh-CN",
    )
    private = await interaction.wait_private()
    status = await interaction.wait_public()
    task_id = fake_api.submits[0].task_id
    assert f"已提交，任务 ID 为 `{task_id}`" in private["content"]

    embed = status["embeds"][0]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] in ("⏳ 排队中", "🎬 生成中")
    assert fields["任务 ID"] == f"`{task_id}`"
    assert "**时长** 6 秒" in fields["参数"] and "**种子** 7" in fields["参数"]
    assert "横屏" in fields["参数"]
    assert "**character1** → ref1 `alice.png`（PNG 图片）" in fields["参考"]
    assert "**character2** → 链接 1 `cup.webp`（WEBP 图片）" in fields["参考"]
    assert "计费 6 秒" in fields["预估费用"]
    assert labels(status) == ["刷新"]
    record = await bot.store.get(task_id)
    assert record is not None and record.origin.locale == "zh-CN"

    # Posted by the tracker long after the command, with no interaction to read a locale from.
    await fake_discord.wait_for(
        lambda: replies_to(fake_discord, status["id"]), 10, what="the result post"
    )
    (post,) = replies_to(fake_discord, status["id"])
    assert post["content"].endswith("你的视频生成好了。")
    assert post["embeds"][0]["title"] == "✅ 已完成"
    assert post["embeds"][0]["footer"]["text"] == f"任务 {task_id}"
    assert labels(post) == ["重新生成", "修改后重新生成", "接着这个视频生成", "删除"]


async def test_an_english_member_in_the_same_server_still_reads_english(
    bot, fake_discord, fake_api
):
    fake_discord.guilds[fake_discord.guild_id].locale = "zh-CN"
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves"},
        attachments={"ref1": png(fake_discord)},
        locale="en-GB",
    )
    status = await interaction.wait_public()
    assert status["embeds"][0]["fields"][0]["name"] == "Task ID"


async def test_a_member_whose_language_has_no_catalog_reads_the_servers(
    bot, fake_discord, fake_api
):
    fake_discord.guilds[fake_discord.guild_id].locale = "zh-CN"
    interaction = await fake_discord.invoke("r2v history", locale="fr")
    first = await interaction.wait_response()
    assert first["json"]["data"]["content"].startswith("你还没有视频任务。")


async def test_the_default_locale_answers_when_neither_member_nor_server_is_served(
    tmp_path, fake_api, fake_discord
):
    fake_discord.guilds[fake_discord.guild_id].locale = "de"
    config = replace(make_config(tmp_path, fake_api, fake_discord), default_locale="zh-CN")
    async with running(config, fake_discord):
        interaction = await fake_discord.invoke("r2v history", locale="fr")
        first = await interaction.wait_response()
        assert first["json"]["data"]["content"].startswith("你还没有视频任务。")
        english = await fake_discord.invoke("r2v history", locale="en-US")
        answer = await english.wait_response()
        assert answer["json"]["data"]["content"].startswith("You have no video tasks yet.")


async def test_synced_commands_carry_chinese_descriptions_and_choice_names(bot, fake_discord):
    r2v = next(c for c in fake_discord.registered_commands if c["name"] == "r2v")
    assert (
        r2v["description_localizations"]["zh-CN"] == "用提示词和参考图片或视频片段生成多角色视频。"
    )
    generate = next(o for o in r2v["options"] if o["name"] == "generate")
    assert generate["description_localizations"]["zh-CN"].startswith("用提示词和参考图片")
    options = {o["name"]: o for o in generate["options"]}
    assert options["ref3"]["description_localizations"]["zh-CN"] == "参考 3 → character3"
    assert options["negative_prompt"]["description_localizations"]["zh-CN"] == (
        "视频中应避免出现的内容"
    )
    sizes = [c["name_localizations"]["zh-CN"] for c in options["size"]["choices"]]
    assert sizes[0] == "1280×720 · 720P · 16:9 横屏"
    assert options["size"]["choices"][0]["name"] == "1280×720 · 720P · 16:9 landscape"
    # Names stay English in every language, so `/r2v generate` is typed the same everywhere;
    # the message menus are picked from a list, not typed, and read in the member's language.
    for command in fake_discord.registered_commands:
        if command["type"] == 3:
            assert command["name_localizations"]["zh-CN"] in ("用作 r2v 参考", "保存到 r2v 角色库")
            continue
        assert not command.get("name_localizations")
        for option in command.get("options") or []:
            assert not option.get("name_localizations")
    admin = next(c for c in fake_discord.registered_commands if c["name"] == "r2v-admin")
    assert admin["description_localizations"]["zh-CN"] == "供服务器管理者查看花费、管理任务跟踪。"


async def test_the_price_question_and_its_buttons_are_in_chinese(tmp_path, fake_api, fake_discord):
    limits = LimitBook(replace(NO_LIMITS, confirm_above=Decimal("4.99"), confirm_timeout_s=5))
    config = make_config(tmp_path, fake_api, fake_discord, limits=limits)
    async with running(config, fake_discord):
        interaction = await fake_discord.invoke(
            "r2v generate",
            {"prompt": "character1 鞠躬", "duration": 10},
            attachments={"ref1": png(fake_discord)},
            locale="zh-CN",
        )
        question = await interaction.wait_private()
        assert question["content"] == (
            "这个视频的费用为 **≈ 5.00 CNY（计费 10 秒）**，超过了本服务器的确认阈值。确定生成吗？"
        )
        assert question["embeds"][0]["title"] == "准备生成"
        assert labels(question) == ["确认并生成", "取消"]
        cancel = question["components"][0]["components"][1]["custom_id"]
        click = await fake_discord.click(
            question["id"], cancel, user=interaction.user, locale="zh-CN"
        )
        answer = await click.wait_response()
        assert answer["json"]["data"]["content"] == "已取消，没有提交任务，也没有扣费。"
    assert fake_api.submits == []


async def test_missing_channel_permissions_are_named_as_chinese_discord_names_them(
    bot, fake_discord, fake_api
):
    allowed = discord.Permissions.all()
    allowed.attach_files = allowed.embed_links = False
    fake_discord.app_permissions = str(allowed.value)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 waves"},
        attachments={"ref1": png(fake_discord)},
        locale="zh-CN",
    )
    text = (await interaction.wait_response())["json"]["data"]["content"]
    assert "缺少「嵌入链接、附加文件」权限" in text
    assert fake_api.submits == []
