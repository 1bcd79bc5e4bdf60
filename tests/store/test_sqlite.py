"""What only the SQLite store does: schema numbers in PRAGMA user_version, refusing files it
cannot read, and back-filling new columns for databases written by older bots."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.store.records import Ending
from bot.store.sqlite import SqliteTaskStore
from bot.store.sqlite_schema import MIGRATIONS
from tests.common import stored
from tests.store.test_contract import REQUEST


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


def schema_2_database(path: Path, rows: list[dict[str, Any]]) -> None:
    """A database as a bot of schema 2 left it."""
    with sqlite3.connect(path) as db:
        for migration in MIGRATIONS[:2]:
            assert isinstance(migration, str)
            db.executescript(migration)
        db.execute("PRAGMA user_version = 2")
        for row in rows:
            values = {
                "requester_id": 42,
                "channel_id": 8,
                "request_json": json.dumps(REQUEST.to_record()),
                "created_at": 1000.0,
                "deadline_at": 2800.0,
                "raw_status": row["status"],
                **row,
            }
            db.execute(
                f"INSERT INTO tasks ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()),
            )


async def test_opening_a_schema_2_database_back_fills_how_tasks_ended(tmp_path: Path, caplog):
    caplog.set_level(logging.INFO, logger="bot.store")
    path = tmp_path / "old.sqlite3"
    rows = [
        ("ok", "SUCCEEDED", "done", None, None, Ending.SUCCEEDED),
        ("ok-delivering", "SUCCEEDED", "delivering", None, None, Ending.SUCCEEDED),
        ("failed", "FAILED", "done", "InvalidParameter", "bad media", Ending.FAILED),
        ("canceled", "CANCELED", "done", None, None, Ending.CANCELED),
        ("expired", "UNKNOWN", "done", None, None, Ending.EXPIRED),
        ("late", "RUNNING", "done", "Deadline", "no result after 30 min", Ending.DEADLINE),
        (
            "lost",
            "PENDING",
            "delivering",
            "Unreachable",
            "unreachable",
            Ending.UNREACHABLE,
        ),
        ("stopped", "RUNNING", "done", None, "tracking stopped by admin 123", Ending.UNTRACKED),
        ("running", "RUNNING", "tracking", None, None, None),
        ("pending", "PENDING", "tracking", None, None, None),
    ]
    schema_2_database(
        path,
        [
            {
                "task_id": task_id,
                "status": status,
                "phase": phase,
                "error_code": code,
                "error_message": message,
                "cost_amount": "1.20",
            }
            for task_id, status, phase, code, message, _ in rows
        ],
    )

    store = await SqliteTaskStore.open(path)
    try:
        endings = {task_id: (await stored(store, task_id)).ending for task_id, *_ in rows}
        assert [r.task_id for r in await store.active()] == [
            "ok-delivering",
            "lost",
            "running",
            "pending",
        ]
    finally:
        await store.close()

    assert endings == {task_id: ending for task_id, *_, ending in rows}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    said = [r.getMessage() for r in caplog.records if r.name.startswith("bot.store")]
    assert said == [f"task database migrated from schema 2 to {len(MIGRATIONS)} (one-way)"]


async def test_two_processes_opening_a_new_file_together_migrate_it_once(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    stores = await asyncio.gather(*(SqliteTaskStore.open(path) for _ in range(3)))
    for store in stores:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
