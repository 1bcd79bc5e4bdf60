"""PostgreSQL task store on an asyncpg pool, with numbered migrations (a schema_version table;
the migrations are in `bot.store.postgres_schema`).

Same columns and meaning as the SQLite store: BIGINT Discord ids, DOUBLE PRECISION unix times,
JSONB for the request and API times, NUMERIC money.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Final, TypeVar

import asyncpg

from bot import operator_text
from bot.store.codec import POSTGRES_ADAPTERS, RowCodec, dollar
from bot.store.postgres_cast import PostgresCast, rows_changed
from bot.store.postgres_holds import PostgresHolds
from bot.store.postgres_schema import MIGRATIONS
from bot.store.postgres_team import PostgresTeam
from bot.store.postgres_workers import PostgresWorkers
from bot.store.protocol import DuplicateTaskError, SchemaTooNew
from bot.store.records import TaskRecord
from bot.store.types import UNBILLED, Spend, Usage

RefusalT = TypeVar("RefusalT")

log = logging.getLogger(__name__)

# Any constant (the workers' locks are others): taken while migrating, so two processes
# starting together migrate once.
_MIGRATION_LOCK: Final = 0x72327662

_CODEC: Final = RowCodec(POSTGRES_ADAPTERS, dollar)


class PostgresTaskStore(PostgresHolds, PostgresWorkers, PostgresCast, PostgresTeam):
    """A TaskStore (and CastStore and TeamSettingsStore) in PostgreSQL. Open with
    `await PostgresTaskStore.open(url)`; close when done. Holds and intents: `PostgresHolds`;
    workers: `PostgresWorkers`; the cast: `PostgresCast`; server settings: `PostgresTeam`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, max_connections: int = 10) -> PostgresTaskStore:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=max_connections)
        store = cls(pool)
        try:
            await store._migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    async def close(self) -> None:
        await self._pool.close()

    async def ping(self) -> None:
        await self._pool.fetchval("SELECT 1")

    async def _migrate(self) -> None:
        async with self._pool.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = await db.fetchval("SELECT max(version) FROM schema_version") or 0
            if version > len(MIGRATIONS):
                raise SchemaTooNew(
                    f"the task database is at schema {version}, newer than this bot knows "
                    f"({len(MIGRATIONS)}); upgrade the bot"
                )
            for number in range(version, len(MIGRATIONS)):
                migration = MIGRATIONS[number]
                if callable(migration):
                    await migration(db)
                else:
                    await db.execute(migration)
                await db.execute("INSERT INTO schema_version (version) VALUES ($1)", number + 1)
        if version < len(MIGRATIONS):
            log.info(operator_text.migrated(version, len(MIGRATIONS)))

    async def add(
        self, record: TaskRecord, *, owner: str | None = None, reservation: int | None = None
    ) -> None:
        try:
            await self._pool.execute(_ADD, *_CODEC.insert_values(record), owner, reservation)
        except asyncpg.UniqueViolationError as error:
            raise DuplicateTaskError(record.task_id) from error

    async def save(self, record: TaskRecord, *, owner: str | None = None) -> bool:
        if owner is None:
            result = await self._pool.execute(_CODEC.save_sql(), *_CODEC.save_values(record))
        else:
            result = await self._pool.execute(
                _CODEC.save_sql(fenced_by="owner") + " AND phase <> 'done'",
                *_CODEC.save_values(record),
                owner,
            )
        return rows_changed(result) > 0

    async def add_event(self, task_id: str, at: float, status: str) -> None:
        await self._pool.execute(
            "INSERT INTO task_events (task_id, at, status) VALUES ($1, $2, $3)", task_id, at, status
        )

    async def events(self, task_id: str) -> list[tuple[float, str]]:
        rows = await self._pool.fetch(
            "SELECT at, status FROM task_events WHERE task_id = $1 ORDER BY at, id", task_id
        )
        return [(row["at"], row["status"]) for row in rows]

    async def get(self, task_id: str) -> TaskRecord | None:
        records = await self._select("WHERE task_id = $1", task_id)
        return records[0] if records else None

    async def active(self) -> list[TaskRecord]:
        return await self._select("WHERE phase <> 'done' ORDER BY created_at")

    async def guild_tasks_since(self, guild_id: int, since: float) -> list[TaskRecord]:
        return await self._select(
            "WHERE guild_id = $1 AND created_at >= $2 ORDER BY created_at", guild_id, since
        )

    async def active_for_user(self, requester_id: int) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = $1 AND phase <> 'done' ORDER BY created_at", requester_id
        )

    async def recent_for_user(self, requester_id: int, limit: int = 10) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = $1 ORDER BY created_at DESC LIMIT $2", requester_id, limit
        )

    async def recent_finished(self, limit: int = 500) -> list[TaskRecord]:
        return await self._select(
            "WHERE phase = 'done' AND status = 'SUCCEEDED' ORDER BY created_at DESC LIMIT $1",
            limit,
        )

    async def usage(self, user_id: int, guild_id: int | None, since: float) -> Usage:
        # One round trip: the user's counts and the billed spend of the user and of the guild.
        row = await self._pool.fetchrow(
            "SELECT counts.active, counts.last, mine.seconds AS user_seconds, "
            "mine.amount AS user_amount, guild.seconds AS guild_seconds, "
            "guild.amount AS guild_amount FROM "
            "(SELECT count(*) FILTER (WHERE phase <> 'done') AS active, max(created_at) AS last "
            "FROM tasks WHERE requester_id = $1) AS counts, "
            f"(SELECT {_SPEND} FROM tasks WHERE requester_id = $1 AND {_BILLED_SINCE}) AS mine, "
            f"(SELECT {_SPEND} FROM tasks WHERE guild_id = $2 AND {_BILLED_SINCE}) AS guild",
            user_id,
            guild_id,
            since,
            list(UNBILLED),
        )
        assert row is not None  # aggregates always return one row
        return Usage(
            active_tasks=row["active"],
            last_submit_at=row["last"],
            user_today=Spend(seconds=row["user_seconds"], amount=row["user_amount"]),
            guild_today=Spend(seconds=row["guild_seconds"], amount=row["guild_amount"]),
        )

    async def spend_since(
        self, since: float, *, requester_id: int | None = None, guild_id: int | None = None
    ) -> Spend:
        if requester_id is not None:
            spends = await self._billed_by_user("requester_id", requester_id, since)
        elif guild_id is not None:
            spends = await self._billed_by_user("guild_id", guild_id, since)
        else:
            return Spend()
        return Spend(
            seconds=sum(spend.seconds for _, spend in spends),
            amount=sum((spend.amount for _, spend in spends), Decimal(0)),
        )

    async def guild_spend_by_user(self, guild_id: int, since: float) -> list[tuple[int, Spend]]:
        return await self._billed_by_user("guild_id", guild_id, since)

    async def _billed_by_user(
        self, column: str, value: int, since: float
    ) -> list[tuple[int, Spend]]:
        rows = await self._pool.fetch(
            "SELECT requester_id, coalesce(sum(billed_seconds), 0) AS seconds, "
            "coalesce(sum(cost_amount), 0) AS amount FROM tasks "
            f"WHERE {column} = $1 AND created_at >= $2 AND NOT status = ANY($3::text[]) "
            "GROUP BY requester_id ORDER BY amount DESC, requester_id",
            value,
            since,
            list(UNBILLED),
        )
        return [
            (row["requester_id"], Spend(seconds=row["seconds"], amount=row["amount"]))
            for row in rows
        ]

    async def _select(self, where: str, *params: Any) -> list[TaskRecord]:
        rows = await self._pool.fetch(f"SELECT {_CODEC.select_list} FROM tasks {where}", *params)
        return [_CODEC.from_row(row) for row in rows]


# The task, its first event and the swap of its hold, in one statement (one round trip, and
# atomic: a duplicate task id changes nothing). The event is the inserted row's status.
_ADD: Final = (
    f"WITH task AS ({_CODEC.insert_sql(extra=('owner',))} "
    "RETURNING task_id, created_at, raw_status), "
    "event AS (INSERT INTO task_events (task_id, at, status) "
    "SELECT task_id, created_at, raw_status FROM task), "
    f"hold AS (DELETE FROM reservations WHERE id = ${len(_CODEC.columns) + 2}) "
    "SELECT count(*) FROM task"
)

# Billed spend of the tasks a query selects, and the condition on its parameters $3 (since)
# and $4 (the unbilled statuses).
_SPEND: Final = (
    "coalesce(sum(billed_seconds), 0) AS seconds, coalesce(sum(cost_amount), 0) AS amount"
)
_BILLED_SINCE: Final = "created_at >= $3 AND NOT status = ANY($4::text[])"
