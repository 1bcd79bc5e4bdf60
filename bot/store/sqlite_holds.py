"""The SQLite store's holds: submissions on their way, each also the intent a later start
reports when its task was never stored (the `reservations` table; see `TaskStore`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from decimal import Decimal
from typing import Final, TypeVar

import aiosqlite

from bot.store.types import Hold, Intent, OpenIntent, Spend

RefusalT = TypeVar("RefusalT")

# 13: what a later start needs to tell a member of a submission never recorded.
INTENT_MIGRATION: Final = """
    ALTER TABLE reservations ADD COLUMN owner TEXT;
    ALTER TABLE reservations ADD COLUMN channel_id INTEGER;
    ALTER TABLE reservations ADD COLUMN locale TEXT;
    ALTER TABLE reservations ADD COLUMN private INTEGER;
    ALTER TABLE reservations ADD COLUMN model TEXT;
    ALTER TABLE reservations ADD COLUMN duration INTEGER;
    ALTER TABLE reservations ADD COLUMN prompt_start TEXT;
    ALTER TABLE reservations ADD COLUMN task_id TEXT;
    ALTER TABLE reservations ADD COLUMN told_at REAL
"""

_COLUMNS: Final = (
    "user_id, guild_id, at, seconds, amount, until, owner, "
    "channel_id, locale, private, model, duration, prompt_start"
)
# An open intent: written with one (a channel to tell), not told. Its task is not stored: the
# write that stores it deletes the hold.
_OPEN: Final = "told_at IS NULL AND channel_id IS NOT NULL"


class SqliteHolds:
    """Mixed into `SqliteTaskStore`, whose connection and write transactions it uses."""

    _db: aiosqlite.Connection

    def _writing(
        self, *, reads_first: bool = False
    ) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # SqliteTaskStore's

    async def reserve(
        self, hold: Hold, decide: Callable[[], Awaitable[RefusalT | None]]
    ) -> int | RefusalT:
        # The write lock is taken before `decide` reads (through this connection, inside the
        # transaction; the DELETE of expired holds begins it): every other process's reserve
        # waits until this one has inserted its hold or refused.
        async with self._writing() as db:
            await db.execute(
                f"DELETE FROM reservations WHERE until <= ? AND NOT ({_OPEN})", (hold.at,)
            )
            refusal = await decide()
            if refusal is not None:
                return refusal
            intent = hold.intent
            cursor = await db.execute(
                f"INSERT INTO reservations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?)",
                (
                    hold.user_id,
                    hold.guild_id,
                    hold.at,
                    hold.spend.seconds,
                    str(hold.spend.amount),
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
                ),
            )
        assert cursor.lastrowid is not None  # an INSERT into a rowid table sets it
        return cursor.lastrowid

    async def holds(self, user_id: int | None, guild_id: int | None, now: float) -> list[Hold]:
        rows = await self._db.execute_fetchall(
            "SELECT user_id, guild_id, at, seconds, amount, until FROM reservations "
            "WHERE until > ? AND (user_id = ? OR guild_id = ?)",
            (now, user_id, guild_id),
        )
        return [
            Hold(
                row["user_id"],
                row["guild_id"],
                row["at"],
                Spend(row["seconds"], Decimal(row["amount"])),
                row["until"],
            )
            for row in rows
        ]

    async def drop_hold(self, reservation: int) -> None:
        async with self._writing() as db:
            await db.execute("DELETE FROM reservations WHERE id = ?", (reservation,))

    async def open_intents(
        self, owner: str | None, live_since: float, started_at: float
    ) -> list[OpenIntent]:
        rows = await self._db.execute_fetchall(
            f"SELECT id, {_COLUMNS}, task_id FROM reservations WHERE {_OPEN} AND ("
            "(owner IS NULL AND at < ?) OR (owner IS NOT NULL AND owner IS NOT ? "
            "AND owner NOT IN (SELECT owner FROM workers WHERE heartbeat_at >= ?))"
            ") ORDER BY at, id",
            (started_at, owner, live_since),
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
        async with self._writing() as db:
            cursor = await db.execute(
                "UPDATE reservations SET told_at = ?, task_id = coalesce(?, task_id) "
                "WHERE id = ? AND told_at IS NULL",
                (now, task_id, reservation),
            )
        return cursor.rowcount > 0

    async def intent_untold(self, reservation: int) -> None:
        async with self._writing() as db:
            await db.execute("UPDATE reservations SET told_at = NULL WHERE id = ?", (reservation,))
