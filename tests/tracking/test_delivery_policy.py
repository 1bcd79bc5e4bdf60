"""The pure delivery policy: which Discord refusals pass, the backoff, when retrying stops, and
where a restart picks a delivery up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.store.records import Origin, Phase, TaskRecord
from bot.tracking.delivery import (
    LINK_LIFETIME_S,
    Backoff,
    Lasting,
    OutOfTime,
    Passing,
    RetryAt,
    discord_failure,
    link_expires_at,
    next_attempt,
    resume_delay,
)
from tests.tracking.test_tracker import REQUEST


def record(**changes) -> TaskRecord:
    base = TaskRecord(
        task_id="t",
        origin=Origin(requester_id=1, guild_id=2, channel_id=3),
        request=REQUEST,
        created_at=1000.0,
        deadline_at=2800.0,
        phase=Phase.DELIVERING,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (403, 50001, Lasting),  # Missing Access: the channel is hidden from the bot
        (403, 50013, Lasting),  # Missing Permissions: may not send or attach
        (404, 10003, Lasting),  # Unknown Channel: deleted
        (400, 50035, Lasting),  # Invalid Form Body: the same request fails again
        (500, 0, Passing),
        (502, 0, Passing),
        (503, 0, Passing),
        (429, 0, Passing),
        (413, 40005, Passing),  # the server lost its boost; the next attempt refits
    ],
)
def test_which_refusals_pass(status, code, kind):
    assert isinstance(discord_failure(status, code), kind)


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(1, 10.0), (2, 20.0), (3, 40.0), (6, 320.0), (7, 600.0), (50, 600.0), (10_000, 600.0)],
)
def test_the_backoff_doubles_up_to_its_cap(failures, delay):
    assert Backoff(first_s=10, max_s=600).delay(failures) == delay


def test_a_backoff_that_makes_no_sense_is_refused():
    for first, cap in ((0, 10), (10, 5)):
        with pytest.raises(ValueError):
            Backoff(first_s=first, max_s=cap)


@pytest.mark.parametrize(
    ("failures", "now", "until", "expected"),
    [
        (1, 0.0, 1000.0, RetryAt(10.0)),
        (3, 0.0, 1000.0, RetryAt(40.0)),
        (9, 900.0, 1000.0, RetryAt(1000.0)),  # the last try lands on the last moment
        (9, 1000.0, 1000.0, OutOfTime()),
        (1, 1001.0, 1000.0, OutOfTime()),
    ],
)
def test_retries_last_as_long_as_the_result_can_be_had(failures, now, until, expected):
    assert next_attempt(failures, now, until, Backoff(first_s=10, max_s=600)) == expected


def test_the_link_lives_a_day_after_the_task_ended():
    assert link_expires_at(record(finished_at=5000.0)) == 5000.0 + LINK_LIFETIME_S
    assert link_expires_at(record()) == 1000.0 + LINK_LIFETIME_S


@pytest.mark.parametrize(
    ("next_at", "now", "delay"),
    [(None, 50.0, 0.0), (200.0, 50.0, 150.0), (20.0, 50.0, 0.0)],
    ids=["not waiting", "waiting", "overdue"],
)
def test_a_restart_keeps_a_deliverys_next_time(next_at, now, delay):
    assert resume_delay(record(next_delivery_at=next_at), now) == delay
