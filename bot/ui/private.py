"""Private tasks: the interactions that can still answer their requester, only to them.

A private task's status is the ephemeral answer to its command, which only that interaction's
token can edit, and only for 15 minutes. The token is kept here, in memory only (it is a
credential and is worthless after a restart anyway), so the tracker's status edits and the
DM-refused fallback of the delivery can reach the member while it lives.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

# Discord keeps an interaction token for 15 minutes; a margin keeps us from racing its end.
TOKEN_LIFETIME_S = 15 * 60 - 30


class PrivateReplies:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._interactions: dict[str, tuple[discord.Interaction, float]] = {}

    def remember(self, task_id: str, interaction: discord.Interaction) -> None:
        self._interactions[task_id] = (interaction, self._clock() + TOKEN_LIFETIME_S)

    def interaction_for(self, task_id: str) -> discord.Interaction | None:
        entry = self._interactions.get(task_id)
        if entry is None:
            return None
        interaction, expires_at = entry
        if self._clock() >= expires_at:
            del self._interactions[task_id]
            return None
        return interaction

    def forget(self, task_id: str) -> None:
        self._interactions.pop(task_id, None)

    async def edit_status(self, task_id: str, **fields: Any) -> bool:
        """Edit the private status answer while its token lives; False when it cannot."""
        interaction = self.interaction_for(task_id)
        if interaction is None:
            return False
        try:
            await interaction.edit_original_response(**fields)
        except discord.HTTPException as error:
            log.info("private status of task %s not edited: %s", task_id, error)
            return False
        return True

    async def send(self, task_id: str, **fields: Any) -> discord.WebhookMessage | None:
        """An ephemeral follow-up to the requester while the token lives; None when it cannot."""
        interaction = self.interaction_for(task_id)
        if interaction is None:
            return None
        try:
            return await interaction.followup.send(ephemeral=True, wait=True, **fields)
        except discord.HTTPException as error:
            log.warning("private follow-up of task %s failed: %s", task_id, error)
            return None
