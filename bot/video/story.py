"""A story: the kept videos of a chain of shots joined, in order, into one MP4.

Shots may differ in picture size (a 720P shot continued at 1080P, portrait after landscape)
and in sound (flash can be silent). One ffmpeg run normalises them: every picture scaled to
fit the story's frame (the largest shot's) and padded to it, one frame rate; every shot's
sound resampled to one format and cut or padded to the shot's own length, a silent shot given
silence of its length, so sound and picture stay together across the cuts. Then the concat
filter joins them. The result is written under a `.part` name and renamed when whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.video.ffmpeg import FfmpegJobs
from bot.video.mp4 import Mp4Info, has_sound, probe

log = logging.getLogger(__name__)

FRAME_RATE: Final = 30
AUDIO_RATE: Final = 48000
AUDIO_KBPS: Final = 128
# Quality of the joined picture; fitting to a channel's cap comes after, like any result.
CRF: Final = 20


@dataclass(frozen=True)
class Shot:
    path: Path
    duration_s: float
    width: int
    height: int
    sound: bool


@dataclass(frozen=True)
class Joined:
    path: Path
    info: Mp4Info


@dataclass(frozen=True)
class UnusableShot:
    """A shot's file is not a video that can be joined (nothing was run)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class JoinFailed:
    reason: str


StoryOutcome = Joined | UnusableShot | JoinFailed


def read_shot(path: Path) -> Shot | UnusableShot:
    """What a kept video is, for joining (reads box headers only)."""
    info = probe(path)
    if not isinstance(info, Mp4Info):
        return UnusableShot(path, str(info))
    if info.width is None or info.height is None:
        return UnusableShot(path, "it has no picture")
    return Shot(path, info.duration_s, info.width, info.height, has_sound(path))


def frame_size(shots: Sequence[Shot]) -> tuple[int, int]:
    """The story's frame: the largest shot's picture (by area; the first of equals), with
    even sides as H.264 needs them."""
    largest = max(shots, key=lambda shot: shot.width * shot.height)
    return largest.width // 2 * 2, largest.height // 2 * 2


def join_command(
    ffmpeg: str,
    shots: Sequence[Shot],
    dest: Path,
    *,
    threads: int = 2,
    preset: str = "veryfast",
) -> list[str]:
    """The one ffmpeg run that joins `shots` into `dest` (see the module's docstring)."""
    width, height = frame_size(shots)
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-threads", str(threads)]
    for shot in shots:
        command += ["-i", str(shot.path)]
    filters: list[str] = []
    joined: list[str] = []
    silence_input = len(shots)
    layout = f"aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo"
    for index, shot in enumerate(shots):
        filters.append(
            f"[{index}:v:0]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,"
            f"fps={FRAME_RATE},format=yuv420p,setpts=PTS-STARTPTS[v{index}]"
        )
        if shot.sound:
            source = f"[{index}:a:0]"
        else:
            command += ["-t", f"{shot.duration_s:.3f}", "-f", "lavfi"]
            command += ["-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
            source = f"[{silence_input}:a:0]"
            silence_input += 1
        # Each shot's sound lasts exactly as long as the shot: cut, or padded with silence.
        filters.append(
            f"{source}{layout},apad,atrim=0:{shot.duration_s:.3f},asetpts=N/SR/TB[a{index}]"
        )
        joined.append(f"[v{index}][a{index}]")
    filters.append(f"{''.join(joined)}concat=n={len(shots)}:v=1:a=1[v][a]")
    command += ["-filter_complex", ";".join(filters), "-map", "[v]", "-map", "[a]"]
    command += ["-c:v", "libx264", "-preset", preset, "-crf", str(CRF), "-pix_fmt", "yuv420p"]
    command += ["-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k"]
    command += ["-threads", str(threads), "-movflags", "+faststart", "-f", "mp4", str(dest)]
    return command


class StoryJoiner(FfmpegJobs):
    """Joins shots into one video, one join at a time (see `FfmpegJobs`)."""

    async def join(self, sources: Sequence[Path], dest: Path) -> StoryOutcome:
        """Join `sources` in order into `dest` (written whole or not at all)."""
        if not sources:
            return JoinFailed("a story needs at least one shot")
        shots: list[Shot] = []
        for source in sources:
            shot = await asyncio.to_thread(read_shot, source)
            if isinstance(shot, UnusableShot):
                return shot
            shots.append(shot)
        partial = dest.with_name(dest.name + ".part")
        command = join_command(
            self._ffmpeg, shots, partial, threads=self._threads, preset=self._preset
        )
        try:
            async with self._one_at_a_time:
                problem = await self._run(command)
            if problem is not None:
                return JoinFailed(problem)
            info = await asyncio.to_thread(probe, partial)
            if not isinstance(info, Mp4Info):
                return JoinFailed(f"ffmpeg wrote an unusable file: {info}")
            os.replace(partial, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        log.info("story of %d shots joined into %s (%.1f s)", len(shots), dest, info.duration_s)
        return Joined(dest, info)
