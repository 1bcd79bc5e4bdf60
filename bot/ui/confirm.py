"""The Confirm / Cancel step for expensive videos: nothing is spent without the click."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.messages import tasks as task_text
from bot.messages.catalog import text
from bot.ui.interactions import locale_of
from bot.ui.replies import NO_PINGS, reply

log = logging.getLogger(__name__)


class ConfirmView(discord.ui.View):
    """Sent ephemerally, so only the requester sees it. The first click decides; a second click
    (or a double click) does nothing more. `message` is the question, set once it is sent.
    Labels and answers are in the requester's `locale`."""

    def __init__(
        self,
        on_confirm: Callable[[discord.Interaction], Awaitable[Any]],
        *,
        timeout: float,
        locale: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        self._on_confirm = on_confirm
        self._locale = locale
        self.confirm.label = text(locale, "button-confirm")
        self.cancel.label = text(locale, "button-cancel")
        self.decided = False
        self.message: discord.InteractionMessage | None = None

    async def _claim(self, interaction: discord.Interaction) -> bool:
        if self.decided:
            await reply(interaction, task_text.already_answered(locale_of(interaction)))
            return False
        self.decided = True
        self.stop()
        return True

    @discord.ui.button(style=discord.ButtonStyle.success, emoji="✅")  # labelled in __init__
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        if not await self._claim(interaction):
            return
        # The click answers by updating the private question; the status message is then
        # posted in the channel as a follow-up of the click.
        await interaction.response.edit_message(
            content=task_text.confirmed(self._locale), embed=None, view=None
        )
        await self._on_confirm(interaction)

    @discord.ui.button(style=discord.ButtonStyle.secondary, emoji="✖️")  # labelled in __init__
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        if not await self._claim(interaction):
            return
        await interaction.response.edit_message(
            content=task_text.cancelled(self._locale), embed=None, view=None
        )

    async def on_timeout(self) -> None:
        if not self.decided:
            self.decided = True
            await self._close(task_text.confirm_timed_out(self._locale, self.timeout or 0))

    async def _close(self, content: str) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(
                content=content, embed=None, view=None, allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as error:
            log.info("could not close confirmation message %s: %s", self.message.id, error)
