"""Each live worker's part of the work and of the query cap, from what the store says: an even
split of the tasks with the odd ones where they already are, the cap by the work to come."""

from __future__ import annotations

import pytest

from bot.store.types import Worker, Workforce
from bot.tracking.ownership import Part, balance


def force(*tasks: int, orphans: int = 0) -> Workforce:
    workers = tuple(Worker(f"w{n}", 0.0, None, 0, count) for n, count in enumerate(tasks))
    return Workforce(workers, orphans)


@pytest.mark.parametrize(
    ("workforce", "cap", "parts"),
    [
        # Alone: everything, the whole cap.
        (force(0, orphans=5), 4, [Part(5, 4)]),
        # One carries everything after a take-over; one came back with nothing: the cap is
        # split as the tasks are about to be.
        (force(6, 0), 4, [Part(3, 2), Part(3, 2)]),
        # Even already: nothing moves, the cap follows (the odd query to the first).
        (force(2, 2, 2), 4, [Part(2, 2), Part(2, 1), Part(2, 1)]),
        # The odd task stays with the busiest; orphans make up the others' parts.
        (force(4, 2, 1), 30, [Part(3, 12), Part(2, 9), Part(2, 9)]),
        (force(0, 1, orphans=2), 10, [Part(1, 4), Part(2, 6)]),
        # Fewer queries than processes: the one left without takes no task.
        (force(3, 0, 1), 2, [Part(2, 1), Part(0, 0), Part(2, 1)]),
        # No cap: the tasks alone.
        (force(5, 0), None, [Part(3, 0), Part(2, 0)]),
        (force(), 4, []),
    ],
)
def test_each_worker_takes_an_even_part_of_the_work_and_the_cap_by_its_work(workforce, cap, parts):
    result = balance(workforce, cap)
    assert list(result.values()) == parts
    assert list(result) == [w.owner for w in workforce.workers]
    assert sum(part.tasks for part in parts) == workforce.tasks or not parts
