"""The SQLite store's workers: who is alive and which tasks each owns (the ownership part of the
TaskStore contract, `bot.store.protocol`)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Final

import aiosqlite

from bot.store.codec import SQLITE_ADAPTERS, RowCodec, question_mark
from bot.store.records import TaskRecord

_CODEC: Final = RowCodec(SQLITE_ADAPTERS, question_mark)

_HEARTBEAT: Final = (
    "INSERT INTO workers (owner, heartbeat_at) VALUES (?, ?) "
    "ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
)


class SqliteWorkers:
    """Mixed into SqliteTaskStore, whose connection and write transactions it uses."""

    _db: aiosqlite.Connection

    def _writing(
        self, *, reads_first: bool = False
    ) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # SqliteTaskStore's

    async def heartbeat(self, owner: str, now: float) -> None:
        async with self._writing() as db:
            await db.execute(_HEARTBEAT, (owner, now))

    async def claim_orphans(
        self, owner: str, now: float, timeout_s: float, limit: int
    ) -> list[TaskRecord]:
        # The write lock is taken first: no other store, in this process or another, can claim
        # between the choice of orphans and their update.
        async with self._writing() as db:
            await db.execute(_HEARTBEAT, (owner, now))
            async with db.execute(
                f"UPDATE tasks SET owner = ? WHERE task_id IN ("
                "SELECT task_id FROM tasks WHERE phase != 'done' AND (owner IS NULL OR ("
                "owner != ? AND owner NOT IN (SELECT owner FROM workers WHERE heartbeat_at >= ?)"
                ")) ORDER BY created_at LIMIT ?) "
                f"RETURNING {_CODEC.select_list}",
                (owner, owner, now - timeout_s, limit),
            ) as cursor:
                claimed = [_CODEC.from_row(row) async for row in cursor]
        return sorted(claimed, key=lambda record: record.created_at)

    async def live_workers(self, now: float, timeout_s: float) -> int:
        async with self._db.execute(
            "SELECT COUNT(*) FROM workers WHERE heartbeat_at >= ?", (now - timeout_s,)
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None  # an aggregate always returns one row
        return int(row[0])

    async def next_expiry(self, owner: str, now: float, timeout_s: float) -> float | None:
        rows = await self._db.execute_fetchall(
            "SELECT MIN(heartbeat_at) FROM workers WHERE heartbeat_at >= ? AND owner != ?",
            (now - timeout_s, owner),
        )
        oldest = next(iter(rows))[0]  # an aggregate always returns one row
        return None if oldest is None else float(oldest) + timeout_s

    async def owned(self, owner: str) -> list[TaskRecord]:
        rows = await self._db.execute_fetchall(
            f"SELECT {_CODEC.select_list} FROM tasks WHERE owner = ? AND phase != 'done' "
            "ORDER BY created_at",
            (owner,),
        )
        return [_CODEC.from_row(row) for row in rows]

    async def release(self, owner: str) -> None:
        async with self._writing() as db:
            await db.execute(
                "UPDATE tasks SET owner = NULL WHERE owner = ? AND phase != 'done'", (owner,)
            )
            await db.execute("DELETE FROM workers WHERE owner = ?", (owner,))
