"""One helper to answer an interaction correctly whether it is fresh, deferred or expired."""

from __future__ import annotations

import contextlib
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


async def answer_privately(
    interaction: discord.Interaction, content: str, **kwargs: Any
) -> discord.WebhookMessage | None:
    """For an interaction already deferred publicly: answer so that only the user sees it.

    The deferred response is completed first (a follow-up sent while it is still loading would
    replace it and ignore the ephemeral flag), then the private follow-up is sent, then the
    public placeholder is deleted. If the private message fails, the placeholder carries the
    answer instead, so the user is never left with nothing. Returns the private message."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    try:
        await interaction.edit_original_response(content="…")
        message = await interaction.followup.send(content, ephemeral=True, wait=True, **kwargs)
    except discord.HTTPException as error:
        log.error(
            "could not answer interaction %s privately (%s %s)",
            interaction.id,
            error.status,
            error.code,
        )
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(content=content, **kwargs)
        return None
    with contextlib.suppress(discord.HTTPException):
        await interaction.delete_original_response()
    return message
