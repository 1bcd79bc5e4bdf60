"""The tracker's voice in Discord: edits the status message and posts the final result.

Everything goes through the bot's own channel endpoints (bot token), never the interaction
webhook, whose token dies 15 minutes after the command while videos can take longer. What the
result holds (the fitted video, only its link, or no video and why) is decided by the
`ResultPreparer` before anything is posted; this module renders it and posts it.

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
from typing import Any, TypeVar, assert_never

import aiohttp
import discord

from bot.generation.text import shorten
from bot.messages import delivery as text
from bot.messages import features as features_text
from bot.messages.tasks import ending_text, submitted
from bot.store.records import Ending, TaskRecord
from bot.tracking.delivery import (
    Delivered,
    DeliveryOutcome,
    Failure,
    Lasting,
    NotYet,
    Passing,
    Place,
    Redirected,
    Undeliverable,
    discord_failure,
)
from bot.tracking.progress import Progress
from bot.tracking.result import LinkOnly, NoVideo, Result, ResultPreparer, VideoReady
from bot.ui.embeds import result_embed, task_embed
from bot.ui.private import PrivateReplies
from bot.ui.views import result_buttons, status_buttons, status_message, video_file

log = logging.getLogger(__name__)

# Discord's upload limit without boosts: for DMs, and a guild the cache does not know.
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
# The earlier post is looked for from a little before the recorded attempt (clocks differ) to
# well after it (a large upload takes a while, and Discord stamps the message when it is done).
LOOK_BEFORE_S = 120.0
LOOK_AFTER_S = 15 * 60.0

# Records an attempt in the store before the post; returns the record as saved.
RecordAttempt = Callable[[TaskRecord], Awaitable[TaskRecord]]

T = TypeVar("T")


@dataclass(frozen=True)
class _Post:
    """What one delivery posts: the text after the mention, a note in the embed, the file."""

    record: TaskRecord
    text: str
    note: str | None
    file: Path | None


@dataclass(frozen=True)
class _Failed:
    """A Discord call that did not go through: what it means for delivery, and Discord's HTTP
    status (None when Discord did not answer, and the call may or may not have taken effect)."""

    failure: Failure
    status: int | None

    @property
    def nothing_made(self) -> bool:
        """A 4xx: Discord made nothing of the request. A 5xx may come after it was made."""
        return self.status is not None and self.status < 500


async def _discord(call: Awaitable[T]) -> T | _Failed:
    """The one place where Discord's failures become values."""
    try:
        return await call
    except discord.HTTPException as error:
        return _Failed(discord_failure(error.status, error.code), error.status)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return _Failed(Passing(f"no answer from Discord ({type(error).__name__})"), None)


def _post_of(result: Result) -> _Post:
    """The result message's parts, in the requester's language."""
    record = result.record
    locale = record.origin.locale
    match result:
        case VideoReady(_, path, limit, refit, live_url, link_end):
            note = None
            if refit is not None:
                note = text.reencoded_to_fit(
                    locale,
                    live_url,
                    int(link_end),
                    refit.original_bytes,
                    refit.fitted_bytes,
                    limit,
                    scaled=refit.scaled,
                )
            return _Post(record, ending_text(locale, record), note, path)
        case LinkOnly(_, size, limit, live_url, link_end, stored):
            if stored:
                note = text.over_upload_limit(locale, live_url, int(link_end), size, limit)
            else:
                note = text.not_stored(locale, live_url, int(link_end))
            return _Post(record, text.video_as_link(locale), note, None)
        case NoVideo():
            return _Post(record, ending_text(locale, record), None, None)
        case _:
            assert_never(result)


