"""The backoff schedule is a pure function: tested with tables."""

from __future__ import annotations

import pytest

from bot.api.retry import RETRY_AFTER_MAX_S, RetryPolicy, backoff_delay, parse_retry_after

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


# 2015-10-21 07:28:00 UTC, the moment the HTTP dates below are read at.
NOW = 1445412480.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # delay-seconds, as the RFC writes them and as servers send them anyway
        ("1", 1.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 30 ", 30.0),
        ("0.0000001", 1e-07),
        ("1E2", 100.0),
        # huge: a long while, never more than the cap (and never an error)
        ("3600", RETRY_AFTER_MAX_S),
        ("86400", RETRY_AFTER_MAX_S),
        ("1e308", RETRY_AFTER_MAX_S),
        ("1e999999", RETRY_AFTER_MAX_S),
        ("9" * 5000, RETRY_AFTER_MAX_S),
        # HTTP dates, from NOW
        ("Wed, 21 Oct 2015 07:28:20 GMT", 20.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # already past
        ("Thu, 01 Jan 1970 00:00:00 -0000", 0.0),
        ("Wed, 21 Oct 2015 09:28:00 GMT", RETRY_AFTER_MAX_S),
        ("Fri, 31 Dec 9999 23:59:59 GMT", RETRY_AFTER_MAX_S),
        # no hint: the caller's own backoff
        (None, None),
        ("", None),
        ("-1", None),
        ("-0.5", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("1e9999999999999999999", None),  # no number Decimal can hold
        ("0x10", None),
        ("1_000", None),
        ("٣", None),  # an Arabic-Indic three: float() reads it, a server never means it
        (".5", None),
        ("Mon, 99 Foo 2015 07:28:00 GMT", None),
    ],
)
def test_any_retry_after_becomes_a_bounded_wait_or_none(header, expected):
    assert parse_retry_after(header, now=NOW) == expected
