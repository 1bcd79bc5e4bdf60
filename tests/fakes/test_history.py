"""Channel history as Discord pages it: ids are snowflakes of the fake clock, newest first,
`before` / `after` / `around` / `limit` as Discord applies them; deleted messages are gone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp
import discord
import pytest

from fakes.fake_discord import FakeDiscord
from fakes.fake_discord.common import DISCORD_EPOCH_MS
from tests.fakes.minibot import mini_bot


async def history(fake: FakeDiscord, **query: int) -> tuple[int, Any]:
    """The status and the JSON body (a page of messages, or Discord's error)."""
    url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    params = {k: str(v) for k, v in query.items()}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params=params, headers=headers) as resp,
    ):
        return resp.status, await resp.json()


def ids(page: list[dict[str, Any]]) -> list[int]:
    return [int(m["id"]) for m in page]


def post(fake: FakeDiscord, count: int, minutes_apart: float = 1) -> list[int]:
    made = []
    for n in range(count):
        made.append(int(fake.post_user_message(None, f"message {n}")["id"]))
        fake.advance(minutes_apart * 60)
    return made


async def test_message_ids_are_snowflakes_of_the_fake_clock(fake: FakeDiscord) -> None:
    fake.advance(3 * 86400)
    before = fake.wall() * 1000
    message = fake.post_user_message(None, "hello")
    created_ms = (int(message["id"]) >> 22) + DISCORD_EPOCH_MS
    assert before - 1 <= created_ms <= fake.wall() * 1000 + 1
    assert created_ms >= (dt.datetime.now(dt.UTC).timestamp() + 3 * 86400 - 5) * 1000


async def test_pages_newest_first_with_before_after_and_limit(fake: FakeDiscord) -> None:
    made = post(fake, 60)
    status, page = await history(fake)
    assert status == 200 and ids(page) == made[::-1][:50]  # default limit 50
    assert ids((await history(fake, limit=5))[1]) == made[::-1][:5]
    # before: the newest messages older than it
    assert ids((await history(fake, before=made[10], limit=3))[1]) == [made[9], made[8], made[7]]
    # after: the oldest messages newer than it, still newest first
    assert ids((await history(fake, after=made[10], limit=3))[1]) == [made[13], made[12], made[11]]
    # around: the message itself and half the limit on each side
    assert ids((await history(fake, around=made[30], limit=5))[1]) == made[28:33][::-1]
    assert ids((await history(fake, around=made[30], limit=1))[1]) == [made[30]]


async def test_a_limit_outside_1_to_100_is_an_invalid_form_body(fake: FakeDiscord) -> None:
    for limit in (0, 101):
        status, body = await history(fake, limit=limit)
        assert status == 400 and body["code"] == 50035, body
        assert "limit" in body["errors"]
    assert [v.kind for v in fake.take_violations()] == ["request", "request"]


async def test_a_test_can_page_from_a_moment_of_the_fake_clock(fake: FakeDiscord) -> None:
    early = post(fake, 3, minutes_apart=10)
    moment = fake.wall()
    fake.advance(1)
    late = post(fake, 2, minutes_apart=10)
    async with mini_bot(fake) as bot:
        after = dt.datetime.fromtimestamp(moment, dt.UTC)
        seen = [m.id async for m in bot.text_channel().history(after=after, oldest_first=True)]
        before = [m.id async for m in bot.text_channel().history(before=after)]
    assert seen == late
    assert before == early[::-1]


async def test_deleted_messages_leave_history(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        channel = bot.text_channel()
        kept = await channel.send("kept")
        gone = await channel.send("gone")
        await gone.delete()
        assert [m.id async for m in channel.history()] == [kept.id]
        with pytest.raises(discord.NotFound) as missing:
            await channel.fetch_message(gone.id)
        assert missing.value.code == 10008
        # Another user's message needs Manage Messages, which the bot may lack.
        theirs = fake.post_user_message(None, "mine")
        fake.set_channel_permissions(
            fake.channel_id, fake.permissions_in(fake.channel_id) & ~(1 << 13)
        )
        with pytest.raises(discord.Forbidden) as refused:
            await channel.get_partial_message(int(theirs["id"])).delete()
        assert refused.value.code == 50013
    assert [m["content"] for m in fake.messages()] == ["kept", "mine"]
    assert fake.get_message(gone.id)["deleted"]  # type: ignore[index]
