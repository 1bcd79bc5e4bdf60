"""The account's cap on query rate, and the share of it one process holds among all that query
for the same account (one process alone holds all of it).

The cap holds in every window for all processes together when each one's share is a whole
number of queries per window, the shares add up to no more than the cap (the store grants them,
`TaskStore.take_share`), and each process spaces its queries evenly over the window: k queries
spaced at least window/k apart never put k + 1 into one window. Shares follow the work
(`apportion`): after each claim round a process asks for its part by the tasks it follows.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

_EPSILON = 1e-9

# A query is counted by the API when it arrives, a little after it was granted here and not
# always equally late (a busy event loop, a new connection): grants are spaced as if the window
# were this much longer, so that such delays cannot bring one query too many into a window.
SEND_JITTER_S = 0.1


@dataclass(frozen=True)
class Cap:
    """The account's cap as whole queries per window: R2V_MAX_QUERIES_PER_SECOND rounded down
    per second, or one query per 1/cap seconds below one a second."""

    queries: int
    window_s: float

    @classmethod
    def per_second(cls, rate: float) -> Cap:
        if rate <= 0:
            raise ValueError("the cap must be positive")
        if rate >= 1:
            return cls(math.floor(rate + _EPSILON), 1.0)
        return cls(1, 1 / rate)

    @property
    def spread_s(self) -> float:
        """The span a share's queries are spaced over: the window and the sending jitter."""
        return self.window_s + SEND_JITTER_S


def apportion(queries: int, loads: Sequence[int]) -> list[int]:
    """Split `queries` among processes following `loads` (their tasks): one each first, most
    loaded first, while there are queries to give (a process without tasks still answers a
    Refresh or polls a task it has just submitted); the rest in proportion to the loads, by
    largest remainder (evenly when no process has any). Ties go to the earlier in `loads`."""
    shares = [0] * len(loads)
    order = sorted(range(len(loads)), key=lambda i: -loads[i])
    for i in order[:queries]:
        shares[i] = 1
    rest = queries - min(queries, len(loads))
    if rest == 0:
        return shares
    total = sum(loads)
    weights = loads if total > 0 else [1] * len(loads)
    weight = sum(weights)
    exact = [rest * w / weight for w in weights]
    given = [math.floor(x + _EPSILON) for x in exact]
    by_remainder = sorted(range(len(loads)), key=lambda i: -(exact[i] - given[i]))
    for i in by_remainder[: rest - sum(given)]:
        given[i] += 1
    return [share + extra for share, extra in zip(shares, given, strict=True)]


class QueryShare:
    """This process's share of the account's cap: at most `queries` grants in any window of
    the cap, spaced evenly (see the module's docstring), and none once the share is no longer
    valid (a process that cannot renew its heartbeat may count as dead to the others, who then
    hand its share out again).

    Set by the lease after each claim round (`grant`). A lower share applies at once; a higher
    one only after `usable_in`, once the process that gave it back has no query left in the
    window. Waiters are served in arrival order, so no task starves."""

    def __init__(
        self,
        cap: Cap,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.cap = cap
        self._clock = clock
        self._sleep = sleep
        self._queries = 0
        # Raises still to come: (when, queries), both increasing.
        self._raises: list[tuple[float, int]] = []
        self._valid_until = -math.inf
        self._last_grant = -math.inf
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()

    @property
    def queries(self) -> int:
        """The share in force now."""
        self._apply_raises(self._clock())
        return self._queries

    @property
    def promised(self) -> int:
        """The share once every raise granted so far is in force."""
        return self._raises[-1][1] if self._raises else self._queries

    def lower(self, queries: int) -> None:
        """No more than `queries` from now on (before the store is told, so that the share
        given back is no longer used when another process takes it)."""
        self._apply_raises(self._clock())
        self._queries = min(self._queries, queries)
        capped = ((at, min(q, queries)) for at, q in self._raises)
        self._raises = [(at, q) for at, q in capped if q > self._queries]

    def grant(self, queries: int, *, usable_in: float, valid_for: float) -> None:
        """The share the store granted: from now on if not more than the share in force, else
        in `usable_in` seconds; valid for `valid_for` seconds unless renewed."""
        self.lower(queries)
        if queries > self.promised:
            self._raises.append((self._clock() + max(0.0, usable_in), queries))
        self.renew(valid_for)

    def renew(self, valid_for: float) -> None:
        """The lease renewed its heartbeat: the share holds `valid_for` seconds more."""
        self._valid_until = self._clock() + valid_for
        self._changed.set()

    def _apply_raises(self, now: float) -> None:
        while self._raises and self._raises[0][0] <= now:
            _, self._queries = self._raises.pop(0)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._apply_raises(now)
                if self._queries > 0 and now < self._valid_until:
                    due = self._last_grant + self.cap.spread_s / self._queries
                    if now >= due:
                        self._last_grant = now
                        return
                    await self._sleep(min(due, self._valid_until) - now)
                elif self._raises and self._raises[0][0] < self._valid_until:
                    await self._sleep(self._raises[0][0] - now)
                else:
                    # Nothing to grant until the lease grants or renews a share.
                    self._changed.clear()
                    await self._changed.wait()
