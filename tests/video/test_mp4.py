"""The MP4 check the bot runs before posting a file: real clips pass, junk is named."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bot.video.mp4 import Empty, Mp4Info, NoDuration, NotMp4, probe
from fakes.media import make_mp4


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large_box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


FTYP = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")


def mvhd_v0(timescale: int, duration: int) -> bytes:
    return box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, timescale, duration) + bytes(80))


def mvhd_v1(timescale: int, duration: int) -> bytes:
    return box(b"mvhd", b"\x01\x00\x00\x00" + struct.pack(">QQIQ", 0, 0, timescale, duration))


def tkhd_v0(width: int, height: int) -> bytes:
    fields = (
        bytes(20) + bytes(8) + bytes(8) + bytes(36) + struct.pack(">II", width << 16, height << 16)
    )
    return box(b"tkhd", bytes(4) + fields)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "v.mp4"
    path.write_bytes(data)
    return path


def test_a_real_clip_gives_its_duration_and_size(clip_1080p):
    info = probe(clip_1080p)

    assert isinstance(info, Mp4Info)
    assert info.duration_s == pytest.approx(10.0, abs=0.1)
    assert (info.width, info.height) == (1920, 1080)
    assert info.size_bytes == clip_1080p.stat().st_size


def test_a_silent_portrait_clip_is_read_too():
    info = probe(make_mp4(360, 640, 1, "200k", audio=False))

    assert isinstance(info, Mp4Info)
    assert (info.width, info.height) == (360, 640)
    assert info.duration_s == pytest.approx(1.0, abs=0.1)


def test_version_1_headers_and_64_bit_box_sizes_are_read(tmp_path):
    moov = large_box(b"moov", mvhd_v1(90_000, 450_000) + box(b"trak", tkhd_v0(1280, 720)))
    data = FTYP + box(b"free", bytes(10)) + moov

    assert probe(write(tmp_path, data)) == Mp4Info(5.0, 1280, 720, len(data))


def test_an_audio_track_before_the_video_one_does_not_hide_the_size(tmp_path):
    tracks = box(b"trak", tkhd_v0(0, 0)) + box(b"trak", tkhd_v0(1920, 1080))
    data = FTYP + box(b"moov", mvhd_v0(1000, 4000) + tracks)

    info = probe(write(tmp_path, data))

    assert isinstance(info, Mp4Info) and (info.width, info.height) == (1920, 1080)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", Empty()),
        (b"<html><body>Access denied</body></html>", NotMp4("it does not start with an ftyp box")),
        (box(b"moov", mvhd_v0(1000, 5000)) + FTYP, NotMp4("it does not start with an ftyp box")),
        (FTYP + box(b"mdat", bytes(64)), NotMp4("it has no moov box")),
        (FTYP + box(b"moov", mvhd_v0(1000, 0)), NoDuration()),
        (FTYP + box(b"moov", mvhd_v0(0, 5000)), NoDuration()),
        (FTYP + box(b"moov", box(b"trak", tkhd_v0(640, 360))), NoDuration()),
        (FTYP + struct.pack(">I4s", 4, b"moov"), NotMp4("box b'moov' has an impossible size")),
    ],
    ids=["empty", "html", "ftyp not first", "no moov", "zero", "no timescale", "no mvhd", "size"],
)
def test_junk_is_named(tmp_path, data, expected):
    assert probe(write(tmp_path, data)) == expected


def test_a_download_cut_short_is_not_an_mp4(clip_720p, tmp_path):
    # Without faststart the moov index sits at the end: a cut file has none.
    data = clip_720p.read_bytes()

    result = probe(write(tmp_path, data[: len(data) // 2]))

    assert isinstance(result, NotMp4)
    assert "past the end" in result.reason


def test_a_missing_file_is_reported_not_raised(tmp_path):
    assert isinstance(probe(tmp_path / "nothing.mp4"), NotMp4)
