"""The PostgreSQL store's holds: submissions on their way, each also the intent a later start
reports when its task was never stored (the `reservations` table; see `TaskStore`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import asyncpg

from bot.store.types import Hold, Intent, OpenIntent, Spend

RefusalT = TypeVar("RefusalT")

# 11: what a later start needs to tell a member of a submission never recorded.
INTENT_MIGRATION: Final = """
    ALTER TABLE reservations ADD COLUMN owner TEXT;
    ALTER TABLE reservations ADD COLUMN channel_id BIGINT;
    ALTER TABLE reservations ADD COLUMN locale TEXT;
    ALTER TABLE reservations ADD COLUMN private INTEGER;
    ALTER TABLE reservations ADD COLUMN model TEXT;
    ALTER TABLE reservations ADD COLUMN duration INTEGER;
    ALTER TABLE reservations ADD COLUMN prompt_start TEXT;
    ALTER TABLE reservations ADD COLUMN task_id TEXT;
    ALTER TABLE reservations ADD COLUMN told_at DOUBLE PRECISION;
"""

_COLUMNS: Final = (
    "user_id, guild_id, at, seconds, amount, until, owner, "
    "channel_id, locale, private, model, duration, prompt_start"
)
# An open intent: written with one (a channel to tell), not told. Its task is not stored: the
# statement that stores it deletes the hold.
_OPEN: Final = "told_at IS NULL AND channel_id IS NOT NULL"


class PostgresHolds:
    """Mixed into `PostgresTaskStore`, whose pool it uses."""

    _pool: asyncpg.Pool

    async def reserve(
        self, hold: Hold, decide: Callable[[], Awaitable[RefusalT | None]]
    ) -> int | RefusalT:
        async with self._pool.acquire() as db, db.transaction():
            # One member's reservations take turns, in every process; `decide` reads through
            # the pool, which sees every hold and task committed before this lock was granted.
            # (A Discord id is far above the store's lock constants: no collision.)
            await db.execute("SELECT pg_advisory_xact_lock($1)", hold.user_id)
            await db.execute(
                f"DELETE FROM reservations WHERE until <= $1 AND NOT ({_OPEN})", hold.at
            )
            refusal = await decide()
            if refusal is not None:
                return refusal
            intent = hold.intent
            reservation: int = await db.fetchval(
                f"INSERT INTO reservations ({_COLUMNS}) VALUES "
                "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                hold.user_id,
                hold.guild_id,
                hold.at,
                hold.spend.seconds,
                hold.spend.amount,
                hold.until,
                hold.owner,
                *(
                    (None,) * 6
                    if intent is None
                    else (
                        intent.channel_id,
                        intent.locale,
                        int(intent.private),
                        intent.model,
                        intent.duration,
                        intent.prompt_start,
                    )
                ),
            )
        return reservation

    async def holds(self, user_id: int | None, guild_id: int | None, now: float) -> list[Hold]:
        rows = await self._pool.fetch(
            "SELECT user_id, guild_id, at, seconds, amount, until FROM reservations "
            "WHERE until > $1 AND (user_id = $2 OR guild_id = $3)",
            now,
            user_id,
            guild_id,
        )
        return [
            Hold(
                row["user_id"],
                row["guild_id"],
                row["at"],
                Spend(row["seconds"], row["amount"]),
                row["until"],
            )
            for row in rows
        ]

    async def drop_hold(self, reservation: int) -> None:
        await self._pool.execute("DELETE FROM reservations WHERE id = $1", reservation)

    async def open_intents(
        self, owner: str | None, live_since: float, started_at: float
    ) -> list[OpenIntent]:
        rows = await self._pool.fetch(
            f"SELECT id, {_COLUMNS}, task_id FROM reservations WHERE {_OPEN} AND ("
            "(owner IS NULL AND at < $1) OR (owner IS NOT NULL AND owner IS DISTINCT FROM $2 "
            "AND NOT EXISTS (SELECT 1 FROM workers WHERE workers.owner = reservations.owner "
            "AND heartbeat_at >= $3))) ORDER BY at, id",
            started_at,
            owner,
            live_since,
        )
        return [
            OpenIntent(
                id=row["id"],
                user_id=row["user_id"],
                guild_id=row["guild_id"],
                at=row["at"],
                intent=Intent(
                    channel_id=row["channel_id"],
                    locale=row["locale"],
                    private=bool(row["private"]),
                    model=row["model"],
                    duration=row["duration"],
                    prompt_start=row["prompt_start"],
                ),
                task_id=row["task_id"],
            )
            for row in rows
        ]

    async def intent_told(self, reservation: int, now: float, task_id: str | None = None) -> bool:
        result: str = await self._pool.execute(
            "UPDATE reservations SET told_at = $1, task_id = coalesce($2, task_id) "
            "WHERE id = $3 AND told_at IS NULL",
            now,
            task_id,
            reservation,
        )
        return result.rsplit(" ", 1)[-1] != "0"

    async def intent_untold(self, reservation: int) -> None:
        await self._pool.execute(
            "UPDATE reservations SET told_at = NULL WHERE id = $1", reservation
        )
