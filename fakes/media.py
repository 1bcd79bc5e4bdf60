"""Real MP4 files (and still images) for the fakes and tests, made once with ffmpeg's `testsrc2`
picture and a `sine` tone and cached in the system temp dir, keyed by their parameters.

`make_mp4(1920, 1080, 10, "16M")` is a 1080P 10 s clip of about 20 MB, like a real Wan result.
The ultrafast preset keeps making them quick; the bitrate, not the preset, sets the size.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Final

import imageio_ffmpeg

CACHE_DIR: Final = Path(tempfile.gettempdir()) / "r2v-fake-media"
# Bump when the command changes, so old cached files are not mistaken for new ones.
_RECIPE: Final = "v1"


def make_mp4(
    width: int, height: int, seconds: float, bitrate: str | int, *, audio: bool = True
) -> Path:
    """A cached H.264/AAC MP4 of this size, length and video bitrate (e.g. "16M", 800_000)."""
    name = f"{_RECIPE}-{width}x{height}-{seconds:g}s-{bitrate}{'' if audio else '-silent'}.mp4"
    path = CACHE_DIR / name
    if path.is_file():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{name}.{secrets.token_hex(4)}.part")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    command += ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30"]
    if audio:
        command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    rate = str(bitrate)
    command += ["-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "ultrafast"]
    command += ["-b:v", rate, "-maxrate", rate, "-bufsize", rate, "-pix_fmt", "yuv420p"]
    if audio:
        command += ["-c:a", "aac", "-b:a", "128k"]
    command += ["-threads", "2", "-f", "mp4", "-y", str(partial)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        os.replace(partial, path)  # another process making the same file: last one wins, whole
    finally:
        partial.unlink(missing_ok=True)
    return path


def clip_1080p_10s() -> Path:
    """About 20 MB: over the 10 MiB upload cap of an unboosted server."""
    return make_mp4(1920, 1080, 10, "16M")


def clip_720p_2s() -> Path:
    """About 200 KB: small enough for any cap."""
    return make_mp4(1280, 720, 2, "700k")


# Still image formats `make_image` writes: ffmpeg's encoder and its options for each.
_IMAGE_ENCODERS: Final = {
    "png": ["-c:v", "png"],
    "jpg": ["-c:v", "mjpeg", "-q:v", "5"],
    "bmp": ["-c:v", "bmp"],
    "webp": ["-c:v", "libwebp", "-lossless", "0"],
    "webp-lossless": ["-c:v", "libwebp", "-lossless", "1"],
}


def make_image(width: int, height: int, kind: str = "png", *, alpha: bool = False) -> Path:
    """A cached still image of this size: `kind` is png, jpg, bmp, webp or webp-lossless;
    `alpha` gives a png an alpha channel."""
    extension = kind.split("-")[0]
    name = f"{_RECIPE}-{width}x{height}-{kind}{'-alpha' if alpha else ''}.{extension}"
    path = CACHE_DIR / name
    if path.is_file():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{name}.{secrets.token_hex(4)}.part")
    pixels = {"png": "rgba" if alpha else "rgb24", "jpg": "yuvj420p", "bmp": "bgr24"}
    pixel_format = pixels.get(extension, "yuv420p")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    command += ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=1"]
    command += ["-frames:v", "1", *_IMAGE_ENCODERS[kind], "-pix_fmt", pixel_format]
    command += ["-f", "image2", "-y", str(partial)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
