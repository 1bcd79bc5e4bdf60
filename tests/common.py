"""Plain helpers shared by tests in several folders (fixtures live in conftest.py)."""

from __future__ import annotations

from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord


async def stored(store: TaskStore, task_id: str) -> TaskRecord:
    """The record the store holds for a task the test knows it has (fails the test if none)."""
    record = await store.get(task_id)
    assert record is not None, f"the store has no task {task_id}"
    return record
