"""What a finished task's result message will hold, decided before anything is posted: the
video fetched (once, kept) and fitted under the upload limit, only its link when it cannot be
made to fit (or the bot's disk cannot hold it anywhere), or no video at all (its ending says
why, including a video that turned out broken or gone). The notifier renders these values; it
decides nothing about a task's fate.

Also the rule for how long a result is still worth posting: the API's link lives a day after
the task ended, the kept file as long as the keeper keeps it (`postable_until`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import assert_never

from bot.store.records import Ending, TaskRecord
from bot.tracking.delivery import NotYet, link_expires_at
from bot.video.pipeline import (
    Broken,
    CannotFit,
    Disallowed,
    Fetched,
    Fitted,
    Transient,
    Unavailable,
    Unkept,
    VideoPipeline,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refit:
    """The video was re-encoded to fit: from `original_bytes` to `fitted_bytes`, and made
    smaller in pixels too when `scaled`."""

    original_bytes: int
    fitted_bytes: int
    scaled: bool


@dataclass(frozen=True)
class VideoReady:
    """The video, fitted under `limit_bytes`, to attach."""

    record: TaskRecord
    path: Path
    limit_bytes: int
    refit: Refit | None
    # The API's own link while it lives (shown beside a re-encoded copy), and its end.
    live_url: str | None
    link_expires_at: float


@dataclass(frozen=True)
class LinkOnly:
    """The video cannot be made to fit `limit_bytes` (or, not `stored`, the bot's disk could
    not hold it to attach: its size is then unknown): its link is posted instead."""

    record: TaskRecord
    size_bytes: int | None
    limit_bytes: int
    live_url: str | None
    link_expires_at: float
    stored: bool = True


@dataclass(frozen=True)
class NoVideo:
    """Nothing to attach: the record's ending says why (failed, canceled, past the deadline…,
    or a video that was broken or could not be fetched while its link lived)."""

    record: TaskRecord


Result = VideoReady | LinkOnly | NoVideo


class ResultPreparer:
    def __init__(self, videos: VideoPipeline, *, clock: Callable[[], float] = time.time) -> None:
        self._videos = videos
        self._clock = clock

    async def prepare(self, record: TaskRecord, limit_bytes: int) -> Result | NotYet:
        """The result of a finished task for a message that may attach `limit_bytes`; NotYet
        while the video cannot be fetched yet but its link still lives."""
        record = replace(record, upload_limit=limit_bytes)
        url = record.video_url
        if record.ending is not Ending.SUCCEEDED or not url:
            return NoVideo(record)
        link_end = link_expires_at(record)
        fetched = await self._videos.fetch(record.task_id, url)
        match fetched:
            case Fetched():
                pass
            case Transient(reason):
                if self._clock() < link_end:
                    return NotYet(record, f"video not fetched yet: {reason}", link_end)
                return self._ended(record, Ending.VIDEO_GONE)
            case Disallowed() | Unavailable():
                return self._ended(record, Ending.VIDEO_GONE)
            case Broken():
                return self._ended(record, Ending.BAD_VIDEO)
            case Unkept():
                live = url if self._clock() < link_end else None
                return LinkOnly(record, None, limit_bytes, live, link_end, stored=False)
            case _:
                assert_never(fetched)
        fitted = await self._videos.fit(record.task_id, limit_bytes)
        live_url = url if self._clock() < link_end else None
        match fitted:
            case Fitted(path, size, reencoded, scaled):
                original = fetched.info.size_bytes
                refit = Refit(original, size, scaled) if reencoded else None
                return VideoReady(record, path, limit_bytes, refit, live_url, link_end)
            case CannotFit(reason):
                log.warning(
                    "video of task %s cannot fit %d bytes: %s", record.task_id, limit_bytes, reason
                )
                size = fetched.info.size_bytes
                return LinkOnly(record, size, limit_bytes, live_url, link_end)
            case _:
                assert_never(fitted)

    async def within(self, task_id: str, path: Path, limit_bytes: int) -> Path | None:
        """A prepared video (`path`) as a message that may attach only `limit_bytes` takes it
        (a DM): refitted when it is over; None when it cannot fit."""
        if _size_of(path) <= limit_bytes:
            return path
        fitted = await self._videos.fit(task_id, limit_bytes)
        return fitted.path if isinstance(fitted, Fitted) else None

    def postable_until(self, record: TaskRecord) -> float:
        """Until when posting the result may be retried: while what is posted can still be had
        (the kept video while it is kept, else the API's link)."""
        link_end = link_expires_at(record)
        if record.ending is not Ending.SUCCEEDED:
            return link_end
        return self._videos.keeper.postable_until(record.task_id, link_end)

    @staticmethod
    def _ended(record: TaskRecord, ending: Ending) -> NoVideo:
        log.warning("task %s: the video cannot be posted (%s)", record.task_id, ending.value)
        return NoVideo(replace(record, ending=ending))


def _size_of(path: Path) -> int:
    """One local stat: cheap enough for the event loop."""
    return path.stat().st_size
