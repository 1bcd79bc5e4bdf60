"""Billed seconds read from `usage`, in either of the shapes the contract shows."""

from __future__ import annotations

import pytest

from bot.api.models import TaskResult, billed_seconds_of


@pytest.mark.parametrize(
    ("usage", "seconds"),
    [
        ({"duration": 8, "input_video_duration": 3, "output_video_duration": 5}, 8.0),
        ({"input_video_duration": 3, "output_video_duration": 5}, 8.0),
        ({"output_video_duration": "5"}, 5.0),
        ({"video_count": 1, "video_ratio": "16:9", "video_duration": 6}, 6.0),
        ({"video_duration": "6.5"}, 6.5),
        ({"duration": "soon"}, None),
        ({"duration": -1}, None),
        # Not a duration anyone can be billed for: the estimate stands (its price would raise).
        ({"duration": "inf"}, None),
        ({"duration": "nan"}, None),
        ({"output_video_duration": 1e400}, None),
        ({"SR": 1080, "size": "1920*1080"}, None),
        ([5], None),
        (None, None),
    ],
)
def test_billed_seconds_from_either_shape(usage, seconds):
    assert billed_seconds_of(usage) == seconds


def test_a_query_answer_carries_its_billed_seconds():
    body = {
        "output": {"task_id": "t", "task_status": "SUCCEEDED"},
        "usage": {"duration": 7, "output_video_duration": 5},
    }
    assert TaskResult.from_json(body, "t").billed_seconds == 7.0
