"""The billed seconds the service reports replace the estimate; the estimate is kept."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.generation.pricing import ActualCost, CostEstimate
from bot.tracking.lifecycle import with_actual_cost
from tests.store.test_contract import record

# flash 1080P with sound: 0.5 a second; a 5 s video with one clip is estimated at 10 s.
ESTIMATE = CostEstimate(10, Decimal("5.0"), "CNY", upper_bound=True)
ESTIMATED = record(estimate=ESTIMATE)


@pytest.mark.parametrize(
    ("billed_s", "amount", "seconds"),
    [(7.0, Decimal("3.5000"), 7), (10.0, Decimal("5.0000"), 10), (6.5, Decimal("3.2500"), 7)],
)
def test_the_actual_amount_is_the_estimates_price_times_the_billed_seconds(
    billed_s, amount, seconds
):
    actual = with_actual_cost(ESTIMATED, billed_s)
    assert actual.actual == ActualCost(seconds, amount)
    assert actual.estimate == ESTIMATE and actual.counted is not None
    assert (actual.counted.seconds, actual.counted.amount) == (seconds, amount)


def test_without_usage_or_an_estimate_nothing_changes():
    assert with_actual_cost(ESTIMATED, None) == ESTIMATED
    unpriced = replace(ESTIMATED, estimate=None)
    assert with_actual_cost(unpriced, 7.0) == unpriced
    once = with_actual_cost(ESTIMATED, 7.0)
    assert with_actual_cost(once, 3.0) == once, "applied once, not compounded"
