"""The SQLite store's workers: who is alive, which tasks each owns, its share of the query cap
(the ownership part of the TaskStore contract, `bot.store.protocol`), and the lock each holds
for its process's life (`bot.store.sqlite_locks`), which tells the others when it is gone."""

from __future__ import annotations

import logging
from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import astuple
from typing import Final

import aiosqlite

from bot.store.codec import SQLITE_ADAPTERS, RowCodec, question_mark
from bot.store.records import TaskRecord
from bot.store.sqlite_locks import WorkerLocks
from bot.store.types import ProcessName, ShareGrant, Worker, Workforce

log = logging.getLogger(__name__)

_CODEC: Final = RowCodec(SQLITE_ADAPTERS, question_mark)

_HEARTBEAT: Final = (
    "INSERT INTO workers (owner, heartbeat_at) VALUES (?, ?) "
    "ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
)


class SqliteWorkers:
    """Mixed into SqliteTaskStore, whose connection and write transactions it uses."""

    _db: aiosqlite.Connection
    # None: no lock tells (an in-memory database, or one on a network file system).
    _locks: WorkerLocks | None

    def _writing(
        self, *, reads_first: bool = False
    ) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # SqliteTaskStore's

    async def register(self, owner: str, now: float, process: ProcessName | None) -> None:
        # The columns host, pid_space, pid and started, in that order.
        named = (None,) * 4 if process is None else astuple(process)
        if self._locks is not None:
            # Held before the worker is seen: whoever finds the worker finds its lock held.
            try:
                self._locks.hold(owner)
            except OSError as error:
                log.warning(
                    "worker %s takes no lock in %s (%s): if its process dies, the others know "
                    "only by its pid, or after its timeout",
                    owner,
                    self._locks.folder,
                    error,
                )
        async with self._writing() as db:
            await db.execute(
                "INSERT INTO workers (owner, heartbeat_at, host, pid_space, pid, started) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET "
                "heartbeat_at = excluded.heartbeat_at, host = excluded.host, "
                "pid_space = excluded.pid_space, pid = excluded.pid, started = excluded.started",
                (owner, now, *named),
            )

    async def heartbeat(self, owner: str, now: float) -> None:
        async with self._writing() as db:
            await db.execute(_HEARTBEAT, (owner, now))

    async def workforce(self, now: float, timeout_s: float) -> Workforce:
        since = now - timeout_s
        rows = await self._db.execute_fetchall(
            "SELECT owner, heartbeat_at, host, pid_space, pid, started, share, "
            "(SELECT COUNT(*) FROM tasks WHERE tasks.owner = workers.owner "
            "AND phase != 'done') AS tasks "
            "FROM workers WHERE heartbeat_at >= ? ORDER BY owner",
            (since,),
        )
        orphans = await self._db.execute_fetchall(
            "SELECT COUNT(*) FROM tasks WHERE phase != 'done' AND (owner IS NULL OR "
            "owner NOT IN (SELECT owner FROM workers WHERE heartbeat_at >= ?))",
            (since,),
        )
        workers = tuple(
            Worker(
                owner=row["owner"],
                heartbeat_at=row["heartbeat_at"],
                process=None
                if row["pid_space"] is None
                else ProcessName(row["host"], row["pid_space"], row["pid"], row["started"]),
                share=row["share"],
                tasks=row["tasks"],
                lock_held=None if self._locks is None else self._locks.held(row["owner"]),
            )
            for row in rows
        )
        if self._locks is not None:
            self._locks.sweep({worker.owner for worker in workers}, older_than_s=timeout_s)
        return Workforce(workers, next(iter(orphans))[0])

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

    async def hand_over(self, owner: str, task_ids: Collection[str]) -> int:
        ids = list(task_ids)
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        async with self._writing() as db:
            cursor = await db.execute(
                f"UPDATE tasks SET owner = NULL WHERE owner = ? AND phase != 'done' "
                f"AND task_id IN ({marks})",
                (owner, *ids),
            )
        return cursor.rowcount

    async def owned(self, owner: str) -> list[TaskRecord]:
        rows = await self._db.execute_fetchall(
            f"SELECT {_CODEC.select_list} FROM tasks WHERE owner = ? AND phase != 'done' "
            "ORDER BY created_at",
            (owner,),
        )
        return [_CODEC.from_row(row) for row in rows]

    async def take_share(
        self, owner: str, wanted: int, *, cap: int, now: float, timeout_s: float, window_s: float
    ) -> ShareGrant:
        # The write lock is taken before the shares are read: no other grant lands in between.
        async with self._writing(reads_first=True) as db:
            rows = await db.execute_fetchall(
                "SELECT (SELECT COALESCE(SUM(share), 0) FROM workers "
                "WHERE owner != ? AND heartbeat_at >= ?), "
                "(SELECT share FROM workers WHERE owner = ?), "
                "(SELECT freed_at FROM query_cap)",
                (owner, now - timeout_s - window_s, owner),
            )
            others, held, freed_at = next(iter(rows))
            granted = max(0, min(wanted, cap - others))
            await db.execute(
                "INSERT INTO workers (owner, heartbeat_at, share) VALUES (?, ?, ?) "
                "ON CONFLICT (owner) DO UPDATE SET share = excluded.share",
                (owner, now, granted),
            )
            if granted < (held or 0):
                await db.execute("UPDATE query_cap SET freed_at = MAX(freed_at, ?)", (now,))
        return ShareGrant(granted, freed_at)

    async def release(self, owner: str, now: float) -> None:
        async with self._writing() as db:
            await db.execute(
                "UPDATE tasks SET owner = NULL WHERE owner = ? AND phase != 'done'", (owner,)
            )
            await db.execute(
                "UPDATE query_cap SET freed_at = MAX(freed_at, ?) "
                "WHERE EXISTS (SELECT 1 FROM workers WHERE owner = ? AND share > 0)",
                (now, owner),
            )
            await db.execute("DELETE FROM workers WHERE owner = ?", (owner,))
        if self._locks is not None:
            self._locks.remove(owner)
