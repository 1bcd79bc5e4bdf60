"""How finished videos are downloaded, kept and re-encoded. Defaults live here, once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

GIB = 1024**3


@dataclass(frozen=True)
class VideoSettings:
    """Filled by the config loader from R2V_VIDEO_DIR, R2V_VIDEO_KEEP_DAYS,
    R2V_VIDEO_MAX_TOTAL_MB, R2V_FFMPEG, R2V_DOWNLOAD_TIMEOUT_SECONDS and
    R2V_TRANSCODE_TIMEOUT_SECONDS; everything else keeps its default."""

    video_dir: Path = Path("data/videos")
    # Where a video goes when video_dir cannot take it; None: the system's temporary folder
    # (TMPDIR, else /tmp).
    temporary_dir: Path | None = None
    # Kept files older than this are deleted; 0 keeps them until the size cap needs the room.
    keep_days: float = 7.0
    # Every kept file (originals and fitted copies) together; the oldest go first.
    max_total_bytes: int = 5 * GIB
    # None: the static ffmpeg (with libx264 and aac) shipped in the imageio-ffmpeg wheel.
    ffmpeg: str | None = None
    # A 10 s 1080P clip takes a few seconds on 2 cores; a stuck ffmpeg is killed (with every
    # process it started) after this, and the video is posted as its link.
    transcode_timeout_s: float = 300.0
    transcode_threads: int = 2
    transcode_preset: str = "veryfast"
    # Real results are 10–25 MB; anything far larger is not a Wan video.
    max_download_bytes: int = 500_000_000
    max_redirects: int = 3
    download_timeout_s: float = 300.0
    connect_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.keep_days < 0:
            raise ValueError("keep_days must not be negative (0 keeps files forever)")
        if self.max_total_bytes <= 0 or self.max_download_bytes <= 0:
            raise ValueError("max_total_bytes and max_download_bytes must be positive")
        if self.transcode_threads < 1 or self.max_redirects < 0:
            raise ValueError("transcode_threads must be ≥ 1 and max_redirects ≥ 0")
        if self.transcode_timeout_s <= 0 or self.download_timeout_s <= 0:
            raise ValueError("timeouts must be positive")

    def ffmpeg_exe(self) -> str:
        return self.ffmpeg or str(imageio_ffmpeg.get_ffmpeg_exe())
