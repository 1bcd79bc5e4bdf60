"""The many-processes benchmark runs at a tiny size and produces sane numbers (no timing is
asserted: `python -m bench --only many` measures)."""

from __future__ import annotations

from bench import many
from bench.common import format_table


async def test_three_processes_deliver_every_task_once_and_a_killed_ones_tasks_move():
    size = many.Size(40, worker_timeout_s=1.0, claim_interval_s=0.3, small_cap_run_s=2.0)
    results = await many.run(size)
    assert results.tasks == many.PROCESSES * 40
    assert results.delivered_once == results.tasks and results.delivered_twice == 0
    assert results.moved > 0, "the killed process owned tasks (about what it submitted)"
    assert results.takeover_s > 0 and results.queries >= results.tasks
    assert len(results.peak_rss_mb) == many.PROCESSES + 1 and all(results.peak_rss_mb)
    assert results.even_s > 0 and results.small_cap_max_1s > 0
    assert set(results.resume_s) == {"SQLite", "PostgreSQL"}
    rows = results.rows()
    assert format_table(rows).count("\n") == len(rows) + 1
