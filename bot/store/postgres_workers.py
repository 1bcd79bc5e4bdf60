"""The PostgreSQL store's workers: who is alive, which tasks each owns, its share of the query
cap (the ownership part of the TaskStore contract, `bot.store.protocol`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import astuple
from typing import Final

import asyncpg

from bot.store.codec import POSTGRES_ADAPTERS, RowCodec, dollar
from bot.store.records import TaskRecord
from bot.store.types import ProcessName, ShareGrant, Worker, Workforce

# Any constants (the store's migration lock is another): taken while claiming orphans, and
# while granting shares of the query cap.
CLAIM_LOCK: Final = 0x72327663
SHARE_LOCK: Final = 0x72327664

_CODEC: Final = RowCodec(POSTGRES_ADAPTERS, dollar)

_HEARTBEAT: Final = (
    "INSERT INTO workers (owner, heartbeat_at) VALUES ($1, $2) "
    "ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
)


class PostgresWorkers:
    """Mixed into PostgresTaskStore, whose pool it uses."""

    _pool: asyncpg.Pool

    async def register(self, owner: str, now: float, process: ProcessName | None) -> None:
        # The columns host, pid_space, pid and started, in that order.
        named = (None,) * 4 if process is None else astuple(process)
        await self._pool.execute(
            "INSERT INTO workers (owner, heartbeat_at, host, pid_space, pid, started) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner) DO UPDATE SET "
            "heartbeat_at = excluded.heartbeat_at, host = excluded.host, "
            "pid_space = excluded.pid_space, pid = excluded.pid, started = excluded.started",
            owner,
            now,
            *named,
        )

    async def heartbeat(self, owner: str, now: float) -> None:
        await self._pool.execute(_HEARTBEAT, owner, now)

    async def workforce(self, now: float, timeout_s: float) -> Workforce:
        since = now - timeout_s
        rows = await self._pool.fetch(
            "SELECT owner, heartbeat_at, host, pid_space, pid, started, share, "
            "(SELECT count(*) FROM tasks WHERE tasks.owner = workers.owner "
            "AND phase <> 'done') AS tasks "
            "FROM workers WHERE heartbeat_at >= $1 ORDER BY owner",
            since,
        )
        orphans: int = await self._pool.fetchval(
            "SELECT count(*) FROM tasks WHERE phase <> 'done' AND (owner IS NULL OR "
            "NOT EXISTS (SELECT 1 FROM workers WHERE workers.owner = tasks.owner "
            "AND heartbeat_at >= $1))",
            since,
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
            )
            for row in rows
        )
        return Workforce(workers, orphans)

    async def claim_orphans(
        self, owner: str, now: float, timeout_s: float, limit: int
    ) -> list[TaskRecord]:
        # Claimers take turns (the lock): a claim re-checks a row that another claim just took
        # against its own snapshot of workers, which may not show the new owner's heartbeat.
        # SKIP LOCKED passes over tasks being saved right now: their owner is alive.
        async with self._pool.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", CLAIM_LOCK)
            await db.execute(_HEARTBEAT, owner, now)
            rows = await db.fetch(
                "UPDATE tasks SET owner = $1 WHERE task_id IN ("
                "SELECT task_id FROM tasks WHERE phase <> 'done' AND (owner IS NULL OR ("
                "owner <> $1 AND NOT EXISTS (SELECT 1 FROM workers "
                "WHERE workers.owner = tasks.owner AND heartbeat_at >= $2)"
                ")) ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
                f"RETURNING {_CODEC.select_list}",
                owner,
                now - timeout_s,
                limit,
            )
        return sorted((_CODEC.from_row(row) for row in rows), key=lambda r: r.created_at)

    async def hand_over(self, owner: str, task_ids: Collection[str]) -> int:
        result = await self._pool.execute(
            "UPDATE tasks SET owner = NULL WHERE owner = $1 AND phase <> 'done' "
            "AND task_id = ANY($2::text[])",
            owner,
            list(task_ids),
        )
        return int(result.rsplit(" ", 1)[-1])

    async def owned(self, owner: str) -> list[TaskRecord]:
        rows = await self._pool.fetch(
            f"SELECT {_CODEC.select_list} FROM tasks WHERE owner = $1 AND phase <> 'done' "
            "ORDER BY created_at",
            owner,
        )
        return [_CODEC.from_row(row) for row in rows]

    async def take_share(
        self, owner: str, wanted: int, *, cap: int, now: float, timeout_s: float, window_s: float
    ) -> ShareGrant:
        async with self._pool.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", SHARE_LOCK)
            row = await db.fetchrow(
                "SELECT (SELECT coalesce(sum(share), 0) FROM workers "
                "WHERE owner <> $1 AND heartbeat_at >= $2) AS others, "
                "(SELECT share FROM workers WHERE owner = $1) AS held, "
                "(SELECT freed_at FROM query_cap) AS freed_at",
                owner,
                now - timeout_s - window_s,
            )
            assert row is not None  # scalar subqueries: always one row
            granted = max(0, min(wanted, cap - int(row["others"])))
            await db.execute(
                "INSERT INTO workers (owner, heartbeat_at, share) VALUES ($1, $2, $3) "
                "ON CONFLICT (owner) DO UPDATE SET share = excluded.share",
                owner,
                now,
                granted,
            )
            if granted < (row["held"] or 0):
                await db.execute("UPDATE query_cap SET freed_at = greatest(freed_at, $1)", now)
        return ShareGrant(granted, row["freed_at"])

    async def release(self, owner: str, now: float) -> None:
        async with self._pool.acquire() as db, db.transaction():
            await db.execute(
                "UPDATE tasks SET owner = NULL WHERE owner = $1 AND phase <> 'done'", owner
            )
            await db.execute(
                "UPDATE query_cap SET freed_at = greatest(freed_at, $2) "
                "WHERE EXISTS (SELECT 1 FROM workers WHERE owner = $1 AND share > 0)",
                owner,
                now,
            )
            await db.execute("DELETE FROM workers WHERE owner = $1", owner)
