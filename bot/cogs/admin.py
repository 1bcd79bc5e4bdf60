"""`/r2v-admin`: spend and tracking control, for members with Manage Server."""

from __future__ import annotations

import io
from typing import assert_never

import discord
from discord import app_commands
from discord.ext import commands

from bot.messages import tasks as task_text
from bot.messages.features import SPEND_CSV_NOTE
from bot.messages.quota import ADMIN_ONLY, spend_text
from bot.service import AlreadyEnded, GenerationService, NotInGuild, Untracked
from bot.ui.replies import reply


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class AdminCog(commands.GroupCog, name="r2v-admin", group_name="r2v-admin"):
    """Spend and tracking control for server managers."""

    def __init__(self, service: GenerationService) -> None:
        self.service = service
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_permissions is only a default that a server can change: check here too.
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await reply(interaction, ADMIN_ONLY)
            return False
        return True

    @app_commands.command(name="spend")
    @app_commands.describe(csv="Also attach the last 7 days' tasks as a CSV file")
    async def spend(self, interaction: discord.Interaction, csv: bool = False) -> None:
        """This server's spend today and over the last 7 days, by member."""
        assert interaction.guild_id is not None
        text = spend_text(await self.service.spend(interaction.guild_id))
        if not csv:
            await reply(interaction, text)
            return
        table = await self.service.spend_csv(interaction.guild_id)
        attachment = discord.File(io.BytesIO(table.encode()), filename="r2v-tasks.csv")
        await reply(interaction, f"{text}\n{SPEND_CSV_NOTE}", file=attachment)

    @app_commands.command(name="untrack")
    @app_commands.describe(task_id="The task to stop following (the video is not canceled)")
    async def untrack(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Stop following a task; the bot will not post its result."""
        assert interaction.guild_id is not None
        outcome = await self.service.untrack(
            task_id.strip(), interaction.guild_id, interaction.user.id
        )
        match outcome:
            case Untracked(record):
                await reply(interaction, task_text.untracked(record.task_id))
            case AlreadyEnded(record):
                await reply(interaction, task_text.already_ended(record.task_id))
            case NotInGuild():
                await reply(interaction, task_text.NOT_IN_GUILD)
            case _:
                assert_never(outcome)
