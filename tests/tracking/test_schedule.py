"""The poll schedule: sparse while a task cannot be done yet, dense where its kind usually ends,
never outside its bounds; and, when queries are scarce, the likeliest finished task first."""

import math
import random

import pytest

from bot.api.models import TaskStatus
from bot.tracking.schedule import MIN_SAMPLES, PollContext, PollSchedule

KEY = ("wan2.6-r2v-flash", "1080P", 5)
# With the default 4 s minimum interval: the SDK's wait() polls every 5 s after its first 24 s;
# before learning we poll every 4.8 s, and in a window every 4.7 s down to 4 s.
SDK_INTERVAL_S = 5.0
UNLEARNED_S, DENSE_LOOSE_S, DENSE_TIGHT_S = 4.8, 4.7, 4.0
OTHER_KEY = ("wan2.6-r2v", "720P", 10)


def schedule(jitter: float = 0.0, min_s: float = 4, max_s: float = 30) -> PollSchedule:
    return PollSchedule(
        min_interval_s=min_s, max_interval_s=max_s, jitter=jitter, rng=random.Random(1)
    )


def steady_times(n: int = 40, median: float = 150, sigma: float = 0.08) -> list[float]:
    rng = random.Random(5)
    return [median * math.exp(sigma * rng.gauss(0, 1)) for _ in range(n)]


def trained(run_times: list[float], plan: PollSchedule | None = None, queue_s: float = 15):
    plan = plan or schedule()
    for seconds in run_times:
        plan.learn(KEY, seconds, queued_s=queue_s)
    return plan


def running(for_s: float, age_s: float | None = None, key=KEY) -> PollContext:
    age = for_s + 15 if age_s is None else age_s
    return PollContext(key=key, status=TaskStatus.RUNNING, age_s=age, running_for_s=for_s)


def pending(age_s: float, key=KEY) -> PollContext:
    return PollContext(key=key, status=TaskStatus.PENDING, age_s=age_s, running_for_s=None)


@pytest.mark.parametrize(
    "context",
    [pending(0), pending(100), running(10), running(300), running(10, key=OTHER_KEY)],
)
def test_before_enough_samples_every_task_is_polled_as_often_as_the_sdk_would(context):
    plan = trained([150.0] * (MIN_SAMPLES - 1))
    assert plan.windows(KEY) is None
    assert plan.next_delay(context) == pytest.approx(UNLEARNED_S)


def test_dense_intervals_are_counted_in_minimum_intervals():
    # An operator's shorter minimum (or a compressed-time test) makes dense polling denser.
    plan = trained(steady_times(), schedule(min_s=1, max_s=30))
    assert plan.next_delay(running(10, key=OTHER_KEY)) == pytest.approx(UNLEARNED_S / 4)
    window = plan.windows(KEY)[0]
    assert DENSE_TIGHT_S / 4 <= plan.next_delay(running(window.start + 1)) <= DENSE_LOOSE_S / 4


def test_a_pending_task_is_polled_as_often_as_its_earliest_end_after_starting():
    plan = trained(steady_times(median=20, sigma=0.05))  # short tasks: the window is < 30 s
    first = plan.windows(KEY)[0]
    assert 15 < first.start < 20
    assert plan.next_delay(pending(0)) == pytest.approx(first.start)
    assert plan.next_delay(pending(500)) == pytest.approx(first.start)


def test_a_pending_task_of_a_long_kind_is_polled_at_the_maximum_interval():
    plan = trained(steady_times())
    assert plan.next_delay(pending(0)) == pytest.approx(30)


@pytest.mark.parametrize("running_s", [0, 30, 60, 100])
def test_a_running_task_sleeps_toward_its_window_never_longer_than_the_maximum(running_s):
    plan = trained(steady_times())
    start = plan.windows(KEY)[0].start
    assert 115 < start < 150
    assert plan.next_delay(running(running_s)) == pytest.approx(min(30, start - running_s))


def test_the_first_poll_of_the_window_lands_on_its_start():
    plan = trained(steady_times(), schedule(jitter=0.1))
    start = plan.windows(KEY)[0].start
    assert plan.next_delay(running(start - 20)) == pytest.approx(20), "no jitter on the aim"


def test_inside_the_window_polls_are_dense_and_tighten_where_tasks_are_likely_to_end():
    plan = trained(steady_times())
    window = plan.windows(KEY)[0]
    delays = [plan.next_delay(running(t)) for t in (window.start, 150, window.end - 1)]
    assert all(DENSE_TIGHT_S <= delay <= DENSE_LOOSE_S < SDK_INTERVAL_S for delay in delays)
    assert delays[0] > delays[1], "denser where a task is likely to end before the next poll"


def test_a_gap_between_two_modes_is_crossed_in_one_sparse_step():
    rng = random.Random(3)
    times = [
        (100 if rng.random() < 0.7 else 400) * math.exp(0.08 * rng.gauss(0, 1)) for _ in range(60)
    ]
    plan = trained(times)
    first, second = plan.windows(KEY)
    assert first.end < 200 < second.start
    in_gap = first.end + 5
    assert plan.next_delay(running(in_gap)) == pytest.approx(min(30, second.start - in_gap))
    assert DENSE_TIGHT_S <= plan.next_delay(running(400)) <= DENSE_LOOSE_S


