"""The backoff schedule is a pure function: tested with tables."""

from __future__ import annotations

import pytest

from bot.api.retry import RetryPolicy, backoff_delay, parse_retry_after

POLICY = RetryPolicy(base_delay=0.5, max_delay=8.0, jitter=0.25)


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [
        # rand 0.5 is no jitter: the plain exponential schedule
        (1, 0.5, 0.5),
        (2, 0.5, 1.0),
        (3, 0.5, 2.0),
        (4, 0.5, 4.0),
        (5, 0.5, 8.0),
        (6, 0.5, 8.0),  # capped
        (30, 0.5, 8.0),
        # rand 0 and 1 are the ends of the ± 25 % spread
        (1, 0.0, 0.375),
        (1, 1.0, 0.625),
        (3, 0.0, 1.5),
        (3, 1.0, 2.5),
        (9, 0.0, 6.0),
        (9, 1.0, 8.0),  # the cap holds after the spread too
    ],
)
def test_backoff_delay(attempt, rand, expected):
    assert backoff_delay(POLICY, attempt, rand=rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(1.0, 1.0), (0.0, 0.0), (7.5, 7.5), (19.0, 19.0), (-3.0, 0.0)],
)
@pytest.mark.parametrize("rand", [0.0, 1.0])
def test_retry_after_is_honoured_as_given(retry_after, expected, rand):
    assert backoff_delay(POLICY, 3, retry_after, rand=rand) == expected


def test_no_jitter_policy_is_exact():
    policy = RetryPolicy(base_delay=1.0, max_delay=3.0, jitter=0.0)

    assert [backoff_delay(policy, n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]


def test_random_jitter_stays_within_bounds_and_varies():
    delays = {backoff_delay(POLICY, 2) for _ in range(200)}

    assert all(0.75 <= delay <= 1.25 for delay in delays)
    assert len(delays) > 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1", 1.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 30 ", 30.0),
        (None, None),
        ("", None),
        ("-1", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected
