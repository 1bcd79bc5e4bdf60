"""Stories: real shots of different sizes, one without sound, joined by the real ffmpeg into
one MP4 as long as the shots together."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import pytest

from bot.video.mp4 import Mp4Info, has_sound, probe
from bot.video.story import (
    Joined,
    JoinFailed,
    Shot,
    StoryJoiner,
    UnusableShot,
    frame_size,
    read_shot,
)
from fakes.media import make_mp4


@pytest.fixture(scope="module")
def shots() -> list[Path]:
    return [
        make_mp4(320, 240, 1, "200k"),
        make_mp4(640, 360, 2, "300k", audio=False),
        make_mp4(480, 480, 1.5, "200k"),
    ]


def joiner(**options) -> StoryJoiner:
    return StoryJoiner(imageio_ffmpeg.get_ffmpeg_exe(), **options)


def duration(path: Path) -> float:
    info = probe(path)
    assert isinstance(info, Mp4Info), info
    return info.duration_s


async def test_three_shots_of_different_sizes_one_silent_make_one_video(shots, tmp_path):
    assert [has_sound(shot) for shot in shots] == [True, False, True]
    dest = tmp_path / "story.mp4"

    outcome = await joiner().join(shots, dest)

    assert isinstance(outcome, Joined) and outcome.path == dest
    total = sum(duration(shot) for shot in shots)
    assert abs(outcome.info.duration_s - total) <= 0.05 * total
    assert (outcome.info.width, outcome.info.height) == (640, 360), "the largest shot's frame"
    assert has_sound(dest), "the silent shot got silence, the others kept their sound"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.mp4"]


def test_the_frame_is_the_largest_shots_with_even_sides():
    def shot(width: int, height: int) -> Shot:
        return Shot(Path("x.mp4"), 1.0, width, height, True)

    assert frame_size([shot(1280, 720), shot(1080, 1920), shot(960, 960)]) == (1080, 1920)
    assert frame_size([shot(721, 405)]) == (720, 404)
    assert frame_size([shot(960, 960), shot(1280, 720)]) == (960, 960), "the first of equals"


async def test_a_shot_that_is_no_video_is_named_and_nothing_runs(shots, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")

    outcome = await joiner().join([shots[0], bad], tmp_path / "story.mp4")

    assert isinstance(outcome, UnusableShot) and outcome.path == bad
    assert read_shot(bad) == outcome
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mp4"]


async def test_a_join_over_its_time_is_killed_and_leaves_nothing(shots, tmp_path):
    outcome = await joiner(timeout_s=0.01).join(shots, tmp_path / "story.mp4")

    assert outcome == JoinFailed("ffmpeg took longer than 0 s and was stopped")
    assert list(tmp_path.iterdir()) == []
