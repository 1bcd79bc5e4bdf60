"""The cogs' and buttons' questions about tasks already submitted: status, a video again,
history, cancel, untrack. Each answer is a value (a small union) that the Discord side renders;
who may see what is decided here, not in the cogs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.api.client import BailianClient
from bot.api.errors import ApiError, InvalidRequestError
from bot.api.models import TaskResult, TaskStatus
from bot.store.protocol import TaskStore
from bot.store.records import Ending, TaskRecord
from bot.tracking.delivery import link_expires_at
from bot.tracking.progress import Progress
from bot.tracking.tracker import Tracker
from bot.video.pipeline import CannotFit, Fetched, FitOutcome, Fitted, VideoPipeline

log = logging.getLogger(__name__)


# Answers of `status`.
@dataclass(frozen=True)
class Followed:
    """A task of this bot, with its record as it is now (freshly queried when still active)."""

    record: TaskRecord
    result: TaskResult | None = None


@dataclass(frozen=True)
class Foreign:
    """A task the service knows but this bot did not make."""

    result: TaskResult


@dataclass(frozen=True)
class NoSuchTask:
    task_id: str


@dataclass(frozen=True)
class QueryFailed:
    error: ApiError
    record: TaskRecord | None


@dataclass(frozen=True)
class Hidden:
    """Another member's private task: nothing of it is shown."""


StatusAnswer = Followed | Foreign | NoSuchTask | QueryFailed | Hidden


# Answers of `showable`.
@dataclass(frozen=True)
class Showable:
    """A finished video the asker may post again: fetch it with `video_again`."""

    record: TaskRecord


@dataclass(frozen=True)
class NotFinished:
    """The task is still being made."""


@dataclass(frozen=True)
class NothingToShow:
    """The task ended without a video."""


ShowAnswer = Showable | NoSuchTask | Hidden | NotFinished | NothingToShow


@dataclass(frozen=True)
class Untracked:
    record: TaskRecord


@dataclass(frozen=True)
class AlreadyEnded:
    record: TaskRecord


@dataclass(frozen=True)
class NotInGuild:
    task_id: str


UntrackOutcome = Untracked | AlreadyEnded | NotInGuild


@dataclass(frozen=True)
class Cancelled:
    record: TaskRecord


@dataclass(frozen=True)
class TooLateToCancel:
    """The task is no longer queued (the service started or finished it)."""


@dataclass(frozen=True)
class CancelFailed:
    error: ApiError


@dataclass(frozen=True)
class CannotCancel:
    """No cancel route is configured."""


CancelOutcome = Cancelled | TooLateToCancel | CancelFailed | CannotCancel


