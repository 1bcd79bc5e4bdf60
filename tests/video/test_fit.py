"""Real ffmpeg: a 1080P 10 s ~20 MB clip (like a Wan result) fitted under a 10 MiB upload cap."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.video.fit import CannotFit, Fitted, Transcoder
from bot.video.mp4 import Mp4Info, probe
from bot.video.settings import VideoSettings

MIB = 1024 * 1024


def top_level_boxes(path: Path) -> list[bytes]:
    kinds = []
    with open(path, "rb") as file:
        while header := file.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                (size,) = struct.unpack(">Q", file.read(8))
                file.seek(size - 16, 1)
            else:
                file.seek(size - 8, 1)
            kinds.append(kind)
    return kinds


def transcoder(**kwargs) -> Transcoder:
    return Transcoder(VideoSettings().ffmpeg_exe(), **kwargs)


async def test_a_1080p_clip_over_10_mib_is_fitted_at_full_size(clip_1080p, tmp_path):
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info) and source.size_bytes > 15 * MIB
    dest = tmp_path / "fit.mp4"

    outcome = await transcoder().fit(clip_1080p, source, dest, 10 * MIB)

    assert outcome == Fitted(dest, dest.stat().st_size, reencoded=True, scaled=False)
    assert dest.stat().st_size <= 10 * MIB
    result = probe(dest)
    assert isinstance(result, Mp4Info)
    assert result.duration_s == pytest.approx(source.duration_s, rel=0.05)
    assert (result.width, result.height) == (1920, 1080)
    # faststart: the index comes before the media, so a player can start before the end.
    kinds = top_level_boxes(dest)
    assert kinds.index(b"moov") < kinds.index(b"mdat")
    assert list(tmp_path.iterdir()) == [dest]


async def test_a_small_limit_scales_the_picture_down(clip_720p, tmp_path):
    source = probe(clip_720p)
    assert isinstance(source, Mp4Info)
    dest = tmp_path / "fit.mp4"

    outcome = await transcoder().fit(clip_720p, source, dest, 150 * 1024)

    assert isinstance(outcome, Fitted) and outcome.scaled
    result = probe(dest)
    assert isinstance(result, Mp4Info)
    assert result.size_bytes <= 150 * 1024
    assert (result.width, result.height) == (640, 360)


async def test_a_limit_too_small_for_any_picture_cannot_fit(clip_720p, tmp_path):
    source = probe(clip_720p)
    assert isinstance(source, Mp4Info)

    outcome = await transcoder().fit(clip_720p, source, tmp_path / "fit.mp4", 20 * 1024)

    assert isinstance(outcome, CannotFit)
    assert list(tmp_path.iterdir()) == []


async def test_a_transcode_over_its_time_is_killed_and_leaves_nothing(clip_1080p, tmp_path):
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info)

    outcome = await transcoder(timeout_s=0.05).fit(clip_1080p, source, tmp_path / "f.mp4", MIB)

    assert outcome == CannotFit("ffmpeg took longer than 0 s and was stopped")
    assert list(tmp_path.iterdir()) == []


async def test_an_ffmpeg_that_fails_is_reported(clip_720p, tmp_path):
    source = probe(clip_720p)
    assert isinstance(source, Mp4Info)
    broken = Transcoder("/bin/false")

    outcome = await broken.fit(clip_720p, source, tmp_path / "f.mp4", 150 * 1024)

    assert isinstance(outcome, CannotFit) and "ffmpeg failed (1)" in outcome.reason


def recording_ffmpeg(tmp_path: Path, output: Path) -> tuple[Path, Path]:
    """A stand-in ffmpeg that logs when it starts and ends, and at what niceness, and writes a
    small real MP4 as its output (the last argument)."""
    log = tmp_path / "runs.log"
    script = tmp_path / "ffmpeg"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "start $(cut -d" " -f19 /proc/$$/stat)" >> {log}\n'
        "sleep 0.2\n"
        "for last; do :; done\n"
        f'cp {output} "$last"\n'
        f"echo end >> {log}\n"
    )
    script.chmod(0o755)
    return script, log


async def test_transcodes_run_one_at_a_time_and_niced(clip_1080p, clip_720p, tmp_path):
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info)
    script, log = recording_ffmpeg(tmp_path, clip_720p)
    runner = Transcoder(str(script))

    results = await asyncio.gather(
        runner.fit(clip_1080p, source, tmp_path / "a.mp4", 10 * MIB),
        runner.fit(clip_1080p, source, tmp_path / "b.mp4", 9 * MIB),
    )

    assert all(isinstance(result, Fitted) for result in results)
    lines = log.read_text().split("\n")[:-1]
    assert [line.split()[0] for line in lines] == ["start", "end", "start", "end"]
    expected_nice = min(19, os.nice(0) + 10)
    assert [int(line.split()[1]) for line in lines if line.startswith("start")] == [
        expected_nice
    ] * 2


async def test_a_missing_ffmpeg_is_reported(clip_720p, tmp_path):
    source = probe(clip_720p)
    assert isinstance(source, Mp4Info)

    outcome = await Transcoder(str(tmp_path / "no-ffmpeg")).fit(
        clip_720p, source, tmp_path / "f.mp4", 150 * 1024
    )

    assert isinstance(outcome, CannotFit) and "could not be started" in outcome.reason


def hanging_ffmpeg(tmp_path: Path, *, escaping: bool = False) -> tuple[Path, Path]:
    """A stand-in ffmpeg that hangs the way a wrapper script around a stuck encoder does: it
    starts a child that sleeps and waits for it. With `escaping`, the child leaves ffmpeg's
    process group (a session of its own). Each child's pid is added to the second path."""
    pid_file = tmp_path / "children.pid"
    script = tmp_path / "ffmpeg"
    child = "setsid sleep 600" if escaping else "sleep 600"
    script.write_text(f"#!/bin/sh\n{child} &\necho $! >> {pid_file}\nwait\n")
    script.chmod(0o755)
    return script, pid_file


