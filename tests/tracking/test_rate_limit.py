"""The global query cap: never more than the rate allows, in any window."""

import asyncio

import pytest

from bot.tracking.rate_limit import RateLimiter, share_of_cap


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_acquisitions_never_exceed_the_rate_in_any_window():
    time = VirtualTime()
    limiter = RateLimiter(rate=5, burst=1, clock=time.clock, sleep=time.sleep)
    stamps: list[float] = []

    async def query() -> None:
        await limiter.acquire()
        stamps.append(time.now)

    await asyncio.gather(*(query() for _ in range(50)))
    assert len(stamps) == 50
    for index in range(len(stamps) - 5):
        # Any 6 consecutive grants span at least one second at 5/s.
        assert stamps[index + 5] - stamps[index] >= 1.0 - 1e-9
    assert stamps[-1] == pytest.approx(49 / 5)


async def test_a_burst_is_allowed_up_front_then_the_rate_holds():
    time = VirtualTime()
    limiter = RateLimiter(rate=2, burst=4, clock=time.clock, sleep=time.sleep)
    for _ in range(4):
        await limiter.acquire()
    assert time.now == 0
    await limiter.acquire()
    assert time.now == 0.5


@pytest.mark.parametrize(("live", "share"), [(1, 30.0), (3, 10.0), (0, 30.0)])
def test_live_processes_split_the_cap_evenly(live, share):
    assert share_of_cap(30.0, live) == share


async def test_a_new_share_takes_effect_for_the_next_grants():
    time = VirtualTime()
    limiter = RateLimiter(rate=10, burst=1, clock=time.clock, sleep=time.sleep)
    await limiter.acquire()
    limiter.set_rate(2)  # more processes came alive: a smaller share from now on
    await limiter.acquire()
    await limiter.acquire()
    assert time.now == pytest.approx(1.0), "two grants after the first at 2/s take one second"
