"""Renewing Discord's signed attachment URLs, which expire about 24 h after they were issued.

What went wrong is told apart, so a member is told what actually failed: Discord refused the
renewal, Discord did not answer (try again later), or Discord answered without a fresh link for
some files (deleted since, or an answer the bot cannot read)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from discord.http import Route

from bot.generation.request import GenerationRequest, is_discord_attachment

log = logging.getLogger(__name__)

# At most this many links in one refresh-urls request.
REFRESH_BATCH = 50


@dataclass(frozen=True)
class LinksRefused:
    """Discord refused to renew the links (a 4xx answer): asking again will not help."""

    status: int


@dataclass(frozen=True)
class DiscordUnavailable:
    """Discord did not answer, or failed (5xx, 429): later it may."""


@dataclass(frozen=True)
class LinksMissing:
    """Discord answered without a fresh link for these files (by name)."""

    names: tuple[str, ...]


RenewOutcome = GenerationRequest | LinksRefused | DiscordUnavailable | LinksMissing


class AttachmentRefresher:
    """Asks Discord for fresh URLs of the request's attached files (links stay as they are)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def renew(self, request: GenerationRequest) -> RenewOutcome:
        """The request with fresh URLs for its Discord attachments, or what went wrong."""
        attached = [ref for ref in request.references if is_discord_attachment(ref)]
        if not attached:
            return request
        renewed = await renewed_urls(self._client, [ref.url for ref in attached])
        if isinstance(renewed, LinksRefused | DiscordUnavailable):
            return renewed
        missing = tuple(ref.name for ref in attached if ref.url not in renewed)
        if missing:
            # The refresh endpoint is undocumented: what it leaves out cannot be used.
            log.warning("Discord gave no fresh link for %d attached file(s)", len(missing))
            return LinksMissing(missing)
        return request.with_reference_urls(
            [renewed.get(ref.url, ref.url) for ref in request.references]
        )


async def renewed_urls(
    client: discord.Client, urls: Sequence[str]
) -> dict[str, str] | LinksRefused | DiscordUnavailable:
    """Fresh links for Discord attachment links (`POST /attachments/refresh-urls`, at most
    REFRESH_BATCH a request), by original; a link Discord leaves out is not in the answer."""
    renewed: dict[str, str] = {}
    for start in range(0, len(urls), REFRESH_BATCH):
        batch = list(urls[start : start + REFRESH_BATCH])
        try:
            answer: Any = await client.http.request(
                Route("POST", "/attachments/refresh-urls"), json={"attachment_urls": batch}
            )
        except discord.HTTPException as error:
            log.warning("attachment URLs could not be renewed: HTTP %s", error.status)
            if error.status >= 500 or error.status == 429:
                return DiscordUnavailable()
            return LinksRefused(error.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("attachment URLs could not be renewed: %s", type(error).__name__)
            return DiscordUnavailable()
        renewed |= _renewed_urls(answer)
    return renewed


def _renewed_urls(answer: Any) -> dict[str, str]:
    """The fresh link of each original in an answer of refresh-urls; what cannot be read is
    left out."""
    items = answer.get("refreshed_urls") if isinstance(answer, dict) else None
    renewed: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        original, fresh = item.get("original"), item.get("refreshed")
        if isinstance(original, str) and isinstance(fresh, str) and fresh:
            renewed[original] = fresh
    return renewed
