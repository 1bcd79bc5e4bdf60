"""The one app-command error handler, installed on the command tree."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.messages.errors import GENERIC_APOLOGY
from bot.ui.replies import reply

log = logging.getLogger(__name__)


class R2VCommandTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Order: checks that refused (they answered already, or get a short sentence), values
        Discord sent that could not be converted, then anything else — a bug: the user gets an
        apology, never a traceback, and the log gets the traceback."""
        if isinstance(error, app_commands.CheckFailure):
            if not interaction.response.is_done():
                await reply(interaction, "You cannot use this command here.")
            return
        if isinstance(error, app_commands.TransformerError):
            await reply(interaction, f"That value was not understood: {error.value!r}.")
            return
        original = getattr(error, "original", error)
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command %s failed in interaction %s", command, interaction.id, exc_info=original)
        await reply(interaction, GENERIC_APOLOGY)
