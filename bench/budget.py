"""Figure 5: under the account's query cap, with about 1,000 tasks in flight (simulated time).

DashScope allows 20 queries/s per account. With ~1,000 tasks in flight both schedules want
more polls than that, so each second only `cap` of the due polls are made:
- ours picks the due polls with the highest `PollSchedule.priority` (the chance the task ended
  since it was last asked, from the learned distributions) — the function the tracker calls;
- the SDK's `wait()` schedule is served as a fair FIFO queue of its due polls (earliest due
  first), as a shared rate limiter would serve it.
Polls chosen in a second are spread evenly over it. Tasks arrive at random (steady workload of
figure 4); the schedule first learns from 30 finished tasks per kind. Lag and in-flight counts
are over the tasks submitted after the first 300 s (the system has filled up by then).
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field

from bench.common import Row, median, percentile
from bench.workloads import KINDS, SimTask, Workload, sdk_sleep_s
from bot.api.models import TaskStatus
from bot.tracking.schedule import PollContext, PollSchedule
from bot.tracking.settings import TrackerSettings

CAP_PER_S = 20
MEDIAN_LAG_TARGET = 1 / 3
WORKLOAD = Workload("steady", seed=21)


@dataclass
class CappedSide:
    lags_s: list[float] = field(default_factory=list)
    queries: int = 0
    in_flight: list[int] = field(default_factory=list)


@dataclass
class BudgetResult:
    cap: int
    measured: int  # tasks whose lag counts
    ours: CappedSide
    sdk: CappedSide

    def rows(self) -> list[Row]:
        ours, sdk = self.ours, self.sdk
        flight = statistics.fmean(ours.in_flight) if ours.in_flight else math.nan
        sdk_flight = statistics.fmean(sdk.in_flight) if sdk.in_flight else math.nan
        head = f"capped at {self.cap}/s, ~{flight:.0f} in flight (SDK side ~{sdk_flight:.0f})"
        lag50, sdk50 = median(ours.lags_s), median(sdk.lags_s)
        return [
            Row(
                f"{head}: lag median (n={len(ours.lags_s)})",
                lag50,
                "s",
                sdk50,
                "SDK schedule, FIFO",
                f"≤ {MEDIAN_LAG_TARGET:.2f}× SDK",
                lag50 <= MEDIAN_LAG_TARGET * sdk50,
            ),
            Row(
                f"{head}: lag p95",
                percentile(ours.lags_s, 95),
                "s",
                percentile(sdk.lags_s, 95),
                "SDK schedule, FIFO",
            ),
        ]


def _tasks(rate_per_s: float, duration_s: float, seed: int) -> list[SimTask]:
    rng = random.Random(seed)
    tasks, t = [], 0.0
    while t < duration_s:
        t += rng.expovariate(rate_per_s)
        key, kind_median = KINDS[rng.randrange(len(KINDS))]
        queue = WORKLOAD.queue_s(rng)
        generation = WORKLOAD.generation_s(rng, kind_median, slow=False)
        tasks.append(SimTask(key, kind_median, t, queue, generation, False, t >= 300.0))
    return tasks


def _warm(schedule: PollSchedule, seed: int) -> None:
    rng = random.Random(seed + 1)
    for _ in range(30):
        for key, kind_median in KINDS:
            generation = WORKLOAD.generation_s(rng, kind_median, slow=False)
            schedule.learn(key, generation, queued_s=WORKLOAD.queue_s(rng))


def simulate(tasks: list[SimTask], cap: int, *, ours: bool, seed: int) -> CappedSide:
    settings = TrackerSettings()
    schedule = PollSchedule(
        min_interval_s=settings.min_interval_s,
        max_interval_s=settings.max_interval_s,
        jitter=settings.jitter,
        rng=random.Random(seed),
    )
    _warm(schedule, seed)
    side = CappedSide()
    due: dict[int, float] = {}  # task → when its next poll is due
    last_poll: dict[int, float] = {}
    steps: dict[int, int] = {}
    seen_start: dict[int, float] = {}  # the API's scheduled_time, once a poll saw it running
    arrived = 0
    second = 0
    while arrived < len(tasks) or due:
        now = float(second)
        while arrived < len(tasks) and tasks[arrived].submitted <= now:
            task = tasks[arrived]
            last_poll[arrived] = task.submitted
            if ours:
                first = PollContext(task.key, TaskStatus.PENDING, 0.0, None)
                due[arrived] = task.submitted + schedule.next_delay(first)
            else:
                steps[arrived] = 0
                due[arrived] = task.submitted + sdk_sleep_s(0)
            arrived += 1
        ready = [index for index, at in due.items() if at <= now]
        if ours:
            ranked = sorted(
                ready,
                key=lambda i: (
                    -schedule.priority(_known(tasks[i], now, seen_start.get(i)), now - last_poll[i])
                ),
            )
        else:
            ranked = sorted(ready, key=lambda i: due[i])
        for slot, index in enumerate(ranked[:cap]):
            t = now + slot / cap
            task = tasks[index]
            side.queries += 1
            last_poll[index] = t
            status = task.status_at(t)
            if status is TaskStatus.SUCCEEDED:
                del due[index]
                if task.measured:
                    side.lags_s.append(t - task.ended)
                if ours:
                    schedule.learn(task.key, task.generation, queued_s=task.queue)
                continue
            if status is TaskStatus.RUNNING:
                seen_start[index] = task.started
            if ours:
                due[index] = t + schedule.next_delay(_known(task, t, seen_start.get(index)))
            else:
                steps[index] += 1
                due[index] = t + sdk_sleep_s(steps[index])
        if 300 <= now <= tasks[-1].submitted:
            side.in_flight.append(len(due))
        second += 1
    return side


def _known(task: SimTask, t: float, start: float | None) -> PollContext:
    """What the tracker knows of a task at `t`: running since `start` if a poll saw it running,
    pending otherwise."""
    if start is None:
        return PollContext(task.key, TaskStatus.PENDING, t - task.submitted, None)
    return PollContext(task.key, TaskStatus.RUNNING, t - task.submitted, t - start)


def run(*, quick: bool = False) -> BudgetResult:
    # ~1,000 in flight: arrivals × time in the system (about 170 s with the lag).
    rate, duration, cap = (0.65, 600.0, 2) if quick else (6.5, 900.0, CAP_PER_S)
    tasks = _tasks(rate, duration, WORKLOAD.seed)
    return BudgetResult(
        cap,
        sum(task.measured for task in tasks),
        simulate(tasks, cap, ours=True, seed=WORKLOAD.seed),
        simulate(tasks, cap, ours=False, seed=WORKLOAD.seed),
    )
