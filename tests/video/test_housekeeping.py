"""Housekeeping of kept videos: pruned at start and every round after, a failure retried at the
next round, the log line in words, nothing left running after a stop."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bot.video.housekeeping import Housekeeping, describe
from bot.video.keep import DAY_S, PruneReport
from bot.video.pipeline import VideoPipeline
from bot.video.settings import VideoSettings
from tests.conftest import eventually

ROUND_S = 0.05


def old_video(directory: Path, name: str) -> Path:
    """A kept video past the 7 days the default settings keep one."""
    path = directory / f"{name}.mp4"
    path.write_bytes(b"kept video")
    os.utime(path, (time.time() - 8 * DAY_S, time.time() - 8 * DAY_S))
    return path


def pipeline(http, video_dir: Path) -> VideoPipeline:
    return VideoPipeline(http, VideoSettings(video_dir=video_dir), "https://api.example.com")


def housekeeping_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "r2v-housekeeping"]


async def test_kept_videos_are_pruned_at_start_and_again_at_every_round(http, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot.video.housekeeping")
    videos = tmp_path / "videos"
    videos.mkdir()
    first, recent = old_video(videos, "first"), videos / "recent.mp4"
    recent.write_bytes(b"x" * 2048)
    housekeeping = Housekeeping(pipeline(http, videos), interval_s=ROUND_S)
    housekeeping.start()
    try:
        await eventually(lambda: _gone(first), what="the old video to be pruned at start")
        second = old_video(videos, "second")
        await eventually(lambda: _gone(second), what="a later old video to be pruned")
    finally:
        await housekeeping.stop()
    assert recent.exists(), "kept for 7 days"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.video.housekeeping"]
    assert "housekeeping: pruned 1 kept video (10 B), 2.0 KB kept" in lines
    assert housekeeping_tasks() == [], "nothing runs after a stop"


async def test_a_failed_round_is_logged_and_the_next_round_prunes(http, tmp_path, caplog):
    videos = tmp_path / "videos"
    videos.write_text("a file where the folder should be")  # every prune fails
    housekeeping = Housekeeping(pipeline(http, videos), interval_s=ROUND_S)
    housekeeping.start()
    try:

        async def failed_twice() -> bool:
            failures = [r for r in caplog.records if "housekeeping of" in r.getMessage()]
            return len(failures) >= 2

        await eventually(failed_twice, what="two failed rounds")
        assert housekeeping_tasks(), "a failure does not end the loop"
        videos.unlink()
        videos.mkdir()
        old = old_video(videos, "old")
        await eventually(lambda: _gone(old), what="the round after the fault to prune")
    finally:
        await housekeeping.stop()
    failure = next(r for r in caplog.records if "housekeeping of" in r.getMessage())
    assert failure.levelno == logging.WARNING and failure.exc_info is None, "one line"
    assert str(videos) in failure.getMessage() and "Not a directory" in failure.getMessage()


@pytest.mark.parametrize(
    ("report", "words"),
    [
        (PruneReport(3, 13_002_342, 1_288_490_189), "pruned 3 kept videos (12.4 MB), 1.2 GB kept"),
        (PruneReport(1, 2048, 512), "pruned 1 kept video (2.0 KB), 512 B kept"),
        (PruneReport(0, 0, 0), "nothing to prune, 0 B kept"),
        (PruneReport(0, 0, 5 * 1024**4), "nothing to prune, 5120.0 GB kept"),
    ],
)
def test_a_prune_is_described_in_words(report, words):
    assert describe(report) == words


async def _gone(path: Path) -> bool:
    return not await asyncio.to_thread(path.exists)
