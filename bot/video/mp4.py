"""Is a file an MP4 worth posting? Reads only box headers and two small boxes (seeks, never
loads the file), so a 500 MB file costs a few reads.

ISO BMFF layout: each box is a 32-bit size and a 4-character type (size 1: a 64-bit size
follows; size 0: the box runs to the end of the file). `ftyp` must come first; `moov` holds
`mvhd` (timescale and duration) and one `trak` per stream, each with a `tkhd` that carries the
display width and height (zero for audio).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

_MAX_BOX_PAYLOAD_READ: Final = 128  # mvhd and tkhd fields all sit in the first 92 bytes


@dataclass(frozen=True)
class Mp4Info:
    duration_s: float
    width: int | None  # of the first video track; None if it has none
    height: int | None
    size_bytes: int


@dataclass(frozen=True)
class Empty:
    """The file has no bytes."""


@dataclass(frozen=True)
class NotMp4:
    reason: str


@dataclass(frozen=True)
class NoDuration:
    """An MP4 whose movie header gives no duration (e.g. fragmented, or a broken encoder)."""


Mp4Problem = Empty | NotMp4 | NoDuration
ProbeResult = Mp4Info | Mp4Problem


@dataclass(frozen=True)
class _Box:
    kind: bytes
    payload_start: int
    end: int


def probe(path: Path) -> ProbeResult:
    """What `path` holds: its duration and picture size, or why it is not a usable MP4."""
    try:
        size = os.path.getsize(path)
        if size == 0:
            return Empty()
        with open(path, "rb") as file:
            return _probe(file, size)
    except OSError as error:
        return NotMp4(f"unreadable: {error.strerror or error}")


def _probe(file: BinaryIO, size: int) -> ProbeResult:
    if file.read(8)[4:8] != b"ftyp":
        return NotMp4("it does not start with an ftyp box")
    boxes = _boxes(file, 0, size)
    first = next(boxes, None)  # the ftyp box checked above, or why its size is wrong
    if isinstance(first, NotMp4):
        return first
    moov: _Box | None = None
    for box in boxes:
        if isinstance(box, NotMp4):
            return box
        if box.kind == b"moov":
            moov = box
            break
    if moov is None:
        return NotMp4("it has no moov box")
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    for child in _boxes(file, moov.payload_start, moov.end):
        if isinstance(child, NotMp4):
            return child
        if child.kind == b"mvhd":
            duration_s = _movie_duration(_read(file, child))
        elif child.kind == b"trak" and width is None:
            width, height = _track_size(file, child)
    if duration_s is None or duration_s <= 0:
        return NoDuration()
    return Mp4Info(duration_s=duration_s, width=width, height=height, size_bytes=size)


def _boxes(file: BinaryIO, start: int, end: int) -> Iterator[_Box | NotMp4]:
    """The boxes laid end to end in [start, end), or a NotMp4 where the layout breaks."""
    offset = start
    while offset + 8 <= end:
        file.seek(offset)
        header = file.read(8)
        if len(header) < 8:
            yield NotMp4("truncated box header")
            return
        box_size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if box_size == 1:
            large = file.read(8)
            if len(large) < 8:
                yield NotMp4("truncated box header")
                return
            (box_size,) = struct.unpack(">Q", large)
            header_size = 16
        elif box_size == 0:
            box_size = end - offset
        if box_size < header_size:
            yield NotMp4(f"box {kind!r} has an impossible size")
            return
        if offset + box_size > end:
            yield NotMp4(f"box {kind!r} runs past the end (truncated file?)")
            return
        yield _Box(kind=kind, payload_start=offset + header_size, end=offset + box_size)
        offset += box_size


def _read(file: BinaryIO, box: _Box) -> bytes:
    file.seek(box.payload_start)
    return file.read(min(box.end - box.payload_start, _MAX_BOX_PAYLOAD_READ))


def _movie_duration(payload: bytes) -> float | None:
    # version(1) flags(3), then v0: created(4) modified(4) timescale(4) duration(4);
    # v1: created(8) modified(8) timescale(4) duration(8).
    if len(payload) < 4:
        return None
    version = payload[0]
    timescale: int
    duration: int
    try:
        if version == 1:
            timescale, duration = struct.unpack_from(">IQ", payload, 4 + 16)
        else:
            timescale, duration = struct.unpack_from(">II", payload, 4 + 8)
    except struct.error:
        return None
    # All ones means "unknown" in both versions.
    if timescale == 0 or duration in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return float(duration) / timescale


def _track_size(file: BinaryIO, trak: _Box) -> tuple[int | None, int | None]:
    for child in _boxes(file, trak.payload_start, trak.end):
        if isinstance(child, NotMp4) or child.kind != b"tkhd":
            continue
        payload = _read(file, child)
        if not payload:
            return None, None
        # After version/flags: times and track id, reserved, duration (v0: 20 bytes, v1: 32),
        # then reserved(8) layer(2) group(2) volume(2) reserved(2) matrix(36), then 16.16
        # fixed-point width and height.
        offset = 4 + (32 if payload[0] == 1 else 20) + 8 + 8 + 36
        try:
            width, height = struct.unpack_from(">II", payload, offset)
        except struct.error:
            return None, None
        width, height = width >> 16, height >> 16
        return (width, height) if width and height else (None, None)
    return None, None


def has_sound(path: Path) -> bool:
    """Whether an MP4 has a sound track (a `trak` whose `mdia/hdlr` handler is `soun`); False
    for anything unreadable. Reads box headers only, like `probe`."""
    try:
        with open(path, "rb") as file:
            size = os.path.getsize(path)
            moov = next(
                (b for b in _boxes(file, 0, size) if isinstance(b, _Box) and b.kind == b"moov"),
                None,
            )
            if moov is None:
                return False
            return any(_handler(file, trak) == b"soun" for trak in _children(file, moov, b"trak"))
    except OSError:
        return False


def _children(file: BinaryIO, parent: _Box, kind: bytes) -> list[_Box]:
    return [
        box
        for box in _boxes(file, parent.payload_start, parent.end)
        if isinstance(box, _Box) and box.kind == kind
    ]


def _handler(file: BinaryIO, trak: _Box) -> bytes | None:
    for mdia in _children(file, trak, b"mdia"):
        for hdlr in _children(file, mdia, b"hdlr"):
            # version(1) flags(3) pre_defined(4), then the handler type.
            return _read(file, hdlr)[8:12]
    return None
