"""`/r2v-admin`: spend and tracking control, for members with Manage Server."""

from __future__ import annotations

import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.policy import day_start
from bot.service import GenerationService
from bot.ui.replies import reply

log = logging.getLogger(__name__)

WEEK_S = 7 * 24 * 3600


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
            await reply(
                interaction, "This command is for members with the Manage Server permission."
            )
            return False
        return True

    @app_commands.command(name="spend")
    async def spend(self, interaction: discord.Interaction) -> None:
        """This server's spend today and over the last 7 days, by member."""
        assert interaction.guild_id is not None
        store, currency = self.service.store, self.service.currency
        now = time.time()
        today = await store.spend_since(day_start(now), guild_id=interaction.guild_id)
        week = await store.spend_since(now - WEEK_S, guild_id=interaction.guild_id)
        members = await store.guild_spend_by_user(interaction.guild_id, day_start(now))
        lines = [
            f"**Today:** {today.seconds} billed s · {today.amount:.2f} {currency}",
            f"**Last 7 days:** {week.seconds} billed s · {week.amount:.2f} {currency}",
            "",
            "**Today by member**",
        ]
        lines += [
            f"<@{user}>: {spent.seconds} s · {spent.amount:.2f} {currency}"
            for user, spent in members[:20]
        ] or ["nobody yet"]
        await reply(interaction, "\n".join(lines))

    @app_commands.command(name="untrack")
    @app_commands.describe(task_id="The task to stop following (the video is not canceled)")
    async def untrack(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Stop following a task; the bot will not post its result."""
        record = await self.service.store.get(task_id.strip())
        if record is None or record.guild_id != interaction.guild_id:
            await reply(interaction, "No task with that ID was made in this server.")
            return
        if not record.is_active:
            await reply(interaction, f"Task `{record.task_id}` has already ended.")
            return
        await self.service.tracker.forget(
            record.task_id, f"tracking stopped by admin {interaction.user.id}"
        )
        log.info("admin %s stopped tracking task %s", interaction.user.id, record.task_id)
        await reply(
            interaction,
            f"Stopped following task `{record.task_id}`. The service may still finish it; "
            "`/r2v status` can look it up.",
        )
