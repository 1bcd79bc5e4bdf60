"""Fault knobs: a channel that answers 5xx for a while, the bot without permissions, a deleted
channel, and DMs (open, post, closed), each answered as Discord does."""

from __future__ import annotations

import discord
import pytest

from fakes.fake_discord import FakeDiscord
from tests.fakes.minibot import mini_bot
from tests.fakes.test_every_route import call


def post_path(fake: FakeDiscord, channel_id: int | None = None) -> str:
    return f"/channels/{channel_id or fake.channel_id}/messages"


async def test_an_outage_for_a_number_of_requests(fake: FakeDiscord) -> None:
    fake.fail_channel(status=503, times=2)
    statuses = [(await call(fake, "POST", post_path(fake), {"content": "x"}))[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [m["content"] for m in fake.messages()] == ["x"]


async def test_an_outage_for_a_while_and_until_cleared(fake: FakeDiscord) -> None:
    other = fake.channel_ids[1]
    fake.fail_channel(status=500, seconds=60)
    fake.fail_channel(other)
    assert (await call(fake, "GET", post_path(fake)))[0] == 500
    fake.advance(61)
    assert (await call(fake, "GET", post_path(fake)))[0] == 200
    assert (await call(fake, "GET", post_path(fake, other)))[0] == 503
    fake.clear_faults(other)
    assert (await call(fake, "GET", post_path(fake, other)))[0] == 200


async def test_discord_py_retries_a_500_but_not_a_503(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        fake.fail_channel(status=500, times=1)
        sent = await bot.text_channel().send("after one 500")  # retried after a 1 s back-off
        fake.fail_channel(status=503, times=1)
        with pytest.raises(discord.DiscordServerError):
            await bot.text_channel().send("during a 503")
    assert fake.get_message(sent.id) is not None
    assert [r.status for r in fake.requests if r.method == "POST"][-3:] == [500, 200, 503]


async def test_missing_permissions_and_missing_access(fake: FakeDiscord) -> None:
    fake.revoke_send()
    status, body = await call(fake, "POST", post_path(fake), {"content": "x"})
    assert (status, body) == (403, {"message": "Missing Permissions", "code": 50013})
    assert (await call(fake, "GET", post_path(fake)))[0] == 200  # reading still works
    hidden = fake.channel_ids[1]
    fake.revoke_access(hidden)
    for method, path in (("GET", post_path(fake, hidden)), ("GET", f"/channels/{hidden}")):
        status, body = await call(fake, method, path)
        assert (status, body) == (403, {"message": "Missing Access", "code": 50001})
    fake.clear_faults()
    assert (await call(fake, "POST", post_path(fake), {"content": "x"}))[0] == 200


async def test_interactions_report_the_permissions_the_fake_enforces(fake: FakeDiscord) -> None:
    async with mini_bot(fake):
        fake.revoke_send()
        it = await fake.invoke("upload", {"size": 1})
        allowed = discord.Permissions(int(it.payload["app_permissions"]))
        assert not allowed.send_messages and allowed.view_channel
        await it.wait_followup()  # an interaction answer needs no channel permission


async def test_a_deleted_channel_is_unknown_and_the_bot_is_told(fake: FakeDiscord) -> None:
    gone = fake.channel_ids[1]
    async with mini_bot(fake) as bot:
        assert bot.get_channel(gone) is not None
        await fake.delete_channel(gone)
        await fake.wait_for(lambda: bot.get_channel(gone) is None, what="CHANNEL_DELETE")
        with pytest.raises(discord.NotFound) as unknown:
            await bot.get_partial_messageable(gone).send("anyone?")
        assert unknown.value.code == 10003


async def test_a_dm_is_opened_and_posted_into(fake: FakeDiscord) -> None:
    bob = fake.make_user(name="bob")
    async with mini_bot(fake) as bot:
        user = await bot.fetch_user(int(bob["user"]["id"]))
        sent = await user.send("your video is ready")
        assert isinstance(sent.channel, discord.DMChannel)
    [message] = fake.dm_messages(bob)
    assert message["content"] == "your video is ready" and "guild_id" not in message
    dm = fake.open_dm(bob)
    assert dm["type"] == 1 and dm["recipients"][0]["id"] == bob["user"]["id"]


async def test_a_user_who_closed_dms_cannot_be_messaged(fake: FakeDiscord) -> None:
    carol = fake.make_user(name="carol")
    fake.close_dms(carol)
    async with mini_bot(fake) as bot:
        user = await bot.fetch_user(int(carol["user"]["id"]))
        with pytest.raises(discord.Forbidden) as refused:
            await user.send("hello?")
    assert refused.value.code == 50007
    assert refused.value.text == "Cannot send messages to this user"
    assert fake.dm_messages(carol) == []


async def test_a_rate_limited_post_is_retried_by_discord_py(fake: FakeDiscord) -> None:
    async with mini_bot(fake) as bot:
        fake.rate_limit_channel(retry_after=0.05, times=1)
        sent = await bot.text_channel().send("after a 429")
    assert fake.get_message(sent.id) is not None
    limited = [r for r in fake.requests if r.status == 429]
    assert [r.response["retry_after"] for r in limited] == [0.05]
