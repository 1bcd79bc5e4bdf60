"""The cast library's Discord side: files fetched from Discord's CDN through discord.py, links
renewed, the bot's copy messages posted and read back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord

from bot.cast.library import CopyGone, CopyNote, CopyTrouble
from bot.messages import cast as cast_text
from bot.store.cast import CastCopy
from bot.ui.attachments import renewed_urls
from bot.ui.replies import NO_PINGS

log = logging.getLogger(__name__)

# Discord's own answers that mean the channel or message is not there for the bot.
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
FILE_TOO_LARGE = 40005


class DiscordCastDesk:
    """A `CastDesk` (bot/cast/library.py) on a discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def download(self, url: str) -> bytes | None:
        try:
            data: bytes = await self._client.http.get_from_cdn(url)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
            log.warning("a cast file could not be fetched from Discord: %s", type(error).__name__)
            return None
        return data

    async def refresh(self, urls: Sequence[str]) -> dict[str, str]:
        renewed = await renewed_urls(self._client, urls)
        return renewed if isinstance(renewed, dict) else {}

    async def post_copy(
        self, channel_id: int, path: Path, filename: str, note: CopyNote
    ) -> CastCopy | CopyTrouble:
        channel = self._client.get_partial_messageable(channel_id)
        try:
            file = await asyncio.to_thread(discord.File, path, filename=filename)
        except OSError:
            log.exception("the kept cast file %s could not be read", path)
            return CopyTrouble.UNAVAILABLE
        try:
            message = await channel.send(
                cast_text.copy_caption(note), file=file, allowed_mentions=NO_PINGS
            )
        except discord.Forbidden:
            return CopyTrouble.FORBIDDEN
        except discord.NotFound:
            return CopyTrouble.CHANNEL_GONE
        except discord.HTTPException as error:
            if error.code == FILE_TOO_LARGE or error.status == 413:
                return CopyTrouble.TOO_LARGE
            log.warning("a cast copy could not be posted: %s %s", error.status, error.code)
            return CopyTrouble.UNAVAILABLE
        except (aiohttp.ClientError, TimeoutError):
            return CopyTrouble.UNAVAILABLE
        finally:
            file.close()
        attachment = message.attachments[0]
        return CastCopy(channel_id, message.id, attachment.filename, attachment.url)

    async def fetch_copy(self, copy: CastCopy) -> str | CopyGone | CopyTrouble:
        channel = self._client.get_partial_messageable(copy.channel_id)
        try:
            message = await channel.fetch_message(copy.message_id)
        except (discord.NotFound, discord.Forbidden):
            # Deleted, its channel deleted, or hidden from the bot: to the bot it is gone.
            return CopyGone()
        except discord.HTTPException as error:
            log.warning("a cast copy could not be read: %s %s", error.status, error.code)
            return CopyTrouble.UNAVAILABLE
        except (aiohttp.ClientError, TimeoutError):
            return CopyTrouble.UNAVAILABLE
        found = next((a for a in message.attachments if a.filename == copy.filename), None)
        return CopyGone() if found is None else found.url