class TaskQueries:
    def __init__(
        self,
        api: BailianClient,
        store: TaskStore,
        tracker: Tracker,
        videos: VideoPipeline | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api = api
        self._store = store
        self._tracker = tracker
        self._videos = videos
        self._clock = clock

    @property
    def can_cancel(self) -> bool:
        return self._api.can_cancel

    def progress(self, record: TaskRecord) -> Progress:
        return self._tracker.progress(record)

    async def task(self, task_id: str) -> TaskRecord | None:
        return await self._store.get(task_id)

    async def refresh(self, task_id: str) -> TaskRecord | None:
        """A task's record after querying it now if it is still followed."""
        return await self._tracker.refresh(task_id)

    async def status(self, task_id: str, asker_id: int | None = None) -> StatusAnswer:
        """A task's status; a private one only for its requester (`asker_id`)."""
        record = await self._store.get(task_id)
        if record is not None and record.private and asker_id != record.origin.requester_id:
            return Hidden()
        if record is not None and self._tracker.is_tracking(task_id):
            return Followed(await self._tracker.refresh(task_id) or record)
        try:
            result = await self._api.get_task(task_id)
        except ApiError as error:
            return QueryFailed(error, record)
        if record is not None:
            return Followed(record, result)
        if result.status is TaskStatus.UNKNOWN:
            # The service answers UNKNOWN for ids it never had as for expired ones.
            return NoSuchTask(task_id)
        return Foreign(result)

    async def showable(self, task_id: str, asker_id: int, guild_id: int | None) -> ShowAnswer:
        """Whether a task's video may be posted again by `asker_id` in `guild_id`: a task of this
        server, or the asker's own private one, that ended with a video."""
        record = await self._store.get(task_id)
        if record is None or (record.origin.guild_id != guild_id and not record.private):
            return NoSuchTask(task_id)
        if record.private and record.origin.requester_id != asker_id:
            return Hidden()
        if record.finished_at is None:
            return NotFinished()
        if record.ending is not Ending.SUCCEEDED:
            return NothingToShow()
        return Showable(record)

    async def video_again(self, record: TaskRecord, limit_bytes: int) -> Path | None:
        """A finished task's video for `/r2v show`, within `limit_bytes`: the kept file, else
        fetched again from the service's link while it lives; None when neither can be had."""
        if self._videos is None:
            return None
        kept = self._videos.keeper.has(record.task_id)
        if not kept and record.video_url and self._clock() < link_expires_at(record):
            fetched = await self._videos.fetch(record.task_id, record.video_url)
            if not isinstance(fetched, Fetched):
                return None
        fitted = await self._kept_video(record.task_id, limit_bytes)
        return fitted.path if isinstance(fitted, Fitted) else None

    async def kept_video(
        self, record: TaskRecord, asker_id: int, guild_id: int | None, limit_bytes: int
    ) -> FitOutcome:
        """The kept video of a finished task of this server (or of the asker's own), fitted
        under `limit_bytes` (`/r2v status video:True`); CannotFit when the asker may not have
        it, or it is not kept (any more), or cannot be made to fit."""
        mine = record.origin.requester_id == asker_id
        if record.is_active or not (mine or record.origin.guild_id == guild_id):
            return CannotFit("not a finished task of this server")
        return await self._kept_video(record.task_id, limit_bytes)

    async def _kept_video(self, task_id: str, limit_bytes: int) -> FitOutcome:
        if self._videos is None or not self._videos.keeper.has(task_id):
            return CannotFit("the video is not kept")
        return await self._videos.fit(task_id, limit_bytes)

    async def history(self, user_id: int, limit: int = 10) -> list[TaskRecord]:
        return await self._store.recent_for_user(user_id, limit=limit)

    async def cancel(self, record: TaskRecord, by: int) -> CancelOutcome:
        """Cancel a queued task at the service, for member `by`, who is written in the record
        first (its ending then says who cancelled it). The tracker then sees it CANCELED; a
        canceled task costs nothing, so it no longer counts against any budget."""
        if not self._api.can_cancel:
            return CannotCancel()
        current = await self._tracker.refresh(record.task_id) or record
        if current.status is not TaskStatus.PENDING or not current.is_active:
            return TooLateToCancel()
        await self._tracker.note(record.task_id, lambda r: replace(r, cancelled_by=by))
        try:
            await self._api.cancel(record.task_id)
        except InvalidRequestError:
            return TooLateToCancel()
        except ApiError as error:
            return CancelFailed(error)
        log.info("task %s cancelled by %s", record.task_id, by)
        return Cancelled(await self._tracker.refresh(record.task_id) or current)

    async def untrack(self, task_id: str, guild_id: int, admin_id: int) -> UntrackOutcome:
        record = await self._store.get(task_id)
        if record is None or record.origin.guild_id != guild_id:
            return NotInGuild(task_id)
        if not record.is_active:
            return AlreadyEnded(record)
        untracked = await self._tracker.forget(task_id)
        if untracked is None:
            return AlreadyEnded(await self._store.get(task_id) or record)
        log.info("admin %s stopped tracking task %s", admin_id, task_id)
        return Untracked(untracked)
