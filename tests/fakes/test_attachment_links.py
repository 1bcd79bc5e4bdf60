"""Attachment links as Discord hands them out: signed for 24 h from the moment a message is
given (a post's answer, GET of the message or of the history, an interaction), refused by the
CDN once expired, renewed by refresh-urls, and gone with their deleted message."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import aiohttp
import discord
import pytest

from fakes.fake_discord import FakeDiscord
from tests.fakes.minibot import mini_bot

PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 64


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
    assert not server.violations, "\n".join(map(str, server.violations))


async def http_get(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        await resp.read()
        return resp.status


def expires_at(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["ex"][0], 16)


async def test_a_fetched_message_carries_links_signed_now(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        channel = bot.text_channel()
        posted = await channel.send(file=discord.File(io.BytesIO(PNG), filename="mia.png"))
        first = posted.attachments[0].url
        fake.advance(days=30)
        assert await http_get(first) == 404, "a month-old link has expired"

        fetched = await channel.fetch_message(posted.id)
        again = fetched.attachments[0].url
        assert again != first and expires_at(again) >= int(fake.wall()) + 24 * 3600 - 1
        assert await http_get(again) == 200
        assert await fetched.attachments[0].read() == PNG

        history = [message async for message in channel.history(limit=5)]
        assert await http_get(history[0].attachments[0].url) == 200


async def test_a_deleted_message_is_unknown_and_its_files_are_gone(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        channel = bot.text_channel()
        posted = await channel.send(file=discord.File(io.BytesIO(PNG), filename="mia.png"))
        url = posted.attachments[0].url
        await posted.delete()

        with pytest.raises(discord.NotFound) as gone:
            await channel.fetch_message(posted.id)
        assert gone.value.code == 10008
        assert await http_get(url) == 404


async def test_the_advance_in_days_moves_the_wall_clock(fake: FakeDiscord) -> None:
    before = fake.wall()
    fake.advance(days=2)
    assert fake.wall() - before >= 2 * 86400


async def test_a_message_command_sees_fresh_links_of_an_old_message(fake: FakeDiscord) -> None:
    image = fake.add_attachment("hero.png", "image/png", len(PNG), data=PNG, width=4, height=4)
    target = fake.post_user_message(None, "old", attachments=[image])
    fake.advance(days=3)
    seen: list[str] = []

    async def grab(interaction: discord.Interaction, message: discord.Message) -> None:
        seen.append(message.attachments[0].url)
        await interaction.response.send_message("ok", ephemeral=True)

    async with mini_bot(fake) as bot:
        bot.tree.add_command(
            discord.app_commands.ContextMenu(name="Grab", callback=grab),
            guild=discord.Object(fake.guild_id),
        )
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        it = await fake.invoke_message_command("Grab", target)
        await it.wait_response()
    assert await http_get(image["url"]) == 404
    assert seen and seen[0] != image["url"] and await http_get(seen[0]) == 200
