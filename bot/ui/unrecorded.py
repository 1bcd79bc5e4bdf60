"""Submissions that may have been paid and were never recorded, told to their members.

A submission's hold is written to the store before anything is paid: it is the submission's
intent (`bot.store.types.Intent`). When its task never reaches the store and its member could
not be told at the time (the process was killed or stopped mid-submit, or the store failed as
the task was written and could not even note the answer), the intent stays open. At start, and
every `every_s` after, `UnrecordedNotices` finds the open intents no live process will finish
(`TaskStore.open_intents`: their process has no heartbeat any more) and tells each member
plainly what is known: the task may exist and may be billed, and it was not followed. In the
request's channel, mentioning only them, or by DM when the channel refuses; a private request by
DM first, and in the channel without what was asked. Each intent is claimed (`intent_told`)
before it is told, so that among several processes a member hears once; when every way failed
for now (Discord down), it is opened again for the next round.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final

import aiohttp
import discord

from bot.messages.unrecorded import unrecorded_later
from bot.observe.failure_log import FailureLog
from bot.store.protocol import TaskStore
from bot.store.types import OpenIntent
from bot.ui.replies import NO_PINGS

log = logging.getLogger(__name__)

# At most this long between two looks, however long the worker timeout.
MAX_EVERY_S: Final = 60.0


class _Attempt(enum.Enum):
    SENT = "sent"
    REFUSED = "refused"  # for good: no access, no such channel, DMs closed
    FAILED = "failed"  # for now: Discord or the network down


class UnrecordedNotices:
    def __init__(
        self,
        client: discord.Client,
        store: TaskStore,
        *,
        owner: str | None,
        worker_timeout_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`owner`: this process's worker id (None when it is alone on its store). An intent
        is another process's to finish while that process's heartbeat is younger than
        `worker_timeout_s`: it is looked for twice in that time."""
        self._client = client
        self._store = store
        self._owner = owner
        self._timeout_s = worker_timeout_s
        self._every_s = min(MAX_EVERY_S, max(0.5, worker_timeout_s / 2))
        self._clock = clock
        self._started_at = clock()
        self._loop: asyncio.Task[None] | None = None
        self._failures = FailureLog(log, "looking for unrecorded submissions")

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="r2v-unrecorded")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None

    async def tell_open(self) -> int:
        """One look: tell the member of every open intent no live process will finish;
        returns how many were told."""
        now = self._clock()
        found = await self._store.open_intents(self._owner, now - self._timeout_s, self._started_at)
        told = 0
        for open_intent in found:
            told += await self._tell(open_intent)
        return told

    async def _run(self) -> None:
        while True:
            try:
                await self.tell_open()
            except Exception as error:
                self._failures.failed(error)
            else:
                self._failures.succeeded()
            await asyncio.sleep(self._every_s)

    async def _tell(self, open_intent: OpenIntent) -> bool:
        if not await self._store.intent_told(open_intent.id, self._clock()):
            return False  # another process took it
        ways: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("in its channel", lambda: self._in_channel(open_intent, with_request=True)),
            ("by DM", lambda: self._by_dm(open_intent)),
        ]
        if open_intent.intent.private:
            ways = [
                ("by DM", lambda: self._by_dm(open_intent)),
                ("in its channel", lambda: self._in_channel(open_intent, with_request=False)),
            ]
        failed_for_now = False
        for where, send in ways:
            attempt = await _attempt(send())
            if attempt is _Attempt.SENT:
                log.info(
                    "told user %s %s of a submission (at %.0f) that may have been paid and was "
                    "not recorded",
                    open_intent.user_id,
                    where,
                    open_intent.at,
                )
                return True
            failed_for_now |= attempt is _Attempt.FAILED
        if failed_for_now:
            await self._store.intent_untold(open_intent.id)  # Discord down: the next round
            return False
        log.warning(
            "could not tell user %s of a submission (at %.0f) that may have been paid and was "
            "not recorded: its channel and their DMs refused",
            open_intent.user_id,
            open_intent.at,
        )
        return False

    async def _in_channel(self, open_intent: OpenIntent, *, with_request: bool) -> None:
        channel = self._client.get_partial_messageable(
            open_intent.intent.channel_id, guild_id=open_intent.guild_id
        )
        await channel.send(
            unrecorded_later(open_intent, mention=True, with_request=with_request),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(open_intent.user_id)]
            ),
        )

    async def _by_dm(self, open_intent: OpenIntent) -> None:
        dm = await self._client.create_dm(discord.Object(open_intent.user_id))
        await dm.send(
            unrecorded_later(open_intent, mention=False, with_request=True),
            allowed_mentions=NO_PINGS,
        )


async def _attempt(send: Awaitable[None]) -> _Attempt:
    try:
        await send
    except discord.HTTPException as error:
        return _Attempt.REFUSED if error.status < 500 else _Attempt.FAILED
    except (aiohttp.ClientError, OSError, TimeoutError):
        return _Attempt.FAILED
    return _Attempt.SENT