def test_an_overdue_task_backs_off_but_never_beyond_the_maximum():
    plan = trained(steady_times())
    end = plan.windows(KEY)[-1].end
    assert DENSE_LOOSE_S < plan.next_delay(running(end + 60)) < 30
    assert plan.next_delay(running(10_000)) == pytest.approx(30)


@pytest.mark.parametrize(
    "context", [pending(0), running(10), running(140), running(10_000), running(10, key=OTHER_KEY)]
)
def test_the_interval_bounds_hold_whatever_was_learned(context):
    plan = trained(steady_times(), schedule(jitter=0.3, min_s=10, max_s=20))
    for _ in range(20):
        assert 10 <= plan.next_delay(context) <= 20


def test_jitter_spreads_dense_delays_but_never_past_the_sdks_interval():
    plan = schedule(jitter=0.2)
    delays = {plan.next_delay(running(50)) for _ in range(50)}
    assert len(delays) > 10
    assert all(UNLEARNED_S * 0.8 <= delay <= SDK_INTERVAL_S for delay in delays)


def test_other_kinds_learn_separately():
    plan = trained(steady_times())
    assert plan.windows(OTHER_KEY) is None
    assert plan.next_delay(running(10, key=OTHER_KEY)) == pytest.approx(UNLEARNED_S)


def test_a_slower_service_moves_the_window_within_a_few_tasks():
    plan = trained(steady_times())
    before = plan.windows(KEY)[0].start
    trained([s * 2.5 for s in steady_times(3)], plan)
    assert plan.windows(KEY)[0].start > 2 * before


def test_a_slower_service_seen_in_two_kinds_moves_every_kind():
    plan = trained(steady_times())
    for seconds in steady_times(40, median=100):
        plan.learn(OTHER_KEY, seconds)
    third_kind = ("wan2.6-r2v", "1080P", 5)
    for seconds in steady_times(40, median=200):
        plan.learn(third_kind, seconds)
    before = plan.windows(third_kind)[0].start
    # Three slow tasks in a row, of two kinds: the third kind has seen none yet.
    plan.learn(KEY, 375)
    plan.learn(OTHER_KEY, 250)
    plan.learn(KEY, 380)
    assert plan.windows(third_kind)[0].start > 2 * before


def test_one_slow_task_of_each_of_two_kinds_moves_nothing():
    plan = trained(steady_times())
    for seconds in steady_times(40, median=100):
        plan.learn(OTHER_KEY, seconds)
    before = plan.windows(KEY)[0].start
    plan.learn(KEY, 375)
    plan.learn(OTHER_KEY, 250)
    plan.learn(KEY, 150)
    assert plan.windows(KEY)[0].start == pytest.approx(before, rel=0.05)


# --- priority: which due poll to spend a scarce query on


def test_a_task_in_its_window_outranks_one_far_from_it():
    plan = trained(steady_times())
    in_window = plan.priority(running(150), since_last_poll_s=5)
    early = plan.priority(running(40), since_last_poll_s=5)
    overdue = plan.priority(running(1000), since_last_poll_s=5)
    assert in_window > 10 * early
    assert in_window > overdue > 0


def test_the_longer_since_the_last_poll_the_higher_the_priority():
    plan = trained(steady_times())
    values = [plan.priority(running(150), since_last_poll_s=s) for s in (0, 2, 5, 20, 60)]
    assert values[0] == 0 and values == sorted(values) and values[-1] <= 1


def test_a_pending_task_ranks_by_the_chance_it_started_and_already_ended():
    plan = trained(steady_times())
    assert plan.priority(pending(300), since_last_poll_s=30) < 0.01, "too soon to have ended"
    assert plan.priority(pending(300), since_last_poll_s=250) > 0.5
    assert plan.priority(pending(300), since_last_poll_s=250) < 1


def test_before_learning_the_oldest_due_poll_ranks_first():
    plan = schedule()
    ranks = [plan.priority(running(50), since_last_poll_s=s) for s in (1, 10, 100)]
    assert ranks == sorted(ranks) and all(0 < r < 1 for r in ranks)


# --- what the schedule can tell people


def test_the_typical_total_adds_queue_and_generation_time():
    assert schedule().typical_total(KEY) is None
    plan = trained([150.0 + i for i in range(-10, 10)], queue_s=20)
    typical = plan.typical_total(KEY)
    assert typical.median_s == pytest.approx(170, rel=0.05)
    assert typical.median_s <= typical.p90_s < 200


def test_the_typical_total_follows_a_slowdown_after_the_samples_are_full():
    # Far more tasks than the schedule keeps: "usually ready" must still move with the service.
    plan = trained(steady_times(n=500, median=55), queue_s=10)
    assert plan.typical_total(KEY).median_s == pytest.approx(65, rel=0.1)
    trained(steady_times(n=100, median=150), plan, queue_s=10)
    assert plan.typical_total(KEY).median_s == pytest.approx(160, rel=0.1)


def test_the_typical_remaining_time_shrinks_as_the_task_runs():
    plan = trained(steady_times())
    assert plan.typical_remaining(pending(10)) is None
    left = [plan.typical_remaining(running(t)) for t in (10, 100, 150)]
    assert left[0] == pytest.approx(140, rel=0.05)
    assert left == sorted(left, reverse=True) and left[-1] > 0
