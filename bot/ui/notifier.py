"""The tracker's voice in Discord: edits the status message and posts the final result.

Everything goes through the bot's own channel endpoints (bot token), never the interaction
webhook, whose token dies 15 minutes after the command while videos can take longer. The video
comes only from the `VideoPipeline` (checked hosts, streamed to a kept file, fitted under the
server's upload limit); there is no other download path.

One `deliver` call is one attempt, answered as a `DeliveryOutcome` value (see
`bot.tracking.delivery`); the tracker decides when to try again. Exactly once: the attempt is
recorded (time and nonce) before the post, and an attempt found recorded at the next call is
looked for in the channel's history by time before anything is posted again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, assert_never

import aiohttp
import discord

from bot.generation.text import shorten
from bot.messages import delivery as text
from bot.messages import features as features_text
from bot.messages.tasks import ending_text, submitted
from bot.service import Progress
from bot.store.records import Ending, TaskRecord
from bot.tracking.delivery import (
    Delivered,
    DeliveryOutcome,
    Lasting,
    NotYet,
    Passing,
    Place,
    Redirected,
    Undeliverable,
    discord_failure,
    link_expires_at,
)
from bot.ui.embeds import result_embed, task_embed
from bot.ui.private import PrivateReplies
from bot.ui.views import result_buttons, status_buttons, status_message, video_file
from bot.video.pipeline import (
    Broken,
    CannotFit,
    Fetched,
    Fitted,
    Refused,
    Transient,
    Unavailable,
    VideoPipeline,
)

log = logging.getLogger(__name__)

# Discord's upload limit without boosts: for DMs, and a guild the cache does not know.
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
# The earlier post is looked for from a little before the recorded attempt (clocks differ) to
# well after it (a large upload takes a while, and Discord stamps the message when it is done).
LOOK_BEFORE_S = 120.0
LOOK_AFTER_S = 15 * 60.0

# Records an attempt in the store before the post; returns the record as saved.
RecordAttempt = Callable[[TaskRecord], Awaitable[TaskRecord]]


@dataclass(frozen=True)
class _Post:
    """What one delivery posts: the text after the mention, a note in the embed, the file."""

    record: TaskRecord
    text: str
    note: str | None
    file: Path | None


def _over_dm_limit(path: Path) -> bool:
    """Whether the file is larger than a DM takes (one local stat)."""
    return path.stat().st_size > DEFAULT_UPLOAD_LIMIT


class DiscordNotifier:
    def __init__(
        self,
        client: discord.Client,
        videos: VideoPipeline,
        *,
        private: PrivateReplies | None = None,
        can_cancel: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._videos = videos
        self._private = private or PrivateReplies()
        self._can_cancel = can_cancel
        self._clock = clock
        # What the status can promise (set by the composition root to the service's).
        self.progress: Callable[[TaskRecord], Progress] = lambda _record: Progress()

    async def status_changed(self, record: TaskRecord) -> TaskRecord:
        # Posted long after the command: in the language the requester was answered in.
        embed, view = status_message(
            record.locale, record, self.progress(record), can_cancel=self._can_cancel
        )
        if record.private:
            # Only the requester's own answer shows it, while its token lives.
            await self._private.edit_status(record.task_id, embed=embed, view=view)
            return record
        return await self._show_status(record, embed, view)

    async def deliver(self, record: TaskRecord, record_attempt: RecordAttempt) -> DeliveryOutcome:
        """One attempt to post the task's final message (video, link or explanation of its
        ending) in its channel, else by DM to the requester, else a note on the status message.
        A private task goes to its requester only."""
        if record.private:
            return await self._deliver_privately(record)
        channel = self._client.get_partial_messageable(record.channel_id, guild_id=record.guild_id)
        if record.result_message_id is not None:
            return Delivered(record, Place.CHANNEL)
        if record.delivery_attempt_at is not None:
            found = await self._find_earlier_post(channel, record)
            if isinstance(found, NotYet):
                return found  # cannot tell whether it was posted: posting now could post twice
            if found is not None:
                log.info("task %s was already delivered as message %s", record.task_id, found)
                return await self._delivered(replace(record, result_message_id=found))

        prepared = await self._prepare(record)
        if isinstance(prepared, NotYet):
            await self._show_being_delivered(prepared.record)
            return prepared
        record = await record_attempt(
            replace(
                prepared.record,
                delivery_attempt_at=self._clock(),
                delivery_nonce=prepared.record.delivery_nonce or secrets.token_hex(12),
            )
        )
        post = replace(prepared, record=record)
        try:
            message = await self._send(channel, post, reply=True)
        except discord.HTTPException as error:
            # A 4xx means nothing was posted: no history to search next time. A 5xx may come
            # after the message was made, so the recorded attempt stays to be looked for.
            if error.status < 500:
                record = replace(record, delivery_attempt_at=None)
            match discord_failure(error.status, error.code):
                case Passing(reason):
                    log.warning("posting task %s failed: %s", record.task_id, reason)
                    await self._show_being_delivered(record)
                    return self._not_yet(record, reason)
                case Lasting(reason):
                    log.warning("posting task %s refused: %s", record.task_id, reason)
                    return await self._fall_back(replace(post, record=record), reason)
                case unreachable:
                    assert_never(unreachable)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            # The post may or may not have been made: the recorded attempt decides next time.
            no_answer = self._no_answer(record, error)
            log.warning("posting task %s failed: %s", record.task_id, no_answer.reason)
            return no_answer
        return await self._delivered(replace(record, result_message_id=message.id))

    # -- what is posted ----------------------------------------------------------------------

    async def _prepare(self, record: TaskRecord) -> _Post | NotYet:
        """The final message's parts; the video fetched (once, kept) and fitted to the limit."""
        record = replace(record, upload_limit=self._channel_limit(record))
        if record.ending is not Ending.SUCCEEDED or not record.video_url:
            return _Post(record, ending_text(record.locale, record), None, None)
        url = record.video_url
        link_end = link_expires_at(record)
        fetched = await self._videos.fetch(record.task_id, url)
        match fetched:
            case Fetched():
                pass
            case Transient(reason):
                if self._clock() < link_end:
                    return NotYet(record, f"video not fetched yet: {reason}", link_end)
                return self._ended(record, Ending.VIDEO_GONE)
            case Refused() | Unavailable():
                return self._ended(record, Ending.VIDEO_GONE)
            case Broken():
                return self._ended(record, Ending.BAD_VIDEO)
            case _:
                assert_never(fetched)
        limit = record.upload_limit or DEFAULT_UPLOAD_LIMIT
        fitted = await self._videos.fit(record.task_id, limit)
        live_url = url if self._clock() < link_end else None
        match fitted:
            case Fitted(path, size, reencoded, scaled):
                note = None
                if reencoded:
                    original = fetched.info.size_bytes
                    note = text.reencoded_to_fit(
                        record.locale, live_url, int(link_end), original, size, limit, scaled=scaled
                    )
                return _Post(record, ending_text(record.locale, record), note, path)
            case CannotFit(reason):
                log.warning(
                    "video of task %s cannot fit %d bytes: %s", record.task_id, limit, reason
                )
                size = fetched.info.size_bytes
                note = text.over_upload_limit(record.locale, live_url, int(link_end), size, limit)
                return _Post(record, text.video_as_link(record.locale), note, None)
            case _:
                assert_never(fitted)

    def _ended(self, record: TaskRecord, ending: Ending) -> _Post:
        log.warning("task %s: the video cannot be posted (%s)", record.task_id, ending.value)
        ended = replace(record, ending=ending)
        return _Post(ended, ending_text(ended.locale, ended), None, None)

    def _channel_limit(self, record: TaskRecord) -> int:
        """The bot's own upload limit in the task's channel, read from the cached guild now (a
        server can lose its boost while a video is made)."""
        guild = self._client.get_guild(record.guild_id) if record.guild_id else None
        if guild is not None:
            return guild.filesize_limit
        return record.upload_limit or DEFAULT_UPLOAD_LIMIT

    def _still_postable_until(self, record: TaskRecord) -> float:
        """Posting may be retried while what is posted can still be had: the kept file while it
        is kept, else the API's link."""
        link_end = link_expires_at(record)
        if record.ending is not Ending.SUCCEEDED or not self._videos.keeper.has(record.task_id):
            return link_end
        keep_days = self._videos.settings.keep_days
        if keep_days == 0:
            return float("inf")
        try:
            kept_at = self._videos.keeper.path_for(record.task_id).stat().st_mtime
        except OSError:  # pruned meanwhile
            return link_end
        return max(link_end, kept_at + keep_days * 86400)

    def _not_yet(self, record: TaskRecord, reason: str) -> NotYet:
        """Trouble that can pass: try again while what is posted can still be had."""
        return NotYet(record, reason, self._still_postable_until(record))

    def _no_answer(self, record: TaskRecord, error: Exception) -> NotYet:
        """Discord did not answer (connection error or timeout): try again."""
        return self._not_yet(record, f"no answer from Discord ({type(error).__name__})")

    async def _send(
        self, channel: discord.abc.Messageable, post: _Post, *, reply: bool
    ) -> discord.Message:
        record = post.record
        extras: dict[str, Any] = {}
        if reply and record.status_message_id:
            extras["reference"] = discord.MessageReference(
                message_id=record.status_message_id,
                channel_id=record.channel_id,
                fail_if_not_exists=False,
            )
        if record.delivery_nonce:
            extras["nonce"] = record.delivery_nonce
        if post.file is not None:
            extras["file"] = video_file(post.file, record.task_id)
        return await channel.send(
            content=shorten(f"<@{record.requester_id}> {post.text}", 2000),
            embed=result_embed(record.locale, record, note=post.note),
            **extras,
            allowed_mentions=discord.AllowedMentions(
                everyone=False,
                roles=False,
                users=[discord.Object(record.requester_id)],
                replied_user=False,
            ),
            view=result_buttons(record.locale, record, deletable=reply),
        )

    # -- a private task -----------------------------------------------------------------------

    async def _deliver_privately(self, record: TaskRecord) -> DeliveryOutcome:
        """By DM; when the requester's DMs are closed, as an ephemeral follow-up of their
        command while its token lives; else the result waits for their `/r2v status`."""
        prepared = await self._prepare(record)
        if isinstance(prepared, NotYet):
            return prepared
        record, locale = prepared.record, prepared.record.locale
        path = prepared.file
        if path is not None:
            path = await self._fit_for_dm(record.task_id, path)
        if path is not None:
            content = features_text.private_video_ready(locale, record.task_id)
        else:
            content = features_text.private_ending(locale, record.task_id, prepared.text)
        embed = result_embed(locale, record, note=prepared.note)

        def video() -> dict[str, Any]:
            if path is None:
                return {}
            return {"file": video_file(path, record.task_id)}

        try:
            dm = await self._client.create_dm(discord.Object(record.requester_id))
            message = await dm.send(content=shorten(content, 2000), embed=embed, **video())
        except discord.HTTPException as error:
            failure = discord_failure(error.status, error.code)
            if isinstance(failure, Passing):
                return self._not_yet(record, failure.reason)
            log.info("task %s: no DM to its requester: %s", record.task_id, failure.reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return self._no_answer(record, error)
        else:
            self._private.forget(record.task_id)
            return Delivered(replace(record, result_message_id=message.id), Place.DM)
        followup = await self._private.send(
            record.task_id,
            content=shorten(f"{content}\n{features_text.dms_closed(locale)}", 2000),
            embed=embed,
            view=result_buttons(locale, record, deletable=False),
            **video(),
        )
        if followup is None:
            log.warning("private result of task %s kept for /r2v status", record.task_id)
            return Redirected(record, "DMs closed and the command's token expired")
        self._private.forget(record.task_id)
        return Delivered(replace(record, result_message_id=followup.id), Place.CHANNEL)

    async def _fit_for_dm(self, task_id: str, path: Path) -> Path | None:
        """The video as a DM (or an ephemeral follow-up) takes it: refitted to Discord's default
        upload limit when it is over; None when it cannot fit."""
        if not _over_dm_limit(path):
            return path
        fitted = await self._videos.fit(task_id, DEFAULT_UPLOAD_LIMIT)
        return fitted.path if isinstance(fitted, Fitted) else None

    # -- when the channel will not take it ---------------------------------------------------

    async def _fall_back(self, post: _Post, reason: str) -> DeliveryOutcome:
        """The channel refuses for good: a DM to the requester with the result, else a note on
        the status message saying where to fetch it."""
        record = post.record
        dm_post = post
        if post.file is not None:
            dm_post = replace(post, file=await self._fit_for_dm(record.task_id, post.file))
        try:
            dm = await self._client.create_dm(discord.Object(record.requester_id))
            dm_post = replace(dm_post, text=f"{post.text}\n{text.sent_by_dm(record.locale)}")
            message = await self._send(dm, dm_post, reply=False)
        except discord.HTTPException as error:
            dm_failure = discord_failure(error.status, error.code)
            if isinstance(dm_failure, Passing):
                return self._not_yet(record, dm_failure.reason)
            log.warning("task %s: no DM to its requester: %s", record.task_id, dm_failure.reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return self._no_answer(record, error)
        else:
            delivered = replace(record, result_message_id=message.id)
            await self._show_final_status(delivered)
            return Delivered(delivered, Place.DM)
        note = text.fetch_it_with_status(record.locale, record.task_id)
        if await self._show_final_status(record, note=note):
            return Redirected(record, reason)
        return Undeliverable(record, reason)

    async def _find_earlier_post(
        self, channel: discord.PartialMessageable, record: TaskRecord
    ) -> int | NotYet | None:
        """The result this bot posted at the recorded attempt, if any (a crash between posting
        and recording it). Found by time, not by count: the channel is paged from just before
        the attempt to well after it, however many messages others posted since. The task id
        is in the result embed's footer, in whichever language it was posted."""
        assert record.delivery_attempt_at is not None
        at = record.delivery_attempt_at
        after = dt.datetime.fromtimestamp(at - LOOK_BEFORE_S, dt.UTC)
        before = dt.datetime.fromtimestamp(at + LOOK_AFTER_S, dt.UTC)
        me = getattr(self._client.user, "id", None)
        try:
            async for message in channel.history(
                limit=None, after=after, before=before, oldest_first=True
            ):
                if message.author.id != me:
                    continue
                if any(record.task_id in (embed.footer.text or "") for embed in message.embeds):
                    return message.id
        except discord.HTTPException as error:
            failure = discord_failure(error.status, error.code)
            if isinstance(failure, Passing):
                return self._not_yet(record, failure.reason)
            # The channel is closed to the bot: the post that follows fails the same way and
            # goes to the fallback, which cannot double a channel post.
            log.warning("could not read history of channel %s: %s", record.channel_id, error)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return self._no_answer(record, error)
        return None

    # -- the status message ------------------------------------------------------------------

    async def _delivered(self, record: TaskRecord) -> Delivered:
        await self._show_final_status(record)
        return Delivered(record, Place.CHANNEL)

    async def _show_final_status(self, record: TaskRecord, *, note: str | None = None) -> bool:
        """The status message shows the final state too, without its Refresh button; with
        `note`, it says where the result can be fetched. True when the edit was made."""
        content = note or (submitted(record.locale, record) if record.delivery_attempts else None)
        return await self._edit_status(record, content)

    async def _show_being_delivered(self, record: TaskRecord) -> None:
        if record.ending is Ending.SUCCEEDED:
            await self._edit_status(record, text.being_delivered(record.locale, record.task_id))

    async def _edit_status(self, record: TaskRecord, content: str | None) -> bool:
        if not record.status_message_id:
            return False
        channel = self._client.get_partial_messageable(record.channel_id, guild_id=record.guild_id)
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        try:
            await channel.get_partial_message(record.status_message_id).edit(
                embed=task_embed(record.locale, record),
                view=status_buttons(record.locale, record),
                allowed_mentions=discord.AllowedMentions.none(),
                **changes,
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.info("could not edit the status message of task %s: %s", record.task_id, error)
            return False
        return True

    async def _show_status(
        self,
        record: TaskRecord,
        embed: discord.Embed,
        view: discord.ui.View,
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
        message = await channel.send(
            embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
        )
        return replace(record, status_message_id=message.id)
