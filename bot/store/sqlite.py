"""SQLite task store with numbered migrations (PRAGMA user_version is the schema number)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import aiosqlite

from bot.api.models import TaskStatus
from bot.generation.request import GenerationRequest
from bot.store.records import Phase, TaskRecord
from bot.store.types import Spend, Usage

log = logging.getLogger(__name__)

# Each entry moves the schema from its index to index + 1. Never edit a released entry: add one.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE tasks (
        task_id TEXT PRIMARY KEY,
        requester_id INTEGER NOT NULL,
        guild_id INTEGER,
        channel_id INTEGER NOT NULL,
        request_json TEXT NOT NULL,
        created_at REAL NOT NULL,
        deadline_at REAL NOT NULL,
        status TEXT NOT NULL,
        raw_status TEXT NOT NULL,
        phase TEXT NOT NULL,
        status_message_id INTEGER,
        submit_request_id TEXT,
        upload_limit INTEGER,
        billed_seconds INTEGER,
        cost_text TEXT,
        api_times_json TEXT NOT NULL DEFAULT '{}',
        video_url TEXT,
        error_code TEXT,
        error_message TEXT,
        result_message_id INTEGER,
        finished_at REAL,
        updated_at REAL,
        parent_task_id TEXT
    );
    CREATE INDEX tasks_active ON tasks (phase) WHERE phase != 'done';
    CREATE INDEX tasks_requester ON tasks (requester_id, created_at);
    CREATE TABLE task_events (
        task_id TEXT NOT NULL REFERENCES tasks(task_id),
        at REAL NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX task_events_task ON task_events (task_id, at);
    """,
    # 2: money kept exactly (as text), for daily budgets in currency.
    """
    ALTER TABLE tasks ADD COLUMN cost_amount TEXT;
    CREATE INDEX tasks_guild ON tasks (guild_id, created_at);
    """,
)

# Tasks in these states cost nothing (failed and canceled tasks are not billed).
_UNBILLED = ("FAILED", "CANCELED")

_COLUMNS: Final = (
    "task_id",
    "requester_id",
    "guild_id",
    "channel_id",
    "request_json",
    "created_at",
    "deadline_at",
    "status",
    "raw_status",
    "phase",
    "status_message_id",
    "submit_request_id",
    "upload_limit",
    "billed_seconds",
    "cost_text",
    "api_times_json",
    "video_url",
    "error_code",
    "error_message",
    "result_message_id",
    "finished_at",
    "updated_at",
    "parent_task_id",
    "cost_amount",
)
# Fields of TaskRecord that `update` may change, and how they are stored.
_UPDATABLE: Final = frozenset(
    {
        "status",
        "raw_status",
        "phase",
        "status_message_id",
        "upload_limit",
        "api_times",
        "video_url",
        "error_code",
        "error_message",
        "result_message_id",
        "finished_at",
        "updated_at",
        "deadline_at",
    }
)


