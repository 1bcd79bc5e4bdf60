"""The SQLite task store: what is written comes back, across restarts and migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.api.models import TaskStatus
from bot.generation.request import CommandInput, Defaults, build_request
from bot.store.records import Phase, TaskRecord
from bot.store.sqlite import MIGRATIONS, SqliteTaskStore

REQUEST = build_request(
    CommandInput(
        prompt="character1 meets character2",
        links="https://example.com/a.png https://example.com/b.mov",
        model="wan2.6-r2v",
        size="1280*720",
        duration=8,
        shot_type="multi",
        seed=99,
        negative_prompt="fog",
    ),
    Defaults(),
)


def record(task_id: str = "task-1", **changes) -> TaskRecord:
    base = TaskRecord(
        task_id=task_id,
        requester_id=42,
        guild_id=7,
        channel_id=8,
        request=REQUEST,
        created_at=1000.0,
        deadline_at=2800.0,
    )
    return replace(base, **changes)


FULL = record(
    "task-full",
    status=TaskStatus.SUCCEEDED,
    raw_status="SUCCEEDED",
    phase=Phase.DELIVERING,
    status_message_id=111,
    submit_request_id="req-abc",
    upload_limit=25 * 1024 * 1024,
    billed_seconds=13,
    cost_text="up to 7.80 CNY (13 billed s)",
    api_times={"queued_s": 1.5, "running_s": 200.25},
    video_url="https://oss.example/v.mp4?Signature=a%2Bb",
    error_code=None,
    error_message=None,
    result_message_id=222,
    finished_at=1300.5,
    updated_at=1301.0,
    parent_task_id="task-parent",
)


@pytest.fixture
async def store() -> AsyncIterator[SqliteTaskStore]:
    store = await SqliteTaskStore.open(":memory:")
    yield store
    await store.close()


async def test_full_record_round_trip(store):
    await store.add(FULL)

    got = await store.get("task-full")

    assert got == FULL
    assert got.request.to_payload() == REQUEST.to_payload()
    assert got.status is TaskStatus.SUCCEEDED and got.phase is Phase.DELIVERING


async def test_minimal_record_round_trip_and_unknown_id(store):
    await store.add(record(guild_id=None))

    assert await store.get("task-1") == record(guild_id=None)
    assert await store.get("nope") is None


async def test_the_same_task_id_cannot_be_added_twice(store):
    await store.add(record())

    with pytest.raises(sqlite3.IntegrityError):
        await store.add(record())


async def test_update_changes_only_the_named_fields(store):
    await store.add(record())

    await store.update(
        "task-1",
        status=TaskStatus.FAILED,
        raw_status="FAILED",
        phase=Phase.DONE,
        error_code="InvalidParameter",
        error_message="Unable to download the media resource",
        api_times={"running_s": 3.0},
        finished_at=1500.0,
    )

    assert await store.get("task-1") == record(
        status=TaskStatus.FAILED,
        raw_status="FAILED",
        phase=Phase.DONE,
        error_code="InvalidParameter",
        error_message="Unable to download the media resource",
        api_times={"running_s": 3.0},
        finished_at=1500.0,
    )


async def test_update_refuses_fields_that_are_not_updatable(store):
    await store.add(record())

    with pytest.raises(ValueError, match="requester_id"):
        await store.update("task-1", requester_id=1)
    assert (await store.get("task-1")) == record()


async def test_events_start_with_the_submit_and_keep_order(store):
    await store.add(record(raw_status="PENDING"))
    await store.add_event("task-1", 1010.0, "RUNNING")
    await store.add_event("task-1", 1010.0, "RUNNING-again")  # same time: insertion order
    await store.add_event("task-1", 1200.0, "SUCCEEDED")

    assert await store.events("task-1") == [
        (1000.0, "PENDING"),
        (1010.0, "RUNNING"),
        (1010.0, "RUNNING-again"),
        (1200.0, "SUCCEEDED"),
    ]
    assert await store.events("other") == []


async def test_active_excludes_done_and_is_oldest_first(store):
    await store.add(record("b", created_at=2000.0, phase=Phase.DELIVERING))
    await store.add(record("a", created_at=1000.0))
    await store.add(record("c", created_at=1500.0, phase=Phase.DONE))
    await store.add(record("d", created_at=3000.0))
    await store.update("d", phase=Phase.DONE)

    assert [r.task_id for r in await store.active()] == ["a", "b"]


async def test_recent_for_user_is_newest_first_and_limited(store):
    for n in range(5):
        await store.add(record(f"mine-{n}", created_at=1000.0 + n))
    await store.add(record("theirs", requester_id=99, created_at=5000.0))

    recent = await store.recent_for_user(42, limit=3)

    assert [r.task_id for r in recent] == ["mine-4", "mine-3", "mine-2"]
    assert [r.task_id for r in await store.recent_for_user(99)] == ["theirs"]
    assert await store.recent_for_user(1) == []


async def test_recent_finished_is_only_done_successes(store):
    await store.add(record("ok", phase=Phase.DONE, status=TaskStatus.SUCCEEDED))
    await store.add(record("failed", phase=Phase.DONE, status=TaskStatus.FAILED))
    await store.add(record("busy", status=TaskStatus.SUCCEEDED, phase=Phase.DELIVERING))

    assert [r.task_id for r in await store.recent_finished()] == ["ok"]


async def test_reopening_a_file_keeps_data_and_schema_version(tmp_path: Path):
    path = tmp_path / "nested" / "r2v.sqlite3"
    first = await SqliteTaskStore.open(path)
    await first.add(FULL)
    await first.update("task-full", phase=Phase.DONE)
    await first.close()

    second = await SqliteTaskStore.open(path)
    try:
        got = await second.get("task-full")
        assert got == replace(FULL, phase=Phase.DONE)
        assert await second.events("task-full") == [(1000.0, "SUCCEEDED")]
    finally:
        await second.close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_a_database_newer_than_the_code_refuses_to_open(tmp_path: Path):
    path = tmp_path / "r2v.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    before = set(threading.enumerate())

    with pytest.raises(RuntimeError, match="upgrade the bot") as caught:
        await SqliteTaskStore.open(path)

    # The refused connection is closed, not left to a worker thread (caught keeps the
    # exception and its frames alive, so garbage collection cannot hide a leak here).
    assert caught.value is not None
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=2)
        assert not thread.is_alive(), thread
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1


async def test_a_file_that_is_not_a_database_refuses_to_open_and_leaks_nothing(tmp_path: Path):
    path = tmp_path / "r2v.sqlite3"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    before = set(threading.enumerate())

    with pytest.raises(sqlite3.DatabaseError) as caught:
        await SqliteTaskStore.open(path)

    assert caught.value is not None
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=2)
        assert not thread.is_alive(), thread
