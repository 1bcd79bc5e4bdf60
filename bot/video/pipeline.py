"""The one object the notifier calls: fetch a task's video once, then fit it under a limit.

    pipeline = VideoPipeline(http, settings, api_base)
    fetched = await pipeline.fetch(task_id, video_url)   # Fetched | Disallowed | Unavailable | ...
    fitted = await pipeline.fit(task_id, limit_bytes)    # Fitted | CannotFit

Both reuse what is already on disk: a second `fetch` of a task never downloads again, and a
fitted copy for the same limit is encoded once.

Our disk is our problem, not the member's: when `R2V_VIDEO_DIR` cannot take a video (read-only,
full, a file too large for it), the video is fetched and fitted in a temporary folder instead,
and posted without a kept copy; when that cannot be written either, `fetch` answers `Unkept`
and the video is posted as its link. The operator is told once when this starts (or at start,
by `check_place`) and once when the folder can be written again, not at every video.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.observe.metrics import Metrics
from bot.video import place
from bot.video.download import (
    Disallowed,
    Downloaded,
    Transient,
    Unavailable,
    Unwritable,
    VideoDownloader,
)
from bot.video.fit import CannotFit, FitOutcome, Fitted, Transcoder
from bot.video.keep import DAY_S, PruneReport, VideoKeeper
from bot.video.mp4 import Mp4Info, Mp4Problem, probe
from bot.video.settings import VideoSettings

log = logging.getLogger(__name__)

# Videos in the temporary folder serve one delivery and its retries, not later asks.
TEMPORARY_KEEP_S: Final = 3600.0


@dataclass(frozen=True)
class Fetched:
    path: Path
    info: Mp4Info
    reused: bool  # True: the kept file from an earlier fetch, no download


@dataclass(frozen=True)
class Broken:
    """The host sent something, but it is not a playable MP4 (empty, junk, no duration)."""

    problem: Mp4Problem


@dataclass(frozen=True)
class Unkept:
    """The video could be had, but neither `R2V_VIDEO_DIR` nor a temporary folder can hold it:
    only its link can be posted."""

    reason: str


FetchOutcome = Fetched | Disallowed | Unavailable | Transient | Broken | Unkept

__all__ = [
    "Broken",
    "CannotFit",
    "Disallowed",
    "FetchOutcome",
    "Fetched",
    "FitOutcome",
    "Fitted",
    "Transient",
    "Unavailable",
    "Unkept",
    "VideoPipeline",
]


class VideoPipeline:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        settings: VideoSettings,
        api_base: str,
        *,
        resolver: AbstractResolver | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self._metrics = metrics or Metrics()
        self.keeper = VideoKeeper(
            settings.video_dir,
            keep_days=settings.keep_days,
            max_total_bytes=settings.max_total_bytes,
        )
        self._downloader = VideoDownloader(
            http,
            api_base,
            max_bytes=settings.max_download_bytes,
            max_redirects=settings.max_redirects,
            timeout_s=settings.download_timeout_s,
            connect_timeout_s=settings.connect_timeout_s,
            resolver=resolver,
        )
        self._transcoder = Transcoder.from_settings(settings)
        self._locks: dict[str, _TaskLock] = {}
        # Where videos go when R2V_VIDEO_DIR cannot take them, made at the first need.
        self._temporary: VideoKeeper | None = None
        # Whether the operator has been told that videos are not kept (anywhere).
        self._unkept = False
        self._unkept_anywhere = False

    async def check_place(self) -> place.Place:
        """Check `R2V_VIDEO_DIR` (at start): whether videos can be kept there, with how much
        room. A folder that cannot be written counts as the operator told (see `fetch`)."""
        found = await asyncio.to_thread(place.check, self.keeper.video_dir)
        self._unkept = isinstance(found, place.Unusable)
        return found

    async def fetch(self, task_id: str, url: str) -> FetchOutcome:
        """The task's video as a checked local MP4, downloaded only if not kept already: into
        `R2V_VIDEO_DIR`, else into a temporary folder; `Unkept` when neither can take it."""
        async with self._task_lock(task_id):
            for keeper in (self.keeper, self._temporary):
                if keeper is not None and keeper.has(task_id):
                    final = keeper.path_for(task_id)
                    kept = await asyncio.to_thread(probe, final)
                    if isinstance(kept, Mp4Info):
                        return Fetched(final, kept, reused=True)
                    keeper.discard(final)  # cannot happen through commit; start over
            outcome = await self._download(self.keeper, task_id, url)
            if not isinstance(outcome, Unwritable):
                if isinstance(outcome, Fetched):
                    self._kept_again()
                return outcome
            temporary = await self._temporary_keeper()
            if temporary is not None:
                self._cannot_keep(outcome.reason, temporary.video_dir)
                outcome = await self._download(temporary, task_id, url)
                if not isinstance(outcome, Unwritable):
                    return outcome
            self._cannot_keep_anywhere(outcome.reason)
            return Unkept(outcome.reason)

    async def _download(
        self, keeper: VideoKeeper, task_id: str, url: str
    ) -> Fetched | Disallowed | Unavailable | Transient | Broken | Unwritable:
        final = keeper.path_for(task_id)
        partial = keeper.partial_path_for(final)
        try:
            outcome = await self._downloader.download(url, partial)
            if isinstance(outcome, Unwritable):
                return outcome
            if not isinstance(outcome, Downloaded):
                log.warning("video of task %s not fetched: %s", task_id, outcome)
                return outcome
            checked = await asyncio.to_thread(probe, partial)
            if not isinstance(checked, Mp4Info):
                log.warning("video of task %s is not a usable MP4: %s", task_id, checked)
                return Broken(checked)
            try:
                keeper.commit(partial, final)
            except OSError as error:
                return Unwritable(f"could not keep the video: {error.strerror or error}")
            return Fetched(final, checked, reused=False)
        finally:
            keeper.discard(partial)

    async def _temporary_keeper(self) -> VideoKeeper | None:
        """The temporary folder (made at the first need, under `settings.temporary_dir` or
        the system's), or None when it cannot be made."""
        if self._temporary is None:
            parent = self.settings.temporary_dir
            try:
                made = await asyncio.to_thread(tempfile.mkdtemp, "", "r2v-videos-", parent)
            except OSError as error:
                log.debug("no temporary folder for videos: %s", error)
                return None
            self._temporary = VideoKeeper(
                Path(made),
                keep_days=TEMPORARY_KEEP_S / DAY_S,
                max_total_bytes=self.settings.max_total_bytes,
            )
        return self._temporary

    def _cannot_keep(self, reason: str, temporary: Path) -> None:
        if not self._unkept:
            self._unkept = True
            log.warning(
                "cannot keep videos in R2V_VIDEO_DIR %s (%s): they are posted from the temporary "
                "folder %s, without a kept copy, until it can be written again",
                self.keeper.video_dir.absolute(),
                reason,
                temporary,
            )

    def _cannot_keep_anywhere(self, reason: str) -> None:
        if not self._unkept_anywhere:
            self._unkept, self._unkept_anywhere = True, True
            log.warning(
                "cannot keep videos in R2V_VIDEO_DIR %s nor in a temporary folder (%s): they are "
                "posted as their links until one of them can be written again",
                self.keeper.video_dir.absolute(),
                reason,
            )

    def _kept_again(self) -> None:
        if self._unkept:
            self._unkept, self._unkept_anywhere = False, False
            log.info(
                "R2V_VIDEO_DIR %s can be written again: videos are kept there",
                self.keeper.video_dir.absolute(),
            )

    async def fit(self, task_id: str, limit_bytes: int) -> FitOutcome:
        """The fetched video itself when it is at most `limit_bytes`, else a re-encoded copy
        (kept beside it, so the next call for the same limit reuses it)."""
        async with self._task_lock(task_id):
            keeper = self._holding(task_id)
            original = keeper.path_for(task_id)
            info = await asyncio.to_thread(probe, original)
            if not isinstance(info, Mp4Info):
                return CannotFit("the video was not fetched")
            if info.size_bytes <= limit_bytes:
                return Fitted(original, info.size_bytes, reencoded=False, scaled=False)
            # Beside the original: in the temporary folder when that is where it is.
            fitted_path = keeper.fit_path_for(task_id, limit_bytes)
            kept = await asyncio.to_thread(probe, fitted_path)
            if isinstance(kept, Mp4Info) and kept.size_bytes <= limit_bytes:
                scaled = kept.height is not None and kept.height != info.height
                return Fitted(fitted_path, kept.size_bytes, reencoded=True, scaled=scaled)
            started = time.monotonic()
            outcome = await self._transcoder.fit(original, info, fitted_path, limit_bytes)
            took = time.monotonic() - started
            self._metrics.fitted(took)
            log.info(
                "fitting task %s under %d bytes took %.1fs: %s", task_id, limit_bytes, took, outcome
            )
            return outcome

    def _holding(self, task_id: str) -> VideoKeeper:
        """Where the task's fetched video is: the temporary folder when it is there, else
        `R2V_VIDEO_DIR` (whether or not it holds it)."""
        temporary = self._temporary
        if temporary is not None and not self.keeper.has(task_id) and temporary.has(task_id):
            return temporary
        return self.keeper

    async def prune(self, now: float | None = None) -> PruneReport:
        """Housekeeping: drop kept files by age and the total size cap (see VideoKeeper), and
        temporary ones after an hour. A folder found unwritable is left alone until a video
        can be kept there again."""
        at = time.time() if now is None else now
        if self._temporary is not None:
            await asyncio.to_thread(self._temporary.prune, at)
        if self._unkept:
            return PruneReport(0, 0, 0)  # the folder cannot be written: the operator knows
        return await asyncio.to_thread(self.keeper.prune, at)

    async def close(self) -> None:
        """Remove the temporary folder, if one was made."""
        if self._temporary is not None:
            folder, self._temporary = self._temporary.video_dir, None
            await asyncio.to_thread(shutil.rmtree, folder, True)

    @asynccontextmanager
    async def _task_lock(self, task_id: str) -> AsyncIterator[None]:
        # One fetch or fit per task at a time, so two deliveries never download twice. The
        # lock is dropped when nobody holds or awaits it, so the map does not grow forever.
        entry = self._locks.setdefault(task_id, _TaskLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._locks.pop(task_id, None)


@dataclass
class _TaskLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
