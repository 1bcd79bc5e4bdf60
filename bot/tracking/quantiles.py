"""A distribution of durations learned from recent samples, without assuming its shape.

The samples are smoothed in log space (an adaptive kernel estimate: each sample is spread over
about the distance to its neighbours, so a tight cluster stays tight and a lone outlier is
spread wide) and weighted toward the most recent ones, so a slower service shows within a few
samples. Several modes stay several modes, a gap stays a gap. A small share of a wide lognormal
around the weighted median is mixed in: a duration longer than any seen is unlikely, never
impossible, so probabilities in the tails stay sensible.

Pure: no clock, no I/O. The estimate is tabulated once per new sample on a grid and looked up
with a bisection, so reading it is cheap however often the tracker asks.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

# Samples kept per distribution, and the half-life of a sample's weight, in samples: after
# HALF_LIFE newer samples an old one counts half: the newest carries about 6 % of the weight,
# the newest two 11 %. A clear change of speed is handled faster still (see `_notice_shift`).
MAX_SAMPLES = 64
HALF_LIFE = 12.0
# The kernel of a sample is as wide (in log seconds) as the distance to its k-th nearest
# neighbour, k growing with the number of samples, between these bounds.
KERNEL_MIN = 0.02
KERNEL_MAX = 0.5
# The wide lognormal mixed in: its share and log-σ.
WIDE_SHARE = 0.01
WIDE_SIGMA = 1.0
# A change of speed: this many samples in a row beyond the learned extremes (kernel CDF within
# SHIFT_TAIL of 0 or 1), once there are SHIFT_MIN_SAMPLES.
SHIFT_STREAK = 3
SHIFT_TAIL = 0.005
SHIFT_MIN_SAMPLES = 8
GRID_POINTS = 240
GRID_REACH = 3.5  # kernel widths beyond the outermost samples the grid reaches


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@dataclass(frozen=True)
class Interval:
    start: float
    end: float


class LearnedDistribution:
    """Durations (seconds) of one kind of task, learned from the most recent samples."""

    def __init__(self, samples: Iterable[float] = ()) -> None:
        self._samples: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._table: _Table | None = None
        self._streak: list[float] = []
        self._version = 0
        self._streak_side = 0
        self._before_streak: _Table | None = None
        for value in samples:
            self.add(value)

    def __len__(self) -> int:
        return len(self._samples)

    @property
    def version(self) -> int:
        """Changes whenever a sample is added: for callers that cache what they derive."""
        return self._version

    def add(self, seconds: float) -> float | None:
        """Learn one duration. Returns the factor the older samples were rescaled by when this
        one completed a change of speed (see `_notice_shift`), else None."""
        if not (seconds > 0 and math.isfinite(seconds)):
            return None
        factor = self._notice_shift(seconds)
        self._samples.append(seconds)
        self._table = None
        self._version += 1
        return factor

    def beyond_extremes(self, seconds: float) -> tuple[int, float]:
        """Where a new duration falls against what was learned: side (1 beyond the longest
        learned, -1 below the shortest, 0 within) and its log ratio to the learned median."""
        if len(self._samples) < SHIFT_MIN_SAMPLES:
            return 0, 0.0  # before tabulating: at start-up every sample would build a table
        table = self._before_streak if self._streak else self._tabulated()
        if table is None:
            return 0, 0.0
        share = table.kernel_cdf(seconds)
        side = 1 if share >= 1 - SHIFT_TAIL else -1 if share <= SHIFT_TAIL else 0
        return side, math.log(seconds) - table.wide_mu

    def rescale(self, factor: float, *, keep_last: int = 0) -> None:
        """Multiply every sample but the `keep_last` newest by `factor`: the service's speed
        changed by that much (the newest already show it)."""
        samples = list(self._samples)
        first_new = len(samples) - keep_last
        self._samples.clear()
        self._samples.extend([value * factor for value in samples[:first_new]])
        self._samples.extend(samples[first_new:])
        self._streak.clear()
        self._table = None
        self._version += 1

    def _notice_shift(self, seconds: float) -> float | None:
        """When SHIFT_STREAK samples in a row fall beyond the learned extremes on the same side,
        the service changed speed: every older sample is rescaled by the ratio of the new
        samples' median to the old median, keeping the learned shape at the new speed."""
        side, _ = self.beyond_extremes(seconds)
        if side == 0 or (self._streak and self._streak_side != side):
            self._streak.clear()
        if side == 0:
            return None
        if not self._streak:
            # Later samples of the streak are judged against what was learned before it.
            self._before_streak = self._tabulated()
        assert self._before_streak is not None
        self._streak_side = side
        self._streak.append(seconds)
        if len(self._streak) < SHIFT_STREAK:
            return None
        factor = statistics.median(self._streak) / math.exp(self._before_streak.wide_mu)
        self.rescale(factor, keep_last=len(self._streak) - 1)  # this one is not stored yet
        return factor

    def cdf(self, seconds: float) -> float:
        """P(duration ≤ seconds)."""
        table = self._tabulated()
        if table is None:
            return math.nan
        if seconds <= 0:
            return 0.0
        return (1 - WIDE_SHARE) * table.kernel_cdf(seconds) + WIDE_SHARE * table.wide_cdf(seconds)

    def quantile(self, p: float) -> float:
        """The duration that a share p of tasks stays under (bisection on the CDF)."""
        table = self._tabulated()
        if table is None:
            return math.nan
        low, high = table.times[0] / 10, table.times[-1] * 10
        for _ in range(60):
            middle = math.sqrt(low * high)
            if self.cdf(middle) < p:
                low = middle
            else:
                high = middle
        return math.sqrt(low * high)

    def likely_ends(self, coverage: float) -> list[Interval]:
        """Where tasks usually end: the fewest seconds that hold `coverage` of the learned
        mass (the highest-density region, in linear time), as sorted intervals."""
        table = self._tabulated()
        return [] if table is None else table.region(coverage)

    def _tabulated(self) -> _Table | None:
        if not self._samples:
            return None
        if self._table is None:
            self._table = _Table.build(list(self._samples))
        return self._table


