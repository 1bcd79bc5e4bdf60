"""The tracker's voice in Discord: edits the status message and posts the final result.

Everything goes through the bot's own channel endpoints (bot token), never the interaction
webhook, whose token dies 15 minutes after the command while videos can take longer.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import replace
from typing import Any

import discord

from bot.api.client import BailianClient
from bot.api.errors import ApiConnectionError, ApiError
from bot.generation.text import shorten
from bot.messages.delivery import could_not_fetch, over_upload_limit, video_as_link
from bot.messages.tasks import ending_text
from bot.store.records import Ending, TaskRecord
from bot.ui.embeds import result_embed, task_embed
from bot.ui.views import task_buttons

log = logging.getLogger(__name__)

# Discord's default upload limit, used when the interaction's own limit was not recorded.
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
VIDEO_URL_LIFETIME_S = 24 * 3600


def delivery_nonce(task_id: str) -> str:
    """The same nonce for every attempt to deliver a task: with `enforce_nonce` Discord then
    returns the first message instead of posting a second one."""
    return "r2v" + hashlib.sha256(task_id.encode()).hexdigest()[:22]


class DiscordNotifier:
    def __init__(self, client: discord.Client, api: BailianClient) -> None:
        self._client = client
        self._api = api

    async def status_changed(self, record: TaskRecord) -> TaskRecord:
        # Posted long after the command: in the language the requester was answered in.
        embed = task_embed(record.locale, record)
        view = task_buttons(record.locale, record.task_id, active=record.is_active)
        return await self._show_status(record, embed, view)

    async def deliver(self, record: TaskRecord) -> TaskRecord:
        channel = self._client.get_partial_messageable(record.channel_id, guild_id=record.guild_id)
        existing = await self._find_delivered(channel, record)
        if existing is not None:
            log.info("task %s was already delivered as message %s", record.task_id, existing)
            return replace(record, result_message_id=existing)

        final_note = None
        file: discord.File | None = None
        locale = record.locale
        text = ending_text(locale, record)
        if record.ending is Ending.SUCCEEDED and record.video_url:
            file, final_note = await self._fetch_video(record)
            if file is None:
                text = video_as_link(locale)
        content = f"<@{record.requester_id}> {text}"

        embed = result_embed(locale, record, note=final_note)
        extras: dict[str, Any] = {}
        if file is not None:
            extras["file"] = file
        if record.status_message_id:
            extras["reference"] = discord.MessageReference(
                message_id=record.status_message_id,
                channel_id=record.channel_id,
                fail_if_not_exists=False,
            )
        message = await channel.send(
            content=shorten(content, 2000),
            embed=embed,
            **extras,
            allowed_mentions=discord.AllowedMentions(
                everyone=False,
                roles=False,
                users=[discord.Object(record.requester_id)],
                replied_user=False,
            ),
            nonce=delivery_nonce(record.task_id),
            view=task_buttons(locale, record.task_id, active=False),
        )
        delivered = replace(record, result_message_id=message.id)
        # The status message shows the final state too, without its Refresh button.
        await self._show_status(
            delivered,
            task_embed(locale, delivered),
            task_buttons(locale, record.task_id, active=False),
            create=False,
        )
        return delivered

    async def _fetch_video(self, record: TaskRecord) -> tuple[discord.File | None, str | None]:
        assert record.video_url
        limit = record.upload_limit or DEFAULT_UPLOAD_LIMIT
        expires = int((record.finished_at or time.time()) + VIDEO_URL_LIFETIME_S)
        try:
            download = await self._api.download(record.video_url, max_bytes=limit)
        except ApiConnectionError:
            raise  # passing network trouble: the tracker retries the delivery
        except ApiError as error:
            log.warning("video of task %s could not be fetched: %s", record.task_id, error)
            return None, could_not_fetch(record.locale, record.video_url, expires)
        if download.too_large or download.data is None:
            return None, over_upload_limit(
                record.locale, record.video_url, expires, download.size, limit
            )
        filename = f"r2v-{record.task_id[:8]}.mp4"
        return discord.File(io.BytesIO(download.data), filename=filename), None

    async def _find_delivered(
        self, channel: discord.PartialMessageable, record: TaskRecord
    ) -> int | None:
        """A result message this bot already posted for the task (a restart between posting
        and recording it), found by the task ID in its embed footer."""
        if record.result_message_id:
            return record.result_message_id
        if not record.status_message_id:
            return None
        try:
            async for message in channel.history(
                limit=50, after=discord.Object(record.status_message_id)
            ):
                if message.author.id != getattr(self._client.user, "id", None):
                    continue
                if any(record.task_id in (embed.footer.text or "") for embed in message.embeds):
                    return message.id
        except discord.HTTPException as error:
            log.warning("could not read history of channel %s: %s", record.channel_id, error)
        return None

    async def _show_status(
        self,
        record: TaskRecord,
        embed: discord.Embed,
        view: discord.ui.View,
        *,
        create: bool = True,
    ) -> TaskRecord:
        channel = self._client.get_partial_messageable(record.channel_id, guild_id=record.guild_id)
        if record.status_message_id:
            try:
                await channel.get_partial_message(record.status_message_id).edit(
                    embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
                )
                return record
            except discord.NotFound:
                log.info("status message of task %s is gone; posting a new one", record.task_id)
        if not create:
            return record
        message = await channel.send(
            embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
        )
        return replace(record, status_message_id=message.id)
