"""`/r2v show`: a finished task's video, found again.

The video comes from the file the bot kept when it delivered it, when there is one (the
service's link dies 24 h after the task ends); else from that link while it lives."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import Protocol

import discord

from bot.api.client import BailianClient
from bot.api.errors import ApiError
from bot.store.records import TaskRecord

log = logging.getLogger(__name__)

VIDEO_URL_LIFETIME_S = 24 * 3600


class KeptVideos(Protocol):
    """The kept delivered videos (`bot.video.keep.VideoKeeper`)."""

    def has(self, task_id: str) -> bool: ...

    def path_for(self, task_id: str) -> Path: ...


class ResultReposter:
    """Finds a finished task's video again. `keeper` is set by the composition root once the
    video pipeline keeps files; without it only a live link can be used."""

    def __init__(self, api: BailianClient, keeper: KeptVideos | None = None) -> None:
        self._api = api
        self.keeper = keeper

    def link_alive(self, record: TaskRecord, now: float | None = None) -> bool:
        finished = record.finished_at
        now = time.time() if now is None else now
        return (
            bool(record.video_url)
            and finished is not None
            and now < finished + (VIDEO_URL_LIFETIME_S)
        )

    async def video_file(self, record: TaskRecord, limit_bytes: int) -> discord.File | None:
        """The video as an upload within `limit_bytes`, or None when neither a kept copy nor
        the link can give one."""
        filename = f"r2v-{record.task_id[:8]}.mp4"
        if self.keeper is not None and self.keeper.has(record.task_id):
            path = self.keeper.path_for(record.task_id)
            try:
                if path.stat().st_size <= limit_bytes:
                    return discord.File(path, filename=filename)
            except OSError as error:
                log.warning("kept video of task %s unreadable: %s", record.task_id, error)
        if not self.link_alive(record) or record.video_url is None:
            return None
        try:
            download = await self._api.download(record.video_url, max_bytes=limit_bytes)
        except ApiError as error:
            log.info("video of task %s could not be fetched again: %s", record.task_id, error)
            return None
        if download.data is None:
            return None
        return discord.File(io.BytesIO(download.data), filename=filename)
