"""Fit a video under a byte limit: a pure plan (bitrates and size), then one ffmpeg pass.

One pass with a capped average bitrate (`-b:v` = `-maxrate`, a one-second buffer) lands within
a few percent of the budget; if the result is still over, one retry at 90 % of the bitrate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.video.ffmpeg import FfmpegJobs
from bot.video.mp4 import Mp4Info, probe

log = logging.getLogger(__name__)

# MP4 boxes and the moov index take ~1–2 % of a 10 s clip; the rest covers x264's overshoot of
# its target in one pass.
CONTAINER_OVERHEAD: Final = 0.03
RATE_MARGIN: Final = 0.03
RETRY_FACTOR: Final = 0.9
# AAC bitrates by total budget: full quality unless the budget is tiny.
AUDIO_KBPS: Final = 128
LOW_AUDIO_KBPS: Final = 64
LOW_AUDIO_BELOW_TOTAL_KBPS: Final = 1000
# The least video bitrate a picture of this many pixels still looks right at (H.264, ~30 fps):
# about 1.9 kbit/s per thousand pixels (1080P ≈ 4 Mbit/s, 720P ≈ 1.8 Mbit/s).
KBPS_PER_KILOPIXEL: Final = 1.93
# Short sides tried, largest first, when the source's own size needs more than the budget.
SCALE_LADDER: Final = (720, 540, 360)
# Below this nothing watchable comes out at the smallest rung.
MIN_VIDEO_KBPS: Final = 150


@dataclass(frozen=True)
class Plan:
    video_kbps: int
    audio_kbps: int
    scale_to: tuple[int, int] | None  # (width, height); None keeps the source's size


@dataclass(frozen=True)
class Fitted:
    path: Path
    size: int
    reencoded: bool
    scaled: bool


@dataclass(frozen=True)
class CannotFit:
    reason: str


FitOutcome = Fitted | CannotFit


def min_video_kbps(width: int, height: int) -> float:
    return width * height / 1000 * KBPS_PER_KILOPIXEL


def plan(
    size_bytes: int, duration_s: float, width: int, height: int, limit_bytes: int
) -> Plan | CannotFit:
    """Bitrates that bring a `duration_s` clip under `limit_bytes`, keeping its size while the
    bitrate allows it. `size_bytes` only says whether re-encoding is needed at all."""
    if duration_s <= 0 or width <= 0 or height <= 0:
        return CannotFit("the video has no duration or picture size")
    if size_bytes <= limit_bytes:
        return CannotFit("the video already fits: nothing to re-encode")
    total_kbps = limit_bytes * 8 / 1000 / duration_s * (1 - CONTAINER_OVERHEAD - RATE_MARGIN)
    audio_kbps = AUDIO_KBPS if total_kbps >= LOW_AUDIO_BELOW_TOTAL_KBPS else LOW_AUDIO_KBPS
    video_kbps = int(total_kbps - audio_kbps)
    if video_kbps < MIN_VIDEO_KBPS:
        return CannotFit(
            f"{limit_bytes / 1024 / 1024:.1f} MiB leaves {max(video_kbps, 0)} kbit/s for "
            f"{duration_s:.0f} s of video"
        )
    if video_kbps >= min_video_kbps(width, height):
        return Plan(video_kbps, audio_kbps, None)
    rungs = [_scaled(width, height, short) for short in SCALE_LADDER if short < min(width, height)]
    for size in rungs:
        if video_kbps >= min_video_kbps(*size):
            return Plan(video_kbps, audio_kbps, size)
    return Plan(video_kbps, audio_kbps, rungs[-1] if rungs else None)


def _scaled(width: int, height: int, short_side: int) -> tuple[int, int]:
    """The size whose shorter side is `short_side`, same aspect, both even (H.264 4:2:0)."""
    factor = short_side / min(width, height)
    return (_even(width * factor), _even(height * factor))


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def ffmpeg_command(
    ffmpeg: str, source: Path, dest: Path, chosen: Plan, *, threads: int, preset: str
) -> list[str]:
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-threads", str(threads), "-i", str(source)]
    command += ["-map", "0:v:0", "-map", "0:a:0?"]
    rate = f"{chosen.video_kbps}k"
    command += ["-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p"]
    command += ["-b:v", rate, "-maxrate", rate, "-bufsize", rate]
    if chosen.scale_to is not None:
        command += ["-vf", f"scale={chosen.scale_to[0]}:{chosen.scale_to[1]}"]
    command += ["-c:a", "aac", "-b:a", f"{chosen.audio_kbps}k"]
    command += ["-threads", str(threads), "-movflags", "+faststart", "-f", "mp4", str(dest)]
    return command


class Transcoder(FfmpegJobs):
    """Re-encodes videos to fit an upload limit, one at a time (see `FfmpegJobs`)."""

    async def fit(self, source: Path, info: Mp4Info, dest: Path, limit_bytes: int) -> FitOutcome:
        """Write a copy of `source` at most `limit_bytes` long to `dest` (via a temp name)."""
        if info.width is None or info.height is None:
            return CannotFit("the video has no picture size")
        chosen = plan(info.size_bytes, info.duration_s, info.width, info.height, limit_bytes)
        if isinstance(chosen, CannotFit):
            return chosen
        partial = dest.with_name(dest.name + ".part")
        try:
            async with self._one_at_a_time:
                for attempt in (1, 2):
                    problem = await self._run(
                        ffmpeg_command(
                            self._ffmpeg,
                            source,
                            partial,
                            chosen,
                            threads=self._threads,
                            preset=self._preset,
                        )
                    )
                    if problem is not None:
                        return CannotFit(problem)
                    size = partial.stat().st_size
                    if size <= limit_bytes:
                        result = await asyncio.to_thread(probe, partial)
                        if not isinstance(result, Mp4Info):
                            return CannotFit(f"ffmpeg wrote an unusable file: {result}")
                        os.replace(partial, dest)
                        return Fitted(
                            dest, size, reencoded=True, scaled=chosen.scale_to is not None
                        )
                    log.info(
                        "re-encode %d of %s is %d bytes, over %d",
                        attempt,
                        source,
                        size,
                        limit_bytes,
                    )
                    chosen = Plan(
                        int(chosen.video_kbps * RETRY_FACTOR), chosen.audio_kbps, chosen.scale_to
                    )
            return CannotFit("still over the limit after a second, smaller encode")
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
