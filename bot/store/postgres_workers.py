"""The PostgreSQL store's workers: who is alive and which tasks each owns (the ownership part of
the TaskStore contract, `bot.store.protocol`)."""

from __future__ import annotations

from typing import Final

import asyncpg

from bot.store.codec import POSTGRES_ADAPTERS, RowCodec, dollar
from bot.store.records import TaskRecord

# Any constant (the store's migration lock is another): taken while claiming orphans.
CLAIM_LOCK: Final = 0x72327663

_CODEC: Final = RowCodec(POSTGRES_ADAPTERS, dollar)

_HEARTBEAT: Final = (
    "INSERT INTO workers (owner, heartbeat_at) VALUES ($1, $2) "
    "ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
)


class PostgresWorkers:
    """Mixed into PostgresTaskStore, whose pool it uses."""

    _pool: asyncpg.Pool

    async def heartbeat(self, owner: str, now: float) -> None:
        await self._pool.execute(_HEARTBEAT, owner, now)

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

    async def live_workers(self, now: float, timeout_s: float) -> int:
        count = await self._pool.fetchval(
            "SELECT count(*) FROM workers WHERE heartbeat_at >= $1", now - timeout_s
        )
        return int(count)

    async def next_expiry(self, owner: str, now: float, timeout_s: float) -> float | None:
        oldest: float | None = await self._pool.fetchval(
            "SELECT min(heartbeat_at) FROM workers WHERE heartbeat_at >= $1 AND owner <> $2",
            now - timeout_s,
            owner,
        )
        return None if oldest is None else oldest + timeout_s

    async def owned(self, owner: str) -> list[TaskRecord]:
        rows = await self._pool.fetch(
            f"SELECT {_CODEC.select_list} FROM tasks WHERE owner = $1 AND phase <> 'done' "
            "ORDER BY created_at",
            owner,
        )
        return [_CODEC.from_row(row) for row in rows]

    async def release(self, owner: str) -> None:
        async with self._pool.acquire() as db, db.transaction():
            await db.execute(
                "UPDATE tasks SET owner = NULL WHERE owner = $1 AND phase <> 'done'", owner
            )
            await db.execute("DELETE FROM workers WHERE owner = $1", owner)
