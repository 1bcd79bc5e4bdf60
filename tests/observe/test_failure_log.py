"""The same failure again and again is a few lines with counts: a clock moved by hand."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from bot.observe.failure_log import FailureLog, RepeatsInOneLine, describe


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def failures(clock: Clock) -> FailureLog:
    return FailureLog(logging.getLogger("test.place"), "the place", interval_s=60.0, clock=clock)


def shown(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The lines above DEBUG, as an operator at LOG_LEVEL=INFO reads them."""
    return [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]


def test_an_outage_is_one_line_then_a_count_per_interval_then_one_line_at_its_end(
    failures, clock, caplog
):
    caplog.set_level(logging.DEBUG, "test.place")
    # 90 s of failures, eight a second (a tracker polling), then it works.
    for _ in range(720):
        failures.failed(ConnectionRefusedError(111, "Connection refused"))
        clock.now += 0.125
    assert failures.failing
    failures.succeeded()

    assert shown(caplog) == [
        "the place failed: ConnectionRefusedError: [Errno 111] Connection refused "
        "(repeats are counted and logged every 60 s)",
        "the place failed 480 more time(s) in the last 60 s "
        "(last: ConnectionRefusedError: [Errno 111] Connection refused)",
        "the place succeeded again, after 720 failure(s) in 90 s",
    ]
    assert not any(r.exc_info for r in caplog.records), "an outage brings no traceback"
    assert len(caplog.records) == 720 + 2, "each repeat at DEBUG, for whoever asks for them"
    assert not failures.failing


def test_a_bug_brings_its_traceback_once_per_streak(failures, clock, caplog):
    for _ in range(5):
        failures.failed(KeyError("status"), about="task abc")
        clock.now += 1
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    first = with_traceback[0].getMessage()
    assert first.startswith("the place failed: KeyError: 'status' (task abc)")


def test_a_streak_without_a_success_ends_after_a_quiet_interval(failures, clock, caplog):
    failures.failed(TimeoutError())
    clock.now += 1
    failures.failed(TimeoutError())  # counted, not logged
    clock.now += 120
    assert not failures.failing
    failures.failed(OSError("gone"))
    assert shown(caplog) == [
        "the place failed: TimeoutError (repeats are counted and logged every 60 s)",
        "the place failed: OSError: gone (1 earlier failure(s) not logged) "
        "(repeats are counted and logged every 60 s)",
    ]


def test_a_success_without_failures_says_nothing(failures, caplog):
    failures.succeeded()
    assert caplog.records == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(2, "No such file"), "FileNotFoundError: [Errno 2] No such file"),
        (TimeoutError(), "TimeoutError"),
        (ValueError("first line\nsecond line"), "ValueError: first line"),
        (ValueError("x" * 500), "ValueError: " + "x" * 199 + "…"),
    ],
)
def test_an_error_is_described_in_one_short_line(error, expected):
    assert describe(error) == expected


def test_asyncpgs_own_retry_line_goes_through_the_count(clock, caplog):
    logger = logging.getLogger("test.library")
    retrying = "Failed to restore the pool connection floor; retrying"
    counted = FailureLog(logger, "the library's pool", clock=clock)
    only_that_line = RepeatsInOneLine(retrying, counted)
    logger.addFilter(only_that_line)
    try:
        for _ in range(6):
            try:
                raise asyncpg.CannotConnectNowError("the database system is shutting down")
            except asyncpg.CannotConnectNowError:
                logger.warning(retrying, exc_info=True)
            clock.now += 2
        logger.warning("Pool.close() is taking over 60 seconds to complete.")
    finally:
        logger.removeFilter(only_that_line)
    assert shown(caplog) == [
        "the library's pool failed: CannotConnectNowError: the database system is shutting "
        "down (repeats are counted and logged every 60 s)",
        "Pool.close() is taking over 60 seconds to complete.",
    ]
    assert not any(r.exc_info for r in caplog.records)
