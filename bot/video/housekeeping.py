"""Housekeeping of kept videos: `R2V_VIDEO_DIR` pruned by age and total size once at start and
every hour after, for as long as the bot runs (started and stopped by the composition root)."""

from __future__ import annotations

import asyncio
import logging

from bot.video.keep import PruneReport, size
from bot.video.pipeline import VideoPipeline

log = logging.getLogger(__name__)

INTERVAL_S = 3600.0


class Housekeeping:
    """Prunes the pipeline's kept videos now and every `interval_s`; a failure is logged and
    tried again at the next round."""

    def __init__(self, videos: VideoPipeline, *, interval_s: float = INTERVAL_S) -> None:
        self._videos = videos
        self._interval_s = interval_s
        self._loop: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="r2v-housekeeping")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None

    async def _run(self) -> None:
        while True:
            try:
                report = await self._videos.prune()
            except OSError as error:
                # The folder's own state (not a folder, unreadable): one line, no traceback.
                log.warning(
                    "housekeeping of %s failed (%s); will retry in %.0f s",
                    self._videos.keeper.video_dir,
                    error.strerror or error,
                    self._interval_s,
                )
            except Exception:
                log.exception(
                    "housekeeping of %s failed; will retry in %.0f s",
                    self._videos.keeper.video_dir,
                    self._interval_s,
                )
            else:
                log.info("housekeeping: %s", describe(report))
            await asyncio.sleep(self._interval_s)


def describe(report: PruneReport) -> str:
    """What a prune did, in words: "pruned 3 kept videos (12.4 MB), 1.2 GB kept"."""
    kept = f"{size(report.kept_bytes)} kept"
    if not report.deleted:
        return f"nothing to prune, {kept}"
    videos = "kept video" if report.deleted == 1 else "kept videos"
    return f"pruned {report.deleted} {videos} ({size(report.freed_bytes)}), {kept}"
