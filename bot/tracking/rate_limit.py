"""A global cap on query rate, shared by every caller of the query endpoint, and the share of
it one process takes when several processes query for the same account."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

_EPSILON = 1e-9


class RateLimiter:
    """Token bucket: at most `rate` acquisitions per second on average and never more than
    `burst` at once. Waiters are served in arrival order, so no task starves."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """From now on refill at `rate` per second (tokens already earned are kept)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._refill()
        self._rate = rate

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                self._refill()
                # Float sums of small refills can land a hair under 1; without the tolerance the
                # wait computed below rounds to nothing and the loop never ends.
                if self._tokens >= 1 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep((1 - self._tokens) / self._rate)


def share_of_cap(cap: float, live_workers: int) -> float:
    """One process's query rate when `live_workers` processes share the account's cap: an even
    split, so that together they stay within it."""
    return cap / max(1, live_workers)