class DiscordNotifier:
    def __init__(
        self,
        client: discord.Client,
        results: ResultPreparer,
        *,
        private: PrivateReplies | None = None,
        can_cancel: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._results = results
        self._private = private or PrivateReplies()
        self._can_cancel = can_cancel
        self._clock = clock

    async def status_changed(self, record: TaskRecord, progress: Progress) -> TaskRecord:
        # Posted long after the command: in the language the requester was answered in.
        embed, view = status_message(
            record.origin.locale, record, progress, can_cancel=self._can_cancel
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
        channel = self._channel(record)
        if record.result_message_id is not None:
            return Delivered(record, Place.CHANNEL)
        if record.delivery_attempt_at is not None:
            found = await self._find_earlier_post(channel, record)
            if isinstance(found, NotYet):
                return found  # cannot tell whether it was posted: posting now could post twice
            if found is not None:
                log.info("task %s was already delivered as message %s", record.task_id, found)
                return await self._delivered(replace(record, result_message_id=found))

        prepared = await self._results.prepare(record, self._channel_limit(record))
        if isinstance(prepared, NotYet):
            await self._show_being_delivered(prepared.record)
            return prepared
        post = _post_of(prepared)
        record = await record_attempt(
            replace(
                post.record,
                delivery_attempt_at=self._clock(),
                delivery_nonce=post.record.delivery_nonce or secrets.token_hex(12),
            )
        )
        post = replace(post, record=record)
        sent = await _discord(self._send(channel, post, reply=True))
        if not isinstance(sent, _Failed):
            delivered = replace(record, result_message_id=sent.id)
            return await self._delivered(delivered, as_link=isinstance(prepared, LinkOnly))
        if sent.nothing_made:
            # Nothing was posted: no history to search next time. Otherwise the recorded
            # attempt stays, to be looked for.
            record = replace(record, delivery_attempt_at=None)
        if sent.status is None:
            log.warning("posting task %s failed: %s", record.task_id, sent.failure.reason)
            return self._not_yet(record, sent.failure.reason)
        match sent.failure:
            case Passing(reason):
                log.warning("posting task %s failed: %s", record.task_id, reason)
                await self._show_being_delivered(record)
                return self._not_yet(record, reason)
            case Lasting(reason):
                log.warning("posting task %s refused: %s", record.task_id, reason)
                return await self._fall_back(replace(post, record=record), reason)
            case unreachable:
                assert_never(unreachable)

    # -- what is posted ----------------------------------------------------------------------

    def _channel(self, record: TaskRecord) -> discord.PartialMessageable:
        origin = record.origin
        return self._client.get_partial_messageable(origin.channel_id, guild_id=origin.guild_id)

    def _channel_limit(self, record: TaskRecord) -> int:
        """The bot's own upload limit in the task's channel, read from the cached guild now (a
        server can lose its boost while a video is made)."""
        guild_id = record.origin.guild_id
        guild = self._client.get_guild(guild_id) if guild_id else None
        if guild is not None:
            return guild.filesize_limit
        return record.upload_limit or DEFAULT_UPLOAD_LIMIT

    def _not_yet(self, record: TaskRecord, reason: str) -> NotYet:
        """Trouble that can pass: try again while what is posted can still be had."""
        return NotYet(record, reason, self._results.postable_until(record))

    async def _send(
        self, channel: discord.abc.Messageable, post: _Post, *, reply: bool
    ) -> discord.Message:
        record = post.record
        extras: dict[str, Any] = {}
        if reply and record.status_message_id:
            extras["reference"] = discord.MessageReference(
                message_id=record.status_message_id,
                channel_id=record.origin.channel_id,
                fail_if_not_exists=False,
            )
        if record.delivery_nonce:
            extras["nonce"] = record.delivery_nonce
        if post.file is not None:
            extras["file"] = video_file(post.file, record.task_id)
        requester = record.origin.requester_id
        # The requester is called to their result, but not to the ending of their own action.
        pinged = [] if record.cancelled_by == requester else [discord.Object(requester)]
        content = f"<@{requester}> {post.text}" if pinged else post.text
        return await channel.send(
            content=shorten(content, 2000),
            embed=result_embed(record.origin.locale, record, note=post.note),
            **extras,
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=pinged, replied_user=False
            ),
            view=result_buttons(record.origin.locale, record, deletable=reply),
        )

    # -- a private task -----------------------------------------------------------------------

    async def _deliver_privately(self, record: TaskRecord) -> DeliveryOutcome:
        """By DM; when the requester's DMs are closed, as an ephemeral follow-up of their
        command while its token lives; else the result waits for their `/r2v status`."""
        prepared = await self._results.prepare(record, self._channel_limit(record))
        if isinstance(prepared, NotYet):
            return prepared
        post = _post_of(prepared)
        record, locale = post.record, post.record.origin.locale
        path = post.file
        if path is not None:
            path = await self._results.within(record.task_id, path, DEFAULT_UPLOAD_LIMIT)
        if path is not None:
            content = features_text.private_video_ready(locale, record.task_id)
        else:
            content = features_text.private_ending(locale, record.task_id, post.text)
        embed = result_embed(locale, record, note=post.note)

        def video() -> dict[str, Any]:
            if path is None:
                return {}
            return {"file": video_file(path, record.task_id)}

        # The same buttons as the private follow-up's (Delete is for posts others see).
        buttons = result_buttons(locale, record, deletable=False)
        sent = await _discord(
            self._in_dm(
                record,
                lambda dm: dm.send(
                    content=shorten(content, 2000), embed=embed, view=buttons, **video()
                ),
            )
        )
        if not isinstance(sent, _Failed):
            self._private.forget(record.task_id)
            return Delivered(replace(record, result_message_id=sent.id), Place.DM, path is None)
        if isinstance(sent.failure, Passing):
            return self._not_yet(record, sent.failure.reason)
        log.info("task %s: no DM to its requester: %s", record.task_id, sent.failure.reason)
        followup = await self._private.send(
            record.task_id,
            content=shorten(f"{content}\n{features_text.dms_closed(locale)}", 2000),
            embed=embed,
            view=buttons,
            **video(),
        )
        if followup is None:
            log.warning("private result of task %s kept for /r2v status", record.task_id)
            return Redirected(record, "DMs closed and the command's token expired")
        self._private.forget(record.task_id)
        delivered = replace(record, result_message_id=followup.id)
        return Delivered(delivered, Place.FOLLOWUP, path is None)

    async def _in_dm(
        self, record: TaskRecord, send: Callable[[discord.DMChannel], Awaitable[discord.Message]]
    ) -> discord.Message:
        """`send` in the requester's DM channel."""
        dm = await self._client.create_dm(discord.Object(record.origin.requester_id))
        return await send(dm)

    # -- when the channel will not take it ---------------------------------------------------

    async def _fall_back(self, post: _Post, reason: str) -> DeliveryOutcome:
        """The channel refuses for good: a DM to the requester with the result, else a note on
        the status message saying where to fetch it."""
        record = post.record
        dm_post = replace(post, text=f"{post.text}\n{text.sent_by_dm(record.origin.locale)}")
        if post.file is not None:
            fitted = await self._results.within(record.task_id, post.file, DEFAULT_UPLOAD_LIMIT)
            dm_post = replace(dm_post, file=fitted)
        sent = await _discord(self._in_dm(record, lambda dm: self._send(dm, dm_post, reply=False)))
        if not isinstance(sent, _Failed):
            delivered = replace(record, result_message_id=sent.id)
            await self._show_final_status(delivered)
            return Delivered(delivered, Place.DM, dm_post.file is None)
        if isinstance(sent.failure, Passing):
            return self._not_yet(record, sent.failure.reason)
        log.warning("task %s: no DM to its requester: %s", record.task_id, sent.failure.reason)
        note = text.fetch_it_with_status(record.origin.locale, record.task_id)
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
        found = await _discord(self._earlier_post(channel, record))
        if not isinstance(found, _Failed):
            return found
        if isinstance(found.failure, Passing):
            return self._not_yet(record, found.failure.reason)
        # The channel is closed to the bot: the post that follows fails the same way and goes
        # to the fallback, which cannot double a channel post.
        log.warning(
            "could not read history of channel %s: %s",
            record.origin.channel_id,
            found.failure.reason,
        )
        return None

    async def _earlier_post(
        self, channel: discord.PartialMessageable, record: TaskRecord
    ) -> int | None:
        assert record.delivery_attempt_at is not None
        at = record.delivery_attempt_at
        after = dt.datetime.fromtimestamp(at - LOOK_BEFORE_S, dt.UTC)
        before = dt.datetime.fromtimestamp(at + LOOK_AFTER_S, dt.UTC)
        me = getattr(self._client.user, "id", None)
        async for message in channel.history(
            limit=None, after=after, before=before, oldest_first=True
        ):
            if message.author.id != me:
                continue
            if any(record.task_id in (embed.footer.text or "") for embed in message.embeds):
                return message.id
        return None

    # -- the status message ------------------------------------------------------------------

    async def _delivered(self, record: TaskRecord, *, as_link: bool = False) -> Delivered:
        await self._show_final_status(record)
        return Delivered(record, Place.CHANNEL, as_link)

    async def _show_final_status(self, record: TaskRecord, *, note: str | None = None) -> bool:
        """The status message shows the final state too, without its Refresh button; with
        `note`, it says where the result can be fetched. True when the edit was made."""
        locale = record.origin.locale
        content = note or (submitted(locale, record) if record.delivery_attempts else None)
        return await self._edit_status(record, content)

    async def _show_being_delivered(self, record: TaskRecord) -> None:
        if record.ending is Ending.SUCCEEDED:
            await self._edit_status(
                record, text.being_delivered(record.origin.locale, record.task_id)
            )

    async def _edit_status(self, record: TaskRecord, content: str | None) -> bool:
        if not record.status_message_id:
            return False
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        locale = record.origin.locale
        edited = await _discord(
            self._channel(record)
            .get_partial_message(record.status_message_id)
            .edit(
                embed=task_embed(locale, record),
                view=status_buttons(locale, record),
                allowed_mentions=discord.AllowedMentions.none(),
                **changes,
            )
        )
        if isinstance(edited, _Failed):
            log.info(
                "could not edit the status message of task %s: %s",
                record.task_id,
                edited.failure.reason,
            )
            return False
        return True

    async def _show_status(
        self,
        record: TaskRecord,
        embed: discord.Embed,
        view: discord.ui.View,
    ) -> TaskRecord:
        channel = self._channel(record)
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
