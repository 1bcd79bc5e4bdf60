"""When to ask about a task next, and which task to ask about first when queries are scarce.

Polling often wastes queries; polling rarely makes people wait for a video that is already
done. The schedule learns, per (model, size tier, duration), two distributions from finished
tasks, on the API's own clock: queue time (`submit_time` → `scheduled_time`) and generation
time (`scheduled_time` → `end_time`). Their shapes are learned as they come, several modes and
all, weighted toward recent tasks (`bot.tracking.quantiles`). Then:
- a running task has a known start, so it is polled densely — every DENSE_LOOSE to DENSE_TIGHT
  minimum intervals (4.7 to 4 s by default: under the DashScope SDK's 5 s) — in the windows
  where tasks of its
  kind usually end (the likeliest COVERAGE of end times, without the earliest EARLY_SKIP), and
  sparsely before, between and after them;
- a pending task cannot end sooner than the first window after it starts, so it is polled that
  often: whenever RUNNING is seen, the API's `scheduled_time` tells where its windows are;
- before a kind has MIN_SAMPLES samples, every task is polled every UNLEARNED minimum intervals
  (4.8 s by default), as often as the
  SDK's `wait()` once its first seconds are past;
- no delay is shorter than `min_interval_s` or longer than `max_interval_s`.
When more polls are due than the query cap allows, `priority` ranks them by how likely each
task ended since it was last asked. Pure: time comes in as arguments. See BENCHMARKS.md.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass

from bot.api.models import TaskStatus
from bot.generation.limits import size_tier
from bot.generation.request import GenerationRequest
from bot.store.records import TaskRecord
from bot.tracking.quantiles import SHIFT_STREAK, Interval, LearnedDistribution
from bot.tracking.settings import TrackerSettings

ScheduleKey = tuple[str, str, int]

MIN_SAMPLES = 5
# Dense intervals are counted in minimum intervals (`min_interval_s`, 4 s by default), so that
# an operator's choice and compressed-time tests scale them: with the defaults no dense poll
# comes later than the SDK's wait() would (every 5 s after its first 24 s).
DENSE_CEILING = 1.25  # no dense delay is longer, jitter included (5 s by default)
UNLEARNED = 1.2  # before anything is learned (4.8 s by default)
# Inside a window: DENSE_LOOSE where a task is unlikely to end before the next poll (the
# chance, given it is still running, under LIKELY_LOW), tightening to DENSE_TIGHT where it
# probably will (over LIKELY_HIGH). Polls where that chance is high cost little per task caught.
DENSE_LOOSE = 1.175
DENSE_TIGHT = 1.0
LIKELY_LOW = 0.1
LIKELY_HIGH = 0.3
# Dense polling covers the likeliest COVERAGE of learned generation times, less the earliest
# EARLY_SKIP: every task pays for the polls before most tasks end, and the few that end that
# early are seen by the first poll of the window, a few seconds later.
COVERAGE = 0.99
EARLY_SKIP = 0.03
MERGE_GAP = 3.75  # windows closer than this many minimum intervals are polled as one
# Past every usual end, the interval grows by this share of the time overdue.
TAIL_BACKOFF = 0.15
# With nothing learned, the chance that a task ended in the last t seconds is taken as
# 1 - exp(-t / UNLEARNED_MEAN_S): older due polls first, as a queue would serve them.
UNLEARNED_MEAN_S = 60.0
PENDING_STEPS = 8  # start times summed over when ranking a pending task


def schedule_key(request: GenerationRequest) -> ScheduleKey:
    return (request.model, size_tier(request.size), request.duration)


@dataclass(frozen=True)
class PollContext:
    """What the schedule needs to know about one task right now."""

    key: ScheduleKey
    status: TaskStatus
    age_s: float  # since the bot submitted it
    running_for_s: float | None  # since the API scheduled it, when known


def poll_context(record: TaskRecord, now: float) -> PollContext:
    """A task as the schedule sees it at `now`; it runs from the API's `scheduled_at`."""
    scheduled_at = record.api_times.get("scheduled_at")
    return PollContext(
        key=schedule_key(record.request),
        status=record.status,
        age_s=now - record.created_at,
        running_for_s=now - scheduled_at if scheduled_at is not None else None,
    )


