"""Planning a re-encode (pure): the budget, the audio share, and when to scale down."""

from __future__ import annotations

import pytest

from bot.video.fit import CannotFit, Plan, plan

MIB = 1024 * 1024
MB = 1_000_000


@pytest.mark.parametrize(
    ("case", "args", "expected"),
    [
        # 10 MiB for 10 s: 8.39 Mbit/s less 6 % margins less 128k audio: 1080P stays 1080P.
        ("1080P 10 s, 22 MB → 10 MiB", (22 * MB, 10, 1920, 1080, 10 * MIB), Plan(7757, 128, None)),
        ("720P 10 s, 11 MB → 10 MiB", (11 * MB, 10, 1280, 720, 10 * MIB), Plan(7757, 128, None)),
        ("portrait 1080P 5 s → 10 MiB", (12 * MB, 5, 1080, 1920, 10 * MIB), Plan(15642, 128, None)),
        # 3 MiB for 10 s leaves 2.2 Mbit/s: too little for 1080P, enough for 720P.
        ("1080P 10 s → 3 MiB", (22 * MB, 10, 1920, 1080, 3 * MIB), Plan(2237, 128, (1280, 720))),
        ("portrait → 3 MiB", (22 * MB, 10, 1080, 1920, 3 * MIB), Plan(2237, 128, (720, 1280))),
        ("square 1440 → 3 MiB", (22 * MB, 10, 1440, 1440, 3 * MIB), Plan(2237, 128, (720, 720))),
        # 1 MiB: 0.66 Mbit/s for the picture: 360P, and audio drops to 64k.
        ("1080P 10 s → 1 MiB", (22 * MB, 10, 1920, 1080, MIB), Plan(724, 64, (640, 360))),
        # Too little for anything watchable: only the smallest rung, then nothing.
        ("1080P 10 s → 400 KiB", (22 * MB, 10, 1920, 1080, 400 * 1024), Plan(244, 64, (640, 360))),
    ],
)
def test_plans(case, args, expected):
    assert plan(*args) == expected, case


def test_the_total_stays_inside_the_limit_with_room_for_the_container():
    chosen = plan(22 * MB, 10, 1920, 1080, 10 * MIB)
    assert isinstance(chosen, Plan)

    payload_bytes = (chosen.video_kbps + chosen.audio_kbps) * 1000 / 8 * 10

    assert payload_bytes <= 10 * MIB * 0.97


def test_a_budget_below_the_floor_cannot_fit():
    result = plan(22 * MB, 10, 1920, 1080, 200 * 1024)

    assert isinstance(result, CannotFit)
    assert "0.2 MiB" in result.reason


@pytest.mark.parametrize("args", [(22 * MB, 0, 1920, 1080, MIB), (22 * MB, 10, 0, 0, MIB)])
def test_no_duration_or_size_cannot_be_planned(args):
    assert isinstance(plan(*args), CannotFit)


def test_a_small_source_is_never_scaled_up():
    # 360P is already the smallest rung: the plan keeps it even when the budget is thin.
    assert plan(5 * MB, 10, 640, 360, 400 * 1024) == Plan(244, 64, None)
