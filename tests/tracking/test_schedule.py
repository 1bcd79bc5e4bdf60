"""The poll schedule: sparse while a task cannot be done yet, dense where it usually ends."""

import random

import pytest

from bot.api.models import TaskStatus
from bot.tracking.schedule import MAX_SAMPLES, MIN_SAMPLES, PollContext, PollSchedule

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
    [(0, 5), (20, 5), (40, 10), (100, 25), (1000, 30)],
)
def test_pending_tasks_are_polled_at_a_pace_that_slows_with_age(age_s, expected):
    context = PollContext(key=KEY, status=TaskStatus.PENDING, age_s=age_s, running_for_s=None)
    assert schedule().next_delay(context) == pytest.approx(expected)


def test_without_enough_samples_a_running_task_is_polled_densely():
    plan = trained([100.0] * (MIN_SAMPLES - 1))
    assert plan.typical_run(KEY) is None
    assert plan.next_delay(running(10)) == pytest.approx(5)


def test_a_running_task_sleeps_until_just_before_its_earliest_typical_end():
    plan = trained([100, 105, 110, 115, 120, 125, 130])
    early, late = plan.typical_run(KEY)
    assert 100 <= early < 105 and 125 < late <= 130
    # 10 s into a ~100 s generation: next look one dense interval before the earliest end.
    assert plan.next_delay(running(10)) == pytest.approx(early - 5 - 10)
    # Inside the typical window: dense.
    assert plan.next_delay(running(110)) == pytest.approx(5)


def test_an_overdue_task_backs_off_but_never_beyond_the_maximum():
    plan = trained([100] * 10)
    assert 5 < plan.next_delay(running(140)) < 30
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
    assert plan.typical_run(KEY) == (200.0, 200.0)
