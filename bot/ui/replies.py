"""One helper to answer an interaction correctly whether it is fresh, deferred or expired."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Send `content` as the interaction's answer: the first response when it is fresh, a
    follow-up once it has been answered or deferred. Mentions never ping. When the interaction
    is gone (Discord forgets it after 15 minutes), the failure is logged, not raised."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    try:
        if interaction.response.is_done():
            text = content if content is not None else discord.utils.MISSING
            await interaction.followup.send(text, ephemeral=ephemeral, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
    except (discord.NotFound, discord.HTTPException) as error:
        log.warning(
            "could not answer interaction %s (%s %s)",
            interaction.id,
            getattr(error, "status", "?"),
            getattr(error, "code", "?"),
        )
