"""The learned distribution of durations: its shape comes from the samples, recent ones count
more, and a change of speed shows within a few samples."""

import math
import random

import pytest

from bot.tracking.quantiles import MAX_SAMPLES, LearnedDistribution


def lognormal(median: float, sigma: float, n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [median * math.exp(sigma * rng.gauss(0, 1)) for _ in range(n)]


def test_nothing_learned_has_no_quantiles_and_no_windows():
    empty = LearnedDistribution()
    assert len(empty) == 0
    assert math.isnan(empty.cdf(100)) and math.isnan(empty.quantile(0.5))
    assert empty.likely_ends(0.9) == []


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.75, 0.9])
def test_quantiles_follow_the_samples(p):
    samples = lognormal(150, 0.12, MAX_SAMPLES)
    learned = LearnedDistribution(samples)
    ordered = sorted(samples)
    empirical = ordered[round(p * (len(ordered) - 1))]
    assert learned.quantile(p) == pytest.approx(empirical, rel=0.04)
    assert learned.cdf(learned.quantile(p)) == pytest.approx(p, abs=1e-6)


def test_the_cdf_rises_from_zero_and_a_longer_time_than_any_seen_stays_possible():
    learned = LearnedDistribution(lognormal(150, 0.12, 40))
    points = [10, 50, 100, 140, 150, 160, 200, 400, 1000]
    values = [learned.cdf(t) for t in points]
    assert values == sorted(values)
    assert learned.cdf(0) == 0.0
    assert 0.999 < learned.cdf(1000) < 1.0, "never certain that a task is over"


def test_two_modes_make_two_windows_with_a_gap_between():
    fast, slow = lognormal(100, 0.1, 40, seed=2), lognormal(400, 0.1, 20, seed=3)
    mixed = [value for pair in zip(fast, fast[20:] + slow, strict=False) for value in pair]
    learned = LearnedDistribution(mixed)
    windows = learned.likely_ends(0.97)
    assert len(windows) == 2
    first, second = windows
    assert first.start < 100 < first.end < 200 < second.start < 400 < second.end


def test_a_wide_spread_makes_wide_windows():
    learned = LearnedDistribution(lognormal(150, 0.4, MAX_SAMPLES))
    windows = learned.likely_ends(0.95)
    assert windows[0].start < 90 and windows[-1].end > 250


@pytest.mark.parametrize(("factor", "new_median"), [(2.5, 375), (0.5, 75)])
def test_a_change_of_speed_shows_after_three_tasks(factor, new_median):
    learned = LearnedDistribution(lognormal(150, 0.05, 40))
    for value in lognormal(150 * factor, 0.05, 3, seed=9):
        learned.add(value)
    assert learned.quantile(0.5) == pytest.approx(new_median, rel=0.08)
    assert learned.quantile(0.05) == pytest.approx(new_median, rel=0.15), "old speed forgotten"


def test_one_odd_task_does_not_move_the_typical_time():
    learned = LearnedDistribution(lognormal(150, 0.05, 40))
    learned.add(400)
    learned.add(150)
    assert learned.quantile(0.5) == pytest.approx(150, rel=0.03)


def test_recent_tasks_weigh_more_than_old_ones():
    # 40 tasks around 140, then 20 around 160: within the spread, so no change of speed is
    # declared, but the median leans toward the recent ones.
    learned = LearnedDistribution(lognormal(140, 0.08, 40) + lognormal(160, 0.08, 20, seed=4))
    assert learned.quantile(0.5) > 150


def test_only_the_most_recent_samples_are_kept():
    learned = LearnedDistribution([100.0] * 10 + lognormal(150, 0.1, MAX_SAMPLES + 10))
    assert len(learned) == MAX_SAMPLES
    assert learned.quantile(0.01) > 100


def test_nonsense_samples_are_ignored():
    learned = LearnedDistribution([0.0, -3.0, math.inf, math.nan])
    assert len(learned) == 0