class SqliteTaskStore:
    """The default store. Open with `await SqliteTaskStore.open(path)`; close when done."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    @classmethod
    async def open(cls, path: Path | str) -> SqliteTaskStore:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path))
        connection.row_factory = aiosqlite.Row
        store = cls(connection)
        try:
            # WAL survives a SIGKILL without losing committed rows and lets reads run beside
            # writes.
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await store._migrate()
        except BaseException:
            # aiosqlite's worker thread is not a daemon: left open, it keeps the process alive.
            await connection.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"the task database is at schema {version}, newer than this bot knows "
                f"({len(MIGRATIONS)}); upgrade the bot"
            )
        for number in range(version, len(MIGRATIONS)):
            await self._db.executescript(
                f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
            )
            log.info("task database migrated to schema %d", number + 1)

    async def add(self, record: TaskRecord) -> None:
        values = _to_row(record)
        placeholders = ", ".join("?" for _ in _COLUMNS)
        await self._db.execute(
            f"INSERT INTO tasks ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            [values[column] for column in _COLUMNS],
        )
        await self._db.execute(
            "INSERT INTO task_events (task_id, at, status) VALUES (?, ?, ?)",
            (record.task_id, record.created_at, record.raw_status),
        )
        await self._db.commit()

    async def update(self, task_id: str, **changes: Any) -> None:
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        assignments: list[str] = []
        values: list[Any] = []
        for name, value in changes.items():
            column, stored = _stored(name, value)
            assignments.append(f"{column} = ?")
            values.append(stored)
        await self._db.execute(
            f"UPDATE tasks SET {', '.join(assignments)} WHERE task_id = ?", [*values, task_id]
        )
        await self._db.commit()

    async def add_event(self, task_id: str, at: float, status: str) -> None:
        await self._db.execute(
            "INSERT INTO task_events (task_id, at, status) VALUES (?, ?, ?)", (task_id, at, status)
        )
        await self._db.commit()

    async def events(self, task_id: str) -> list[tuple[float, str]]:
        async with self._db.execute(
            "SELECT at, status FROM task_events WHERE task_id = ? ORDER BY at, rowid", (task_id,)
        ) as cursor:
            return [(row["at"], row["status"]) async for row in cursor]

    async def get(self, task_id: str) -> TaskRecord | None:
        async with self._db.execute("SELECT * FROM tasks WHERE task_id = ?", (task_id,)) as cursor:
            row = await cursor.fetchone()
        return _from_row(row) if row else None

    async def active(self) -> list[TaskRecord]:
        return await self._select("WHERE phase != 'done' ORDER BY created_at")

    async def recent_for_user(self, requester_id: int, limit: int = 10) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = ? ORDER BY created_at DESC LIMIT ?", (requester_id, limit)
        )

    async def recent_finished(self, limit: int = 500) -> list[TaskRecord]:
        """Finished tasks, newest first: the tracker learns typical durations from them."""
        return await self._select(
            "WHERE phase = 'done' AND status = 'SUCCEEDED' ORDER BY created_at DESC LIMIT ?",
            (limit,),
        )

    async def usage(self, user_id: int, guild_id: int | None, since: float) -> Usage:
        """What counts against the limits: the user's running tasks and last submission, and
        the billed spend of the user and of the guild since `since`."""
        async with self._db.execute(
            "SELECT COUNT(*) AS n FROM tasks WHERE requester_id = ? AND phase != 'done'",
            (user_id,),
        ) as cursor:
            active = (await cursor.fetchone())["n"]
        async with self._db.execute(
            "SELECT MAX(created_at) AS at FROM tasks WHERE requester_id = ?", (user_id,)
        ) as cursor:
            last = (await cursor.fetchone())["at"]
        return Usage(
            active_tasks=active,
            last_submit_at=last,
            user_today=await self.spend_since(since, requester_id=user_id),
            guild_today=await self.spend_since(since, guild_id=guild_id),
        )

    async def spend_since(
        self, since: float, *, requester_id: int | None = None, guild_id: int | None = None
    ) -> Spend:
        """Billed seconds and money of tasks created since `since` that are billed or may be."""
        column, value = ("requester_id", requester_id) if requester_id else ("guild_id", guild_id)
        if value is None:
            return Spend()
        by_user = await self._billed_by_user(column, value, since)
        return _total(row for rows in by_user.values() for row in rows)

    async def guild_spend_by_user(self, guild_id: int, since: float) -> list[tuple[int, Spend]]:
        """Per member spend in a guild since `since`, largest first."""
        by_user = await self._billed_by_user("guild_id", guild_id, since)
        spends = [(user, _total(rows)) for user, rows in by_user.items()]
        return sorted(spends, key=lambda item: item[1].amount, reverse=True)

    async def _billed_by_user(
        self, column: str, value: int, since: float
    ) -> dict[int, list[aiosqlite.Row]]:
        placeholders = ", ".join("?" for _ in _UNBILLED)
        async with self._db.execute(
            f"SELECT requester_id, billed_seconds, cost_amount FROM tasks WHERE {column} = ? "
            f"AND created_at >= ? AND status NOT IN ({placeholders})",
            (value, since, *_UNBILLED),
        ) as cursor:
            rows = await cursor.fetchall()
        by_user: dict[int, list[aiosqlite.Row]] = {}
        for row in rows:
            by_user.setdefault(row["requester_id"], []).append(row)
        return by_user

    async def active_for_user(self, requester_id: int) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = ? AND phase != 'done' ORDER BY created_at", (requester_id,)
        )

    async def _select(self, where: str, params: Iterable[Any] = ()) -> list[TaskRecord]:
        async with self._db.execute(f"SELECT * FROM tasks {where}", tuple(params)) as cursor:
            return [_from_row(row) async for row in cursor]


def _total(rows: Iterable[aiosqlite.Row]) -> Spend:
    rows = list(rows)
    return Spend(
        seconds=sum(row["billed_seconds"] or 0 for row in rows),
        amount=sum((Decimal(row["cost_amount"] or 0) for row in rows), Decimal(0)),
    )


def _stored(name: str, value: Any) -> tuple[str, Any]:
    if name == "api_times":
        return "api_times_json", json.dumps(value)
    if name in ("status", "phase"):
        return name, value.value
    return name, value


def _to_row(record: TaskRecord) -> dict[str, Any]:
    return {
        "task_id": record.task_id,
        "requester_id": record.requester_id,
        "guild_id": record.guild_id,
        "channel_id": record.channel_id,
        "request_json": json.dumps(record.request.to_record()),
        "created_at": record.created_at,
        "deadline_at": record.deadline_at,
        "status": record.status.value,
        "raw_status": record.raw_status,
        "phase": record.phase.value,
        "status_message_id": record.status_message_id,
        "submit_request_id": record.submit_request_id,
        "upload_limit": record.upload_limit,
        "billed_seconds": record.billed_seconds,
        "cost_text": record.cost_text,
        "api_times_json": json.dumps(record.api_times),
        "video_url": record.video_url,
        "error_code": record.error_code,
        "error_message": record.error_message,
        "result_message_id": record.result_message_id,
        "finished_at": record.finished_at,
        "updated_at": record.updated_at,
        "parent_task_id": record.parent_task_id,
        "cost_amount": str(record.cost_amount) if record.cost_amount is not None else None,
    }


def _from_row(row: aiosqlite.Row) -> TaskRecord:
    return TaskRecord(
        task_id=row["task_id"],
        requester_id=row["requester_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        request=GenerationRequest.from_record(json.loads(row["request_json"])),
        created_at=row["created_at"],
        deadline_at=row["deadline_at"],
        status=TaskStatus(row["status"]),
        raw_status=row["raw_status"],
        phase=Phase(row["phase"]),
        status_message_id=row["status_message_id"],
        submit_request_id=row["submit_request_id"],
        upload_limit=row["upload_limit"],
        billed_seconds=row["billed_seconds"],
        cost_text=row["cost_text"],
        api_times=json.loads(row["api_times_json"] or "{}"),
        video_url=row["video_url"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        result_message_id=row["result_message_id"],
        finished_at=row["finished_at"],
        updated_at=row["updated_at"],
        parent_task_id=row["parent_task_id"],
        cost_amount=Decimal(row["cost_amount"]) if row["cost_amount"] is not None else None,
    )
