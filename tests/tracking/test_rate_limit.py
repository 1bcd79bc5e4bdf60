"""The query cap: never more than the rate allows, in any window; a process's share of it,
which follows the work, changes safely and lapses with the lease."""

import asyncio

import pytest

from bot.tracking.rate_limit import SEND_JITTER_S, Cap, QueryShare, apportion
from fakes.fake_bailian import max_in_window


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.mark.parametrize(
    ("rate", "cap"),
    [(5.0, Cap(5, 1.0)), (4.9, Cap(4, 1.0)), (1.0, Cap(1, 1.0)), (0.25, Cap(1, 4.0))],
)
def test_the_cap_is_whole_queries_per_window(rate, cap):
    assert Cap.per_second(rate) == cap


@pytest.mark.parametrize(
    ("queries", "loads", "shares"),
    [
        (4, [0, 0, 0], [2, 1, 1]),  # nobody has work: even, the odd one to the first
        (30, [6, 0, 0], [28, 1, 1]),  # one carries everything after a take-over
        (30, [2, 2, 2], [10, 10, 10]),
        (4, [3, 1], [3, 1]),
        (10, [1, 0, 3], [3, 1, 6]),
        (2, [0, 5, 1], [0, 1, 1]),  # fewer queries than processes: the busiest first
        (0, [1, 2], [0, 0]),
    ],
)
def test_the_cap_is_apportioned_by_the_work(queries, loads, shares):
    assert apportion(queries, loads) == shares
    assert sum(shares) == queries


async def test_a_share_spaces_its_grants_so_no_window_holds_more_than_the_share():
    time = VirtualTime()
    share = QueryShare(Cap(30, 1.0), clock=time.clock, sleep=time.sleep)
    share.grant(3, usable_in=0, valid_for=1000)
    stamps: list[float] = []

    async def query() -> None:
        await share.acquire()
        stamps.append(time.now)

    await asyncio.gather(*(query() for _ in range(30)))
    assert max_in_window(stamps, 1.0 + SEND_JITTER_S - 1e-6) == 3
    # Sent up to the jitter late, they still never put four into one second.
    assert stamps[-1] == pytest.approx(29 * (1.0 + SEND_JITTER_S) / 3)


async def test_a_lower_share_applies_at_once_and_a_higher_one_only_when_usable():
    time = VirtualTime()
    share = QueryShare(Cap(10, 1.0), clock=time.clock, sleep=time.sleep)
    share.grant(5, usable_in=0, valid_for=1000)
    assert share.queries == 5
    share.lower(2)
    assert share.queries == 2
    share.grant(4, usable_in=1.5, valid_for=1000)
    assert (share.queries, share.promised) == (2, 4)
    time.now += 1.5
    assert share.queries == 4
    # A grant lower than a raise still to come caps it.
    share.grant(8, usable_in=1.0, valid_for=1000)
    share.grant(6, usable_in=1.0, valid_for=1000)
    time.now += 1.0
    assert share.queries == 6


async def test_no_grant_without_a_share_or_once_it_has_lapsed():
    time = VirtualTime()
    share = QueryShare(Cap(10, 1.0), clock=time.clock, sleep=time.sleep)
    waiting = asyncio.create_task(share.acquire())
    await asyncio.sleep(0)
    assert not waiting.done(), "no share yet"
    share.grant(1, usable_in=0, valid_for=5)
    await waiting
    time.now += 6  # the lease was not renewed
    waiting = asyncio.create_task(share.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done(), "the share lapsed with the lease"
    share.renew(5)
    await waiting
    assert time.now == 6


async def test_a_raise_is_waited_for_when_there_is_nothing_before_it():
    time = VirtualTime()
    share = QueryShare(Cap(10, 1.0), clock=time.clock, sleep=time.sleep)
    share.grant(2, usable_in=1.25, valid_for=100)
    await share.acquire()
    assert time.now == 1.25
