"""A file offered to the cast: what it is and whether the API would take it. Pure.

A file is judged twice. Before it is downloaded, by what Discord says of it (type, size,
pixels: the same checks as `ref1`…`ref5`, through `bot.generation.files.check_file`). Once
downloaded, by what it holds: an image's format, pixels and transparency from its header (the
API refuses PNGs with transparency), a clip's length from its MP4 boxes (1–30 s). So a bad file
is refused once, when it is added, never at each use.

Links are taken only when they are Discord's own attachment links (the bot fetches nothing
else; a link to anywhere else is refused before any request is made).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Final
from urllib.parse import unquote, urlsplit

from bot.generation import limits
from bot.generation.cast import check_clip_length
from bot.generation.files import AttachmentInput, check_file
from bot.generation.problems import Problem, ProblemCode, problem
from bot.store.cast import CastFile
from bot.video.mp4 import Mp4Info, ProbeResult

# Discord's CDN hosts for attachments.
DISCORD_CDN_HOSTS: Final = frozenset({"cdn.discordapp.com", "media.discordapp.net"})
# The content type each supported format is kept under, and its file name extension.
CONTENT_TYPES: Final[dict[str, tuple[str, str]]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "BMP": ("image/bmp", ".bmp"),
    "WEBP": ("image/webp", ".webp"),
    "MP4": ("video/mp4", ".mp4"),
    "MOV": ("video/quicktime", ".mov"),
}
_EXTENSION_TYPES: Final[dict[str, str]] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
}
# PNG colour types with an alpha channel: grey + alpha, RGB + alpha.
_PNG_ALPHA_TYPES: Final = frozenset({4, 6})
# JPEG start-of-frame markers (all but DHT C4, JPG C8 and DAC CC).
_JPEG_FRAMES: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class ImageFacts:
    file_format: str  # "JPEG", "PNG", "BMP" or "WEBP"
    width: int
    height: int
    transparent: bool = False  # a PNG with an alpha channel or a transparency chunk


def image_facts(data: bytes) -> ImageFacts | None:
    """What an image file holds, read from its header; None when it is none of the formats the
    API takes, or is cut short."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(data)
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data.startswith(b"BM"):
            return _bmp(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except (struct.error, IndexError):
        return None
    return None


def _png(data: bytes) -> ImageFacts | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    transparent = data[25] in _PNG_ALPHA_TYPES
    # A tRNS chunk before the image data makes a colour transparent.
    offset = 8
    while not transparent and offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind in (b"IDAT", b"IEND"):
            break
        transparent = kind == b"tRNS"
        offset += 12 + length
    return ImageFacts("PNG", width, height, transparent)


def _jpeg(data: bytes) -> ImageFacts | None:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageFacts("JPEG", width, height)
        if marker == 0xDA:  # image data before any frame header
            return None
        offset += 2 + length
    return None


def _bmp(data: bytes) -> ImageFacts | None:
    (header_size,) = struct.unpack("<I", data[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sides
        width, height = struct.unpack("<HH", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    return ImageFacts("BMP", abs(width), abs(height))


def _webp(data: bytes) -> ImageFacts | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        # A key frame: start code at 23, then 14-bit width and height.
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return ImageFacts("WEBP", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[21:25])
        return ImageFacts("WEBP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageFacts("WEBP", width, height)
    return None


# -- links -------------------------------------------------------------------------------------


def discord_file_link(url: str, extra_hosts: tuple[str, ...] = ()) -> str | None:
    """The file name of a Discord attachment link (`https://cdn.discordapp.com/attachments/
    <channel>/<id>/<name>?ex=…`), or None for any other link. `extra_hosts` (host or host:port)
    count as Discord's too: a local Discord in tests and demos."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return None
    ours = host in DISCORD_CDN_HOSTS and parts.scheme == "https"
    if not ours and netloc not in extra_hosts and host not in extra_hosts:
        return None
    path = PurePosixPath(parts.path)
    if len(path.parts) != 5 or path.parts[1] not in ("attachments", "ephemeral-attachments"):
        return None
    channel, attachment = path.parts[2:4]
    if not (channel.isdecimal() and attachment.isdecimal()):
        return None
    return unquote(path.name) or None


def offered_link(url: str, filename: str) -> AttachmentInput:
    """A Discord attachment link as a file offer: its type from its name, its size not yet
    known (checked once downloaded)."""
    content_type = _EXTENSION_TYPES.get(PurePosixPath(filename).suffix.lower())
    return AttachmentInput(0, filename, content_type, 0, url)


# -- judging -----------------------------------------------------------------------------------


def judge_offer(offer: AttachmentInput) -> limits.Kind | tuple[Problem, ...]:
    """What Discord says of the file, by the rules of `ref1`…`ref5`: its kind, or its
    problems."""
    reference, problems = check_file(offer)
    if problems or reference is None:
        return problems
    return reference.kind


def judge_image(offer: AttachmentInput, data: bytes) -> CastFile | tuple[Problem, ...]:
    """A downloaded image, judged by what it holds."""
    facts = image_facts(data)
    if facts is None:
        return (problem(ProblemCode.CAST_FILE_UNREADABLE, filename=offer.filename),)
    if facts.file_format == "PNG" and facts.transparent:
        return (problem(ProblemCode.CAST_IMAGE_TRANSPARENT, filename=offer.filename),)
    seen = replace(
        offer,
        content_type=CONTENT_TYPES[facts.file_format][0],
        size=len(data),
        width=facts.width,
        height=facts.height,
    )
    _, problems = check_file(seen)
    if problems:
        return problems
    return CastFile(
        kind="image",
        file_format=facts.file_format,
        size_bytes=len(data),
        original_filename=offer.filename,
        width=facts.width,
        height=facts.height,
    )


def judge_clip(
    offer: AttachmentInput, info: ProbeResult, size: int
) -> CastFile | tuple[Problem, ...]:
    """A downloaded clip, judged by what it holds (`bot.video.mp4.probe` of it)."""
    if not isinstance(info, Mp4Info):
        return (problem(ProblemCode.CAST_CLIP_UNREADABLE, filename=offer.filename),)
    _, problems = check_file(replace(offer, size=size))
    too_short_or_long = check_clip_length(info.duration_s, offer.filename)
    found = (*problems, *((too_short_or_long,) if too_short_or_long else ()))
    if found:
        return found
    content_type = (offer.content_type or "").split(";")[0].strip().lower()
    return CastFile(
        kind="video",
        file_format=limits.VIDEO_CONTENT_TYPES.get(content_type, "MP4"),
        size_bytes=size,
        original_filename=offer.filename,
        width=info.width,
        height=info.height,
        clip_seconds=round(info.duration_s, 3),
    )


def kept_filename(base: str, file_format: str) -> str:
    """The name a kept file (and its copy on Discord) goes by: `base` with its format's
    extension, so the name says what the bytes are."""
    return base + CONTENT_TYPES[file_format][1]
