"""Several guilds and sharding: each shard's IDENTIFY carries [id, count], and a guild's
events (GUILD_CREATE, INTERACTION_CREATE) reach only shard (guild_id >> 22) % count."""

from __future__ import annotations

import pytest

from fakes.fake_discord import FakeDiscord
from tests.fakes.minibot import MIB, mini_bot


def guild_events(fake: FakeDiscord, shard_id: int, event: str) -> list[int | None]:
    [session] = [s for s in fake.sessions if s.shard_id == shard_id]
    return [gid for name, gid in session.events if name == event]


async def test_each_shard_gets_only_its_guilds_events(fake: FakeDiscord) -> None:
    other = fake.add_guild(fake.guild_id + (1 << 22), premium_tier=2, locale="de")
    fake.shard_count = 2
    assert (fake.shard_of(fake.guild_id), fake.shard_of(other.id)) == (1, 0)
    async with mini_bot(fake, shard_count=None) as bot:  # asks GET /gateway/bot
        assert bot.shard_count == 2
        assert sorted(tuple(p["shard"]) for p in fake.identify_payloads) == [(0, 2), (1, 2)]
        assert guild_events(fake, 0, "GUILD_CREATE") == [other.id]
        assert guild_events(fake, 1, "GUILD_CREATE") == [fake.guild_id]
        seen = bot.get_guild(other.id)
        assert seen is not None and seen.shard_id == 0
        assert seen.filesize_limit == 50 * MIB and str(seen.preferred_locale) == "de"

        there = await fake.invoke("upload", {"size": 1}, channel_id=other.channel_ids[0])
        here = await fake.invoke("upload", {"size": 1})
        await there.wait_followup()
        await here.wait_followup()
    assert guild_events(fake, 0, "INTERACTION_CREATE") == [other.id]
    assert guild_events(fake, 1, "INTERACTION_CREATE") == [fake.guild_id]
    assert bot.interaction_shards == [0, 1]
    assert there.payload["guild_locale"] == "de"
    assert there.attachment_size_limit == 50 * MIB


async def test_a_bot_running_only_some_shards_sees_only_their_guilds(fake: FakeDiscord) -> None:
    other = fake.add_guild(fake.guild_id + (1 << 22))
    fake.shard_count = 2
    async with mini_bot(fake, shard_count=2, shard_ids=[0]) as bot:
        assert [g.id for g in bot.guilds] == [other.id]
        assert not fake.connected_to(fake.guild_id)
        await fake.invoke("upload", {"size": 1}, channel_id=other.channel_ids[0])
        with pytest.raises(AssertionError, match="no bot shard is connected"):
            await fake.invoke("upload", {"size": 1})