@dataclass(frozen=True)
class TypicalTime:
    """How long tasks of a kind take from submission to the end (queue + generation)."""

    median_s: float
    p90_s: float


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
        self._generation: dict[ScheduleKey, LearnedDistribution] = defaultdict(LearnedDistribution)
        self._queue: dict[ScheduleKey, LearnedDistribution] = defaultdict(LearnedDistribution)
        self._totals: dict[ScheduleKey, tuple[tuple[int, int], TypicalTime]] = {}
        self._windows: dict[ScheduleKey, tuple[int, list[Interval]]] = {}
        self._service_streak: list[tuple[ScheduleKey, int, float]] = []
        # Without a minimum interval, the unit is TrackerSettings' default one.
        self._unit = min_interval_s if min_interval_s > 0 else TrackerSettings.min_interval_s
        self.dense_tight_s = DENSE_TIGHT * self._unit
        self.dense_loose_s = DENSE_LOOSE * self._unit
        self.dense_ceiling_s = DENSE_CEILING * self._unit
        self.unlearned_s = UNLEARNED * self._unit

    def learn_from(self, record: TaskRecord) -> None:
        """Learn from a task that ended: its generation and queue times, when it succeeded
        and the API's timestamps gave them."""
        times = record.api_times
        if record.status is TaskStatus.SUCCEEDED and "running_s" in times:
            queued = times.get("queued_s")
            self.learn(
                schedule_key(record.request),
                float(times["running_s"]),
                queued_s=float(queued) if queued is not None else None,
            )

    def learn(self, key: ScheduleKey, running_s: float, *, queued_s: float | None = None) -> None:
        """Record how long a finished task of this kind generated and, when known, queued."""
        if running_s > 0:
            generation = self._generation[key]
            side, log_ratio = generation.beyond_extremes(running_s)
            if generation.add(running_s) is not None:
                self._service_streak.clear()  # this kind saw the change itself
            else:
                self._notice_service_shift(key, side, log_ratio)
        if queued_s is not None and queued_s >= 0:
            # A queue time of 0 is real (started at once); the log scale needs a floor.
            self._queue[key].add(max(queued_s, 0.1))

    def _notice_service_shift(self, key: ScheduleKey, side: int, log_ratio: float) -> None:
        """A change of speed of the whole service shows across kinds before any one kind has
        seen SHIFT_STREAK of its own tasks: that many tasks in a row, of at least two kinds,
        beyond their kinds' learned extremes on the same side rescale every kind by their
        median ratio. A kind that did not change corrects itself the same way afterwards."""
        streak = self._service_streak
        if side == 0 or (streak and streak[0][1] != side):
            streak.clear()
        if side == 0:
            return
        streak.append((key, side, log_ratio))
        if len(streak) < SHIFT_STREAK or len({entry[0] for entry in streak}) < 2:
            return
        factor = math.exp(statistics.median(entry[2] for entry in streak))
        for kind, distribution in self._generation.items():
            own = sum(1 for entry in streak if entry[0] == kind)
            distribution.rescale(factor, keep_last=own)
        streak.clear()

    def generation(self, key: ScheduleKey) -> LearnedDistribution | None:
        """The learned generation time of this kind, once it has enough samples."""
        return _enough(self._generation.get(key))

    def queue(self, key: ScheduleKey) -> LearnedDistribution | None:
        """The learned queue time of this kind, once it has enough samples."""
        return _enough(self._queue.get(key))

    def next_delay(self, context: PollContext) -> float:
        """Seconds until the next query of this task."""
        base, ceiling = self._base_delay(context)
        if ceiling is not None:
            # Jitter keeps tasks that were queried together from staying in step, but a dense
            # poll stays dense. A delay aimed at the start of a window is kept exact: landing
            # early would cost one more query.
            base *= 1 + self.jitter * (self._rng.random() * 2 - 1)
            base = min(base, ceiling)
        return self._clamp(base)

    def priority(self, context: PollContext, since_last_poll_s: float) -> float:
        """The probability that the task ended since it was last queried, `since_last_poll_s`
        ago, given that it had not then: when the cap allows fewer polls than are due, poll
        the highest first. Comparable across tasks and kinds."""
        since = max(0.0, since_last_poll_s)
        generation = self.generation(context.key)
        if generation is None:
            return 1 - math.exp(-since / UNLEARNED_MEAN_S)
        if context.status is TaskStatus.RUNNING and context.running_for_s is not None:
            return _ended_within(generation, context.running_for_s, since)
        if context.status is TaskStatus.PENDING:
            return self._pending_priority(context, since, generation)
        return 1 - math.exp(-since / UNLEARNED_MEAN_S)

    def typical_total(self, key: ScheduleKey) -> TypicalTime | None:
        """Median and 90th percentile of submission → end for this kind ("usually ready in"),
        once its generation time has enough samples (queue time counts once it has, too)."""
        generation = self.generation(key)
        if generation is None:
            return None
        queue = self.queue(key)
        version = (generation.version, queue.version if queue is not None else -1)
        cached = self._totals.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        shares = [(i + 0.5) / 20 for i in range(20)]
        runs = [generation.quantile(p) for p in shares]
        waits = [queue.quantile(p) for p in shares] if queue is not None else [0.0]
        totals = sorted(w + r for w in waits for r in runs)
        typical = TypicalTime(_at(totals, 0.5), _at(totals, 0.9))
        self._totals[key] = (version, typical)
        return typical

    def typical_remaining(self, context: PollContext) -> float | None:
        """Median seconds left for a running task of a learned kind, given how long it ran."""
        generation = self.generation(context.key)
        running = context.running_for_s
        if generation is None or context.status is not TaskStatus.RUNNING or running is None:
            return None
        done = generation.cdf(running)
        return max(0.0, generation.quantile(done + (1 - done) / 2) - running)

    def _base_delay(self, context: PollContext) -> tuple[float, float | None]:
        """The delay before clamping, and for a dense poll the most jitter may stretch it to
        (None: keep it exact)."""
        generation = self.generation(context.key)
        if generation is None:
            return self.unlearned_s, self.dense_ceiling_s
        windows = self.windows(context.key) or []
        if context.status is TaskStatus.PENDING:
            # Once it starts it cannot end before the first window: asking that often is enough
            # to see it running before then.
            return windows[0].start, None
        running = context.running_for_s
        if context.status is not TaskStatus.RUNNING or running is None:
            # A status the contract does not name, or no start time: as before learning.
            return self.unlearned_s, self.dense_ceiling_s
        for window in windows:
            if running < window.start:
                return window.start - running, None
            if running < window.end:
                return self._dense_delay(generation, running), self.dense_loose_s
        overdue = running - windows[-1].end
        return self.dense_loose_s + overdue * TAIL_BACKOFF, self.max_interval_s

    def windows(self, key: ScheduleKey) -> list[Interval] | None:
        """Where this kind's tasks usually end (seconds of generation), polled densely; None
        until it has enough samples."""
        generation = self.generation(key)
        if generation is None:
            return None
        cached = self._windows.get(key)
        if cached is not None and cached[0] == generation.version:
            return cached[1]
        earliest = generation.quantile(EARLY_SKIP)
        kept = [
            Interval(max(window.start, earliest), window.end)
            for window in generation.likely_ends(COVERAGE)
            if window.end > earliest
        ]
        windows: list[Interval] = []
        for window in kept or [Interval(earliest, generation.quantile(COVERAGE))]:
            if windows and window.start - windows[-1].end < MERGE_GAP * self._unit:
                # A short gap is a chance gap between samples more often than a real one, and
                # skipping it would save at most a poll or two.
                windows[-1] = Interval(windows[-1].start, window.end)
            else:
                windows.append(window)
        self._windows[key] = (generation.version, windows)
        return windows

    def _dense_delay(self, generation: LearnedDistribution, running: float) -> float:
        alive = 1 - generation.cdf(running)
        if alive <= 1e-12:
            return self.dense_tight_s
        loose, tight = self.dense_loose_s, self.dense_tight_s
        chance = (generation.cdf(running + loose) - generation.cdf(running)) / alive
        share = min(1.0, max(0.0, (chance - LIKELY_LOW) / (LIKELY_HIGH - LIKELY_LOW)))
        return loose - (loose - tight) * share

    def _pending_priority(
        self, context: PollContext, since: float, generation: LearnedDistribution
    ) -> float:
        """P(it started after the last poll and already ended), summed over a few start times
        spread over the interval; if queue time is unknown, as if it started at the last poll."""
        queue = self.queue(context.key)
        last_age = max(0.0, context.age_s - since)
        if queue is None or since == 0:
            return generation.cdf(since) if since > 0 else 0.0
        still_pending = 1 - queue.cdf(last_age)
        if still_pending <= 1e-9:
            return generation.cdf(since)
        total = 0.0
        previous = queue.cdf(last_age)
        for step in range(1, PENDING_STEPS + 1):
            start = last_age + since * step / PENDING_STEPS
            now_started = queue.cdf(start)
            middle = since * (step - 0.5) / PENDING_STEPS
            total += (now_started - previous) * generation.cdf(since - middle)
            previous = now_started
        return min(1.0, total / still_pending)

    def _clamp(self, delay: float) -> float:
        return min(self.max_interval_s, max(self.min_interval_s, delay))


def _enough(distribution: LearnedDistribution | None) -> LearnedDistribution | None:
    if distribution is None or len(distribution) < MIN_SAMPLES:
        return None
    return distribution


def _ended_within(generation: LearnedDistribution, running_s: float, since: float) -> float:
    before = generation.cdf(max(0.0, running_s - since))
    now = generation.cdf(running_s)
    return max(0.0, now - before) / max(1e-12, 1 - before)


def _at(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
