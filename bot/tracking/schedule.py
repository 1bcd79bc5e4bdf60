"""When to ask about a task next.

Polling often wastes queries; polling rarely makes people wait for a video that is already
done. Generation time is fairly steady for a given model, tier and duration, while queue time is
not. So the schedule learns, per (model, tier, duration), how long tasks run once scheduled
(`scheduled_time` → `end_time`, from the API's own clock) and:
- polls a pending task at a moderate pace until it starts running;
- once running, sleeps until the earliest typical end (1st percentile of a lognormal fitted to
  its kind) — longer than the maximum interval if need be, since nothing can be missed — then
  polls at the minimum interval through the window where tasks of its kind end (up to the 99th
  percentile): that window is where detection lag is decided, and it is short;
- backs off once a task runs longer than usual;
- falls back to the plain interval bounds while it has too few samples.
Pure: time comes in as arguments. See BENCHMARKS.md for what this saves against the DashScope
SDK's fixed schedule.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict, deque
from dataclasses import dataclass

from bot.api.models import TaskStatus
from bot.generation.limits import size_tier
from bot.generation.request import GenerationRequest

ScheduleKey = tuple[str, str, int]

MIN_SAMPLES = 5
MAX_SAMPLES = 200
# Generation times of one kind are close to lognormal; the window is fitted to the log of the
# samples (mean ± z·sd), which stays sensible with few samples where raw percentiles would be
# just the smallest and largest seen. z = 2.33: the 1st and 99th percentiles.
WINDOW_Z = 2.33


def schedule_key(request: GenerationRequest) -> ScheduleKey:
    return (request.model, size_tier(request.size), request.duration)


@dataclass(frozen=True)
class PollContext:
    """What the schedule needs to know about one task right now."""

    key: ScheduleKey
    status: TaskStatus
    age_s: float  # since the bot submitted it
    running_for_s: float | None  # since the API scheduled it, when known


class PollSchedule:
    def __init__(
        self,
        *,
        min_interval_s: float,
        max_interval_s: float,
        jitter: float,
        rng: random.Random | None = None,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self.jitter = jitter
        self._rng = rng or random.Random()
        # The most recent samples only: the service's speed drifts, old runs stop mattering.
        self._run_times: dict[ScheduleKey, deque[float]] = defaultdict(
            lambda: deque(maxlen=MAX_SAMPLES)
        )

    def learn(self, key: ScheduleKey, running_s: float) -> None:
        """Record how long a finished task of this kind generated."""
        if running_s <= 0:
            return
        self._run_times[key].append(running_s)

    def typical_run(self, key: ScheduleKey) -> tuple[float, float] | None:
        """(early, late) generation times: the 1st and 99th percentiles of a lognormal fitted to
        the recent samples of this kind, once there are enough."""
        recent = self._run_times.get(key)
        if not recent or len(recent) < MIN_SAMPLES:
            return None
        logs = [math.log(value) for value in recent]
        centre, spread = statistics.fmean(logs), statistics.stdev(logs)
        return math.exp(centre - WINDOW_Z * spread), math.exp(centre + WINDOW_Z * spread)

    def typical_total(self, key: ScheduleKey) -> float | None:
        """The typical generation time of this kind (the median of the fitted lognormal), once
        there are enough samples: what "usually ready" shows."""
        recent = self._run_times.get(key)
        if not recent or len(recent) < MIN_SAMPLES:
            return None
        return math.exp(statistics.fmean(math.log(value) for value in recent))

    def next_delay(self, context: PollContext) -> float:
        """Seconds until the next query of this task."""
        return self._spread(self._base_delay(context))

    def _base_delay(self, context: PollContext) -> float:
        dense = self.min_interval_s
        if context.status is TaskStatus.PENDING:
            # Queue time is unpredictable, but a start need not be seen at once: the API reports
            # when the task was scheduled, so the end can be planned whenever RUNNING is seen.
            # Quicker at first so that an early failure is seen soon.
            return min(self.max_interval_s, max(dense, context.age_s / 2))
        typical = self.typical_run(context.key)
        if context.status is not TaskStatus.RUNNING or context.running_for_s is None:
            return min(self.max_interval_s, max(dense, context.age_s / 6))
        if typical is None:
            return dense
        early, late = typical
        running = context.running_for_s
        if running < early - dense:
            # Sleep until the earliest end expected for this kind of task.
            return early - running
        if running <= late:
            return dense
        overdue = running - late
        return min(self.max_interval_s, dense + overdue / 4)

    def _spread(self, delay: float) -> float:
        return delay * (1 + self.jitter * (self._rng.random() * 2 - 1))
