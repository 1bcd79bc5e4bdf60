"""What one query answer means for a task, by table (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.api.models import TaskResult, TaskStatus
from bot.store.records import Ending, Origin, Phase, TaskRecord
from bot.tracking import lifecycle
from bot.tracking.delivery import LINK_LIFETIME_S
from bot.tracking.lifecycle import (
    Ended,
    KeepAsking,
    Progressed,
    Silent,
    Unchanged,
    Unreachable,
)
from tests.tracking.test_tracker import REQUEST

T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
NOW = T0.timestamp() + 100
RECORD = TaskRecord(
    "t1", Origin(1, 2, 3), REQUEST, created_at=T0.timestamp(), deadline_at=NOW + 600
)
VIDEO = "https://dashscope-result.oss.example/t1.mp4?Expires=1"


def answer(status: str, **fields: object) -> TaskResult:
    return TaskResult("t1", TaskStatus.parse(status), status, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "result", "step", "ending"),
    [
        ("PENDING", answer("PENDING"), Unchanged, None),
        ("PENDING", answer("RUNNING"), Progressed, None),
        ("RUNNING", answer("RUNNING"), Unchanged, None),
        ("RUNNING", answer("SUCCEEDED", video_url=VIDEO), Ended, Ending.SUCCEEDED),
        ("RUNNING", answer("SUCCEEDED"), Ended, Ending.NO_VIDEO),
        ("RUNNING", answer("SUCCEEDED", video_url="oss://bucket/t1.mp4"), Ended, Ending.NO_VIDEO),
        ("RUNNING", answer("SUCCEEDED", video_url="/relative/t1.mp4"), Ended, Ending.NO_VIDEO),
        ("PENDING", answer("FAILED", code="InvalidParameter"), Ended, Ending.FAILED),
        ("PENDING", answer("CANCELED"), Ended, Ending.CANCELED),
        ("PENDING", answer("UNKNOWN"), Ended, Ending.EXPIRED),
        ("PENDING", answer("SUSPENDED"), Progressed, None),
        ("SUSPENDED", answer("SUSPENDED"), Unchanged, None),
    ],
)
def test_each_answer_moves_the_task_as_documented(before, result, step, ending):
    record = replace(RECORD, raw_status=before, status=TaskStatus.parse(before))

    outcome = lifecycle.observe(record, result, NOW)

    assert type(outcome) is step
    assert outcome.record.raw_status == result.raw_status
    assert outcome.record.ending is ending
    assert (outcome.record.phase is Phase.DELIVERING) is (step is Ended)
    if step is Ended:
        assert outcome.record.finished_at == NOW
        assert outcome.record.error_code == result.code


def test_the_apis_own_times_give_queue_and_generation_time():
    submitted = answer("RUNNING", submit_time=T0, scheduled_time=T0.replace(second=20))
    running = lifecycle.observe(RECORD, submitted, NOW)
    assert isinstance(running, Progressed) and running.status_changed
    assert running.record.api_times["queued_s"] == 20
    # Generating since the API scheduled it: 80 s of the 100 s since submission.
    assert running.record.api_times["running_s"] == pytest.approx(80)

    done = answer(
        "SUCCEEDED",
        video_url=VIDEO,
        submit_time=T0,
        scheduled_time=T0.replace(second=20),
        end_time=T0.replace(minute=1, second=50),
    )
    ended = lifecycle.observe(running.record, done, NOW + 10)
    assert ended.record.api_times["running_s"] == 90


def test_a_first_timing_alone_is_worth_keeping():
    step = lifecycle.observe(RECORD, answer("PENDING", submit_time=T0), NOW)
    assert isinstance(step, Unchanged), "no scheduled time yet: nothing new"
    step = lifecycle.observe(
        RECORD, answer("PENDING", submit_time=T0, scheduled_time=T0.replace(second=5)), NOW
    )
    assert isinstance(step, Progressed) and not step.status_changed


@pytest.mark.parametrize(
    ("ending", "phase"),
    [
        (Ending.DEADLINE, Phase.DELIVERING),
        (Ending.UNREACHABLE, Phase.DELIVERING),
        (Ending.UNTRACKED, Phase.DONE),
    ],
)
def test_giving_up_says_how_and_whether_anyone_is_told(ending, phase):
    given_up = lifecycle.give_up(RECORD, ending, NOW)
    assert (given_up.ending, given_up.phase, given_up.finished_at) == (ending, phase, NOW)


def test_deadline_and_the_services_memory():
    assert not lifecycle.past_deadline(RECORD, RECORD.deadline_at - 1)
    assert lifecycle.past_deadline(RECORD, RECORD.deadline_at)
    day = LINK_LIFETIME_S
    assert not lifecycle.beyond_service_memory(RECORD, RECORD.created_at + day - 1)
    assert lifecycle.beyond_service_memory(RECORD, RECORD.created_at + day)


CREATED = RECORD.created_at
DAY_LATER = CREATED + LINK_LIFETIME_S
LAST_ANSWER = CREATED + 300


@pytest.mark.parametrize(
    ("record", "now", "step"),
    [
        # Before the deadline: one unanswered query is nothing to tell.
        (RECORD, RECORD.deadline_at - 1, KeepAsking()),
        # Past it: silent since the last answer, asked until the link's lifetime ends.
        (
            replace(RECORD, updated_at=LAST_ANSWER),
            RECORD.deadline_at,
            Silent(LAST_ANSWER, DAY_LATER),
        ),
        # Never answered at all: silent since the submission.
        (RECORD, RECORD.deadline_at + 60, Silent(CREATED, DAY_LATER)),
        (replace(RECORD, updated_at=LAST_ANSWER), DAY_LATER - 1, Silent(LAST_ANSWER, DAY_LATER)),
        # A day on, the service has forgotten the task.
        (RECORD, DAY_LATER, Unreachable()),
    ],
)
def test_a_query_the_service_did_not_answer_past_the_deadline_is_told_not_ignored(
    record, now, step
):
    assert lifecycle.after_failed_query(record, now) == step


@pytest.mark.parametrize(
    ("record", "now", "silent"),
    [
        (RECORD, RECORD.deadline_at - 1, False),
        (RECORD, RECORD.deadline_at, True),
        (replace(RECORD, phase=Phase.DELIVERING), RECORD.deadline_at, False),
        (replace(RECORD, phase=Phase.DONE), RECORD.deadline_at, False),
    ],
)
def test_only_a_task_still_followed_past_its_deadline_is_shown_as_unanswered(record, now, silent):
    assert (lifecycle.silence(record, now) is not None) is silent


@pytest.mark.parametrize("status", [TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.OTHER])
def test_only_terminal_statuses_have_an_ending(status):
    with pytest.raises(ValueError):
        lifecycle.ending_for(status)
