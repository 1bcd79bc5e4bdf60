"""Renewing Discord's signed attachment URLs, which expire about 24 h after they were issued."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.http import Route

from bot.generation.request import GenerationRequest, is_discord_attachment

log = logging.getLogger(__name__)


class AttachmentRefresher:
    """Asks Discord for fresh URLs of the request's attached files (links stay as they are)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def renew(self, request: GenerationRequest) -> GenerationRequest | None:
        """The request with fresh URLs, or None when Discord would not renew them."""
        try:
            return await self._renew(request)
        except (discord.HTTPException, KeyError, TypeError, ValueError) as error:
            # The refresh endpoint is undocumented: an unexpected answer counts as a refusal.
            log.warning("attachment URLs could not be renewed: %s", type(error).__name__)
            return None

    async def _renew(self, request: GenerationRequest) -> GenerationRequest:
        attached = [ref.url for ref in request.references if is_discord_attachment(ref)]
        if not attached:
            return request
        answer: Any = await self._client.http.request(
            Route("POST", "/attachments/refresh-urls"), json={"attachment_urls": attached}
        )
        renewed = {item["original"]: item["refreshed"] for item in answer["refreshed_urls"]}
        return request.with_reference_urls(
            [renewed.get(ref.url, ref.url) for ref in request.references]
        )
