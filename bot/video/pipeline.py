"""The one object the notifier calls: fetch a task's video once, then fit it under a limit.

    pipeline = VideoPipeline(http, settings, api_base)
    fetched = await pipeline.fetch(task_id, video_url)   # Fetched | Disallowed | Unavailable | ...
    fitted = await pipeline.fit(task_id, limit_bytes)    # Fitted | CannotFit

Both reuse what is already on disk: a second `fetch` of a task never downloads again, and a
fitted copy for the same limit is encoded once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.observe.metrics import Metrics
from bot.video.download import (
    Disallowed,
    Downloaded,
    Transient,
    Unavailable,
    VideoDownloader,
)
from bot.video.fit import CannotFit, FitOutcome, Fitted, Transcoder
from bot.video.keep import PruneReport, VideoKeeper
from bot.video.mp4 import Mp4Info, Mp4Problem, probe
from bot.video.settings import VideoSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    path: Path
    info: Mp4Info
    reused: bool  # True: the kept file from an earlier fetch, no download


@dataclass(frozen=True)
class Broken:
    """The host sent something, but it is not a playable MP4 (empty, junk, no duration)."""

    problem: Mp4Problem


FetchOutcome = Fetched | Disallowed | Unavailable | Transient | Broken

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
        self._transcoder = Transcoder(
            settings.ffmpeg_exe(),
            threads=settings.transcode_threads,
            preset=settings.transcode_preset,
            timeout_s=settings.transcode_timeout_s,
        )
        self._locks: dict[str, _TaskLock] = {}

    async def fetch(self, task_id: str, url: str) -> FetchOutcome:
        """The task's video as a checked local MP4, downloaded only if not kept already."""
        async with self._task_lock(task_id):
            final = self.keeper.path_for(task_id)
            if final.is_file():
                kept = await asyncio.to_thread(probe, final)
                if isinstance(kept, Mp4Info):
                    return Fetched(final, kept, reused=True)
                self.keeper.discard(final)  # cannot happen through commit; start over
            partial = self.keeper.partial_path_for(final)
            try:
                outcome = await self._downloader.download(url, partial)
                if not isinstance(outcome, Downloaded):
                    log.warning("video of task %s not fetched: %s", task_id, outcome)
                    return outcome
                checked = await asyncio.to_thread(probe, partial)
                if not isinstance(checked, Mp4Info):
                    log.warning("video of task %s is not a usable MP4: %s", task_id, checked)
                    return Broken(checked)
                self.keeper.commit(partial, final)
                return Fetched(final, checked, reused=False)
            finally:
                self.keeper.discard(partial)

    async def fit(self, task_id: str, limit_bytes: int) -> FitOutcome:
        """The fetched video itself when it is at most `limit_bytes`, else a re-encoded copy
        (kept beside it, so the next call for the same limit reuses it)."""
        async with self._task_lock(task_id):
            original = self.keeper.path_for(task_id)
            info = await asyncio.to_thread(probe, original)
            if not isinstance(info, Mp4Info):
                return CannotFit("the video was not fetched")
            if info.size_bytes <= limit_bytes:
                return Fitted(original, info.size_bytes, reencoded=False, scaled=False)
            fitted_path = self.keeper.fit_path_for(task_id, limit_bytes)
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

    async def prune(self, now: float | None = None) -> PruneReport:
        """Housekeeping: drop kept files by age and the total size cap (see VideoKeeper)."""
        return await asyncio.to_thread(self.keeper.prune, time.time() if now is None else now)

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
