"""Upload caps as Discord applies them: the bot's own channel posts by the guild's boost tier,
interaction answers by the attachment_size_limit the interaction carried."""

from __future__ import annotations

import io
from typing import Any

import discord
import pytest

from fakes.fake_bailian import TaskPlan
from fakes.fake_discord import FakeDiscord
from tests.common import png
from tests.fakes.minibot import MIB, mini_bot


def clip(size: int) -> discord.File:
    return discord.File(io.BytesIO(b"v" * size), filename="clip.mp4")


async def test_channel_posts_are_capped_by_the_boost_tier(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        channel = bot.text_channel()
        assert channel.guild.filesize_limit == 10 * MIB
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send(file=clip(10 * MIB + 1))
        assert (refused.value.status, refused.value.code) == (413, 40005)
        await channel.send(file=clip(10 * MIB))  # the cap itself is allowed

        await fake.set_premium_tier(2)
        await fake.wait_for(lambda: channel.guild.filesize_limit == 50 * MIB, what="GUILD_UPDATE")
        await channel.send(file=clip(10 * MIB + 1))
        with pytest.raises(discord.HTTPException):
            await channel.send(file=clip(50 * MIB + 1))
    sizes = [m["attachments"][0]["size"] for m in fake.messages()]
    assert sizes == [10 * MIB, 10 * MIB + 1]


async def test_the_tier_is_in_guild_create_and_the_guild_object(fake: FakeDiscord) -> None:
    fake.guild().premium_tier = 3
    async with mini_bot(fake) as bot:
        assert bot.text_channel().guild.filesize_limit == 100 * MIB
        assert (await bot.fetch_guild(fake.guild_id)).premium_tier == 3


async def test_a_nitro_members_interaction_allows_more_than_the_channel(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        # A Nitro member's interaction carries a larger limit than the tier-0 guild's.
        it = await fake.invoke("upload", {"size": 20 * MIB}, attachment_size_limit=500 * MIB)
        answer = await it.wait_followup()
        assert answer["attachments"][0]["size"] == 20 * MIB
        with pytest.raises(discord.HTTPException) as refused:
            await bot.text_channel().send(file=clip(20 * MIB))  # the bot's own post: tier cap
        assert refused.value.status == 413


async def test_an_interaction_without_nitro_gets_the_guild_cap(fake: FakeDiscord) -> None:
    fake.guild().premium_tier = 2
    async with mini_bot(fake) as bot:
        it = await fake.invoke("upload", {"size": 11 * MIB})
        assert it.attachment_size_limit == 50 * MIB
        await it.wait_followup()
        too_big = await fake.invoke("upload", {"size": 50 * MIB + 1})
        await fake.wait_for(lambda: bot.errors, what="the 413")
    assert too_big.responses[-1]["status"] == 413
    assert too_big.responses[-1]["error"]["code"] == 40005


async def test_the_bot_delivers_a_nitro_members_big_video_as_a_link(bot, fake_discord, fake_api):
    """The bot's final post goes to the channel with its own token, so the guild's cap decides
    whether the video can be attached, not the (Nitro) limit of the member's interaction."""
    fake_api.default_plan = TaskPlan(pending_s=0.1, running_s=0.1, video_bytes=11 * MIB)
    ref = png(fake_discord)
    interaction = await fake_discord.invoke(
        "r2v generate",
        {"prompt": "character1 jumps"},
        attachments={"ref1": ref},
        attachment_size_limit=500 * MIB,
    )
    status = await interaction.wait_public()

    def final() -> list[dict[str, Any]]:
        return [
            m
            for m in fake_discord.messages()
            if (m.get("message_reference") or {}).get("message_id") == status["id"]
        ]

    await fake_discord.wait_for(final, 15, what="the final post")
    [post] = final()
    assert post["attachments"] == []
    assert "over this server's upload limit of 10 MB" in str(post["embeds"])
    refused = [r for r in fake_discord.requests if r.status == 413]
    assert refused == [], "the bot tried an upload Discord refuses"
