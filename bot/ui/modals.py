"""What the bot's modals share: each submits through the generation flow, which also reports
anything unexpected that goes wrong in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.ui.flow import GenerationFlow


class FlowModal(discord.ui.Modal):
    """A modal carrying the flow; an unexpected error is answered by the flow."""

    def __init__(self, flow: GenerationFlow, *, title: str, timeout: float) -> None:
        super().__init__(title=title, timeout=timeout)
        self._flow = flow

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await self._flow.report_unexpected(interaction, error)
