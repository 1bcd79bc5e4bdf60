"""The poll schedule: sparse while a task cannot be done yet, dense where it usually ends."""

import math
import random
import statistics

import pytest

from bot.api.models import TaskStatus
from bot.tracking.schedule import (
    MAX_SAMPLES,
    MIN_SAMPLES,
    WINDOW_Z,
    PollContext,
    PollSchedule,
)

KEY = ("wan2.6-r2v-flash", "1080P", 5)


def schedule(jitter: float = 0.0) -> PollSchedule:
    return PollSchedule(min_interval_s=5, max_interval_s=30, jitter=jitter, rng=random.Random(1))


def running(for_s: float | None, age_s: float = 100) -> PollContext:
    return PollContext(key=KEY, status=TaskStatus.RUNNING, age_s=age_s, running_for_s=for_s)


def trained(run_times: list[float]) -> PollSchedule:
    plan = schedule()
    for seconds in run_times:
        plan.learn(KEY, seconds)
    return plan


@pytest.mark.parametrize(
    ("age_s", "expected"),
    [(0, 5), (10, 5), (20, 10), (40, 20), (100, 30), (1000, 30)],
)
def test_pending_tasks_are_polled_at_a_pace_that_slows_with_age(age_s, expected):
    context = PollContext(key=KEY, status=TaskStatus.PENDING, age_s=age_s, running_for_s=None)
    assert schedule().next_delay(context) == pytest.approx(expected)


def test_without_enough_samples_a_running_task_is_polled_densely():
    plan = trained([100.0] * (MIN_SAMPLES - 1))
    assert plan.typical_run(KEY) is None
    assert plan.next_delay(running(10)) == pytest.approx(5)


def test_the_typical_window_is_a_lognormal_fit_of_the_samples():
    # exp(ln 100 ± 0.1): a 10 % spread either side of 100 s.
    plan = trained([100 * math.exp(0.1 * z) for z in (-1, 1) * 10])
    early, late = plan.typical_run(KEY)
    sd = statistics.stdev([-0.1, 0.1] * 10)
    assert early == pytest.approx(100 * math.exp(-WINDOW_Z * sd))
    assert late == pytest.approx(100 * math.exp(WINDOW_Z * sd))


def test_a_running_task_sleeps_until_its_earliest_typical_end():
    plan = trained([100, 105, 110, 115, 120, 125, 130])
    early, late = plan.typical_run(KEY)
    assert 85 < early < 100 and 130 < late < 150, "the window covers more than the samples seen"
    # 10 s into the generation: the next look is at the earliest typical end.
    assert plan.next_delay(running(10)) == pytest.approx(early - 10)


def test_the_window_where_tasks_end_is_polled_at_the_minimum_interval():
    plan = trained([100, 105, 110, 115, 120, 125, 130])
    early, late = plan.typical_run(KEY)
    for inside in (early - 4, early + 1, 115, late):
        assert plan.next_delay(running(inside)) == pytest.approx(5)


def test_an_overdue_task_backs_off_but_never_beyond_the_maximum():
    plan = trained([100] * 10)
    assert 5 < plan.next_delay(running(140)) < 30  # the window is exactly 100 s here
    assert plan.next_delay(running(10_000)) == pytest.approx(30)


def test_other_keys_learn_separately():
    plan = trained([100] * 10)
    other = PollContext(
        key=("wan2.6-r2v", "720P", 10), status=TaskStatus.RUNNING, age_s=50, running_for_s=10
    )
    assert plan.next_delay(other) == pytest.approx(5)


def test_jitter_spreads_delays_within_its_bounds():
    plan = schedule(jitter=0.2)
    context = PollContext(key=KEY, status=TaskStatus.PENDING, age_s=0, running_for_s=None)
    delays = {plan.next_delay(context) for _ in range(50)}
    assert len(delays) > 10
    assert all(4.0 <= delay <= 6.0 for delay in delays)


def test_only_recent_samples_count_so_the_schedule_follows_a_slower_service():
    plan = trained([100.0] * 300 + [200.0] * MAX_SAMPLES)
    assert plan.typical_run(KEY) == pytest.approx((200.0, 200.0))
