"""The one app-command error handler, installed on the command tree."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.generation.text import inline_code
from bot.messages.catalog import text
from bot.messages.errors import generic_apology
from bot.ui.interactions import locale_of
from bot.ui.replies import reply

log = logging.getLogger(__name__)


class R2VCommandTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Order: checks that refused (they answered already, or get a short sentence), values
        Discord sent that could not be converted, then anything else — a bug: the user gets an
        apology, never a traceback, and the log gets the traceback."""
        locale = locale_of(interaction)
        if isinstance(error, app_commands.CheckFailure):
            if not interaction.response.is_done():
                await reply(interaction, text(locale, "check-failed"))
            return
        if isinstance(error, app_commands.TransformerError):
            shown = inline_code(str(error.value), 100)  # what the member typed, as typed
            await reply(interaction, text(locale, "value-not-understood", value=shown))
            return
        original = getattr(error, "original", error)
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command %s failed in interaction %s", command, interaction.id, exc_info=original)
        await reply(interaction, generic_apology(locale))