def children(pid_file: Path) -> list[int]:
    return [int(line) for line in pid_file.read_text().split()] if pid_file.exists() else []


def is_gone(pid: int) -> bool:
    """The process has ended (a zombie not reaped yet counts: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@contextlib.contextmanager
def ended_afterwards(pid_file: Path) -> Iterator[None]:
    """Whatever the test found, the children it made ffmpeg start end with the test."""
    try:
        yield
    finally:
        for pid in children(pid_file):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


async def test_a_hung_ffmpeg_is_killed_at_its_timeout_with_its_child(clip_1080p, tmp_path):
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info)
    script, pid_file = hanging_ffmpeg(tmp_path)

    with ended_afterwards(pid_file):
        outcome = await Transcoder(str(script), timeout_s=0.5).fit(
            clip_1080p, source, tmp_path / "f.mp4", 10 * MIB
        )

        assert outcome == CannotFit("ffmpeg took longer than 0 s and was stopped")
        [child] = children(pid_file)
        assert is_gone(child), "the wrapper's child was killed with it"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["children.pid", "ffmpeg"]


async def test_a_child_that_left_the_process_group_holds_neither_this_fit_nor_the_next(
    clip_1080p, tmp_path
):
    """Killing the group cannot reach a process in a session of its own: it runs on, but it
    holds nothing the bot waits for, so each fit ends at its timeout."""
    source = probe(clip_1080p)
    assert isinstance(source, Mp4Info)
    script, pid_file = hanging_ffmpeg(tmp_path, escaping=True)
    runner = Transcoder(str(script), timeout_s=0.5)

    with ended_afterwards(pid_file):
        first = await runner.fit(clip_1080p, source, tmp_path / "a.mp4", 10 * MIB)
        second = await runner.fit(clip_1080p, source, tmp_path / "b.mp4", 10 * MIB)

        assert first == second == CannotFit("ffmpeg took longer than 0 s and was stopped")
        assert len(children(pid_file)) == 2