class _Table:
    """The kernel estimate's CDF on a log-spaced grid, plus the wide component."""

    def __init__(self, times: list[float], cdf: list[float], wide_mu: float) -> None:
        self.times = times
        self.logs = [math.log(t) for t in times]
        self.cdf = cdf
        self.wide_mu = wide_mu

    @classmethod
    def build(cls, samples: list[float]) -> _Table:
        n = len(samples)
        logs = [math.log(value) for value in samples]
        # Newest last: weight halves every HALF_LIFE samples back.
        weights = [0.5 ** ((n - 1 - i) / HALF_LIFE) for i in range(n)]
        total = sum(weights)
        weights = [w / total for w in weights]
        ordered = sorted(logs)
        k = max(1, min(n - 1, round(math.sqrt(n) / 2)))
        widths = []
        for value in logs:
            if n == 1:
                widths.append(KERNEL_MAX)
                continue
            position = bisect.bisect_left(ordered, value)
            near = sorted(
                abs(ordered[j] - value)
                for j in range(max(0, position - k - 1), min(n, position + k + 2))
            )
            # near[0] is the sample itself (distance 0).
            distance = near[min(k, len(near) - 1)]
            widths.append(min(KERNEL_MAX, max(KERNEL_MIN, distance)))
        low = min(v - GRID_REACH * h for v, h in zip(logs, widths, strict=True))
        high = max(v + GRID_REACH * h for v, h in zip(logs, widths, strict=True))
        step = (high - low) / (GRID_POINTS - 1)
        grid = [low + j * step for j in range(GRID_POINTS)]
        cdf = [0.0] * GRID_POINTS
        # Beyond 4 kernel widths a sample adds all of its weight or none of it.
        settled = [0.0] * (GRID_POINTS + 1)
        for value, width, weight in zip(logs, widths, weights, strict=True):
            first = max(0, math.floor((value - 4 * width - low) / step))
            last = min(GRID_POINTS - 1, math.ceil((value + 4 * width - low) / step))
            for j in range(first, last + 1):
                cdf[j] += weight * _phi((grid[j] - value) / width)
            settled[last + 1] += weight
        running = 0.0
        for j in range(GRID_POINTS):
            running += settled[j]
            cdf[j] += running
        cdf[0], cdf[-1] = 0.0, 1.0
        wide_mu = _weighted_median(logs, weights)
        return cls([math.exp(u) for u in grid], cdf, wide_mu)

    def kernel_cdf(self, seconds: float) -> float:
        u = math.log(seconds)
        if u <= self.logs[0]:
            return 0.0
        if u >= self.logs[-1]:
            return 1.0
        j = bisect.bisect_right(self.logs, u) - 1
        share = (u - self.logs[j]) / (self.logs[j + 1] - self.logs[j])
        return self.cdf[j] + (self.cdf[j + 1] - self.cdf[j]) * share

    def wide_cdf(self, seconds: float) -> float:
        return _phi((math.log(seconds) - self.wide_mu) / WIDE_SIGMA)

    def region(self, coverage: float) -> list[Interval]:
        cells = []
        for j in range(len(self.times) - 1):
            mass = self.cdf[j + 1] - self.cdf[j]
            width = self.times[j + 1] - self.times[j]
            cells.append((mass / width, j, mass))
        cells.sort(reverse=True)
        chosen: set[int] = set()
        held = 0.0
        for _, j, mass in cells:
            if held >= coverage:
                break
            chosen.add(j)
            held += mass
        intervals: list[Interval] = []
        for j in sorted(chosen):
            start, end = self.times[j], self.times[j + 1]
            if intervals and intervals[-1].end >= start:
                intervals[-1] = Interval(intervals[-1].start, end)
            else:
                intervals.append(Interval(start, end))
        return intervals


def _weighted_median(values: list[float], weights: list[float]) -> float:
    held = 0.0
    for value, weight in sorted(zip(values, weights, strict=True)):
        held += weight
        if held >= 0.5:
            return value
    return values[-1]
