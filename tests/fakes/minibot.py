"""A small real discord.py client for the fake's self-tests: one guild command that answers
with a file of a given size, and nothing else."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands

from fakes.fake_discord import FakeDiscord, run_bot

MIB = 1024 * 1024


class MiniBot(discord.AutoShardedClient):
    """Records what failed, so a test can assert on the bot's side too."""

    def __init__(self, fake: FakeDiscord, **options: object) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05, **options)  # type: ignore[arg-type]
        self.fake = fake
        self.tree = app_commands.CommandTree(self)
        self.errors: list[Exception] = []
        self.interaction_shards: list[int | None] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py waits 5 s between shards; the fake has no identify limit

    async def setup_hook(self) -> None:
        async def upload(interaction: discord.Interaction, size: int) -> None:
            self.interaction_shards.append(
                interaction.guild.shard_id if interaction.guild else None
            )
            await interaction.response.defer()
            try:
                file = discord.File(io.BytesIO(b"v" * size), filename="clip.mp4")
                await interaction.followup.send("here", file=file)
            except discord.HTTPException as error:
                self.errors.append(error)

        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name="upload", description="Answers with a file of `size` bytes", callback=upload
        )
        for guild_id in self.fake.guilds:
            self.tree.add_command(command, guild=discord.Object(guild_id))
            await self.tree.sync(guild=discord.Object(guild_id))

    def text_channel(self, channel_id: int | None = None) -> discord.TextChannel:
        found = self.get_channel(channel_id or self.fake.channel_id)
        assert isinstance(found, discord.TextChannel), found
        return found


@asynccontextmanager
async def mini_bot(fake: FakeDiscord, **options: object) -> AsyncIterator[MiniBot]:
    """MiniBot logged in to `fake` (one shard unless `shard_count`/`shard_ids` are given)."""
    if "shard_count" not in options:
        options["shard_count"] = 1
    async with run_bot(MiniBot(fake, **options), fake) as bot:
        assert isinstance(bot, MiniBot)
        yield bot
