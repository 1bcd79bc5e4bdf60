"""Each benchmark runs at a tiny size and produces sane numbers. No timing is asserted here:
the figures themselves are measured by `python -m bench` and recorded in BENCHMARKS.md."""

from __future__ import annotations

import math
from typing import Any

from bench import budget, interactions, scale, tracking, workloads
from bench.common import Row, format_table


def _table_renders(rows: list[Row]) -> None:
    table = format_table(rows)
    assert table.count("\n") == len(rows) + 1


async def test_ack_and_cost_measure_every_command_of_both_bots():
    results = await interactions.run(single=3, burst=4, rounds=1)
    for side in (results.ours, results.bare):
        assert side.sent == 3 + 4 and side.answered == side.sent
        assert len(side.ack_single_ms) == 3 and len(side.ack_burst_ms) == 4
        assert all(value > 0 for value in side.ack_single_ms + side.ack_burst_ms)
        # The simulated proxy latency is inside the handling time, and subtracted from it.
        assert all(api >= interactions.SUBMIT_LATENCY_S * 1000 for api in side.api_ms)
        assert all(
            math.isclose(total - api, cost)
            for total, api, cost in zip(side.handling_ms, side.api_ms, side.cost_ms, strict=True)
        )
    # Ours also measured commands that use two cast members (the bench checks each one sent
    # three references with the names rewritten); the bare bot has no cast.
    assert len(results.ours.cast_cost_ms) == 3 and not results.bare.cast_cost_ms
    assert all(cost > 0 for cost in results.ours.cast_cost_ms)
    rows = results.rows()
    assert all(row.peer is not None for row in rows if isinstance(row.ours, float))
    _table_renders(rows)


async def test_tracking_pairs_every_task_and_delivers_each_once():
    results = await tracking.run(warm_per_key=1, pairs_per_key=1, scale=200, submit_window_s=40)
    pairs = len(tracking.KEYS)
    assert len(results.ours_lag_s) == len(results.sdk_lag_s) == pairs
    assert all(lag >= 0 for lag in results.ours_lag_s + results.sdk_lag_s)
    assert all(q >= 1 for q in results.ours_queries + results.sdk_queries)
    assert results.tracked == results.warm_tasks + pairs
    assert results.delivered_once == results.tracked
    _table_renders(results.rows())


def test_the_sdk_copy_of_a_request_gets_the_same_plan():
    payload: dict[str, Any] = {
        "model": "wan2.6-r2v",
        "parameters": {"size": "1280*720", "duration": 10, "seed": 7},
    }
    assert tracking.durations_s(payload) == tracking.durations_s(dict(payload))
    other = {**payload, "parameters": {**payload["parameters"], "seed": 8}}
    assert tracking.durations_s(payload) != tracking.durations_s(other)


async def test_scale_delivers_every_task_under_the_cap():
    results = await scale.run(tasks=60)
    assert results.delivered_once == 60 and results.delivered_twice == 0
    assert results.peak_in_flight == 60
    assert 0 < results.max_queries_1s <= results.cap
    assert results.queries >= 60
    assert results.peak_rss_mb > 0
    _table_renders(results.rows())


def test_every_workload_measures_the_same_tasks_under_all_three_schedules():
    results = workloads.run(sizes=(3, 4))
    assert len(results) == len(workloads.WORKLOADS) + len(workloads.VARIANTS)
    for result in results:
        n = len(result.ours.lags_s)
        assert n > 0 and len(result.sdk.lags_s) == len(result.oracle.lags_s) == n
        assert all(lag >= 0 for lag in result.ours.lags_s + result.sdk.lags_s)
        assert all(q >= 1 for q in result.ours.queries + result.oracle.queries)
        _table_renders(result.rows())


def test_the_workloads_are_drawn_the_same_way_every_run():
    first = workloads.draw_tasks(workloads.WORKLOADS[0], (3, 4))
    again = workloads.draw_tasks(workloads.WORKLOADS[0], (3, 4))
    assert first == again


def test_under_the_cap_both_schedules_see_every_task_end():
    result = budget.run(quick=True)
    assert result.measured > 0
    assert len(result.ours.lags_s) == len(result.sdk.lags_s) == result.measured
    assert all(lag >= 0 for lag in result.ours.lags_s + result.sdk.lags_s)
    _table_renders(result.rows())
