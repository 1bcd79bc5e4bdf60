"""PostgreSQL task store on an asyncpg pool, with numbered migrations (a schema_version table).

Same columns and meaning as the SQLite store: BIGINT Discord ids, DOUBLE PRECISION unix times,
JSONB for the request and API times, NUMERIC money.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, Final, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot import operator_text
from bot.generation.cast import name_key
from bot.store import cast_rows
from bot.store.cast import CastCopy, CastMember, CastPage, NameTaken
from bot.store.codec import POSTGRES_ADAPTERS, RowCodec, dollar, legacy_estimate
from bot.store.postgres_holds import INTENT_MIGRATION, PostgresHolds
from bot.store.postgres_workers import PostgresWorkers
from bot.store.protocol import DuplicateTaskError, SchemaTooNew
from bot.store.records import TaskRecord
from bot.store.team import SettingChange
from bot.store.types import UNBILLED, Spend, Usage

RefusalT = TypeVar("RefusalT")

log = logging.getLogger(__name__)


async def _fill_estimates(db: PoolConnectionProxy) -> None:
    rows = await db.fetch(
        "SELECT task_id, cost_text, billed_seconds, cost_amount, estimated_amount FROM tasks "
        "WHERE currency IS NULL AND cost_amount IS NOT NULL"
    )
    await db.executemany(
        "UPDATE tasks SET currency = $1, estimate_seconds = $2, estimate_upper_bound = $3 "
        "WHERE task_id = $4",
        [_legacy_estimate_values(row) for row in rows],
    )


def _legacy_estimate_values(row: asyncpg.Record) -> tuple[Any, ...]:
    amount = row["estimated_amount"] if row["estimated_amount"] is not None else row["cost_amount"]
    estimate = legacy_estimate(row["cost_text"], amount, row["billed_seconds"] or 0)
    return (estimate.currency, estimate.billed_seconds, int(estimate.upper_bound), row["task_id"])


# A schema step: SQL, or a function run in the same transaction.
Migration = str | Callable[[PoolConnectionProxy], Awaitable[None]]

# Each entry moves the schema from its index to index + 1. Never edit a released entry: add one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    """
    CREATE TABLE tasks (
        task_id TEXT PRIMARY KEY,
        requester_id BIGINT NOT NULL,
        guild_id BIGINT,
        channel_id BIGINT NOT NULL,
        request_json JSONB NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        deadline_at DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL,
        raw_status TEXT NOT NULL,
        phase TEXT NOT NULL,
        status_message_id BIGINT,
        submit_request_id TEXT,
        upload_limit BIGINT,
        billed_seconds INTEGER,
        cost_text TEXT,
        api_times_json JSONB NOT NULL DEFAULT '{}',
        video_url TEXT,
        error_code TEXT,
        error_message TEXT,
        result_message_id BIGINT,
        finished_at DOUBLE PRECISION,
        updated_at DOUBLE PRECISION,
        parent_task_id TEXT,
        cost_amount NUMERIC,
        ending TEXT
    );
    CREATE INDEX tasks_active ON tasks (phase) WHERE phase <> 'done';
    CREATE INDEX tasks_requester ON tasks (requester_id, created_at);
    CREATE INDEX tasks_guild ON tasks (guild_id, created_at);
    CREATE TABLE task_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id TEXT NOT NULL REFERENCES tasks (task_id),
        at DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX task_events_task ON task_events (task_id, at, id);
    """,
    # 2: ownership, for several processes on one database.
    """
    CREATE TABLE workers (owner TEXT PRIMARY KEY, heartbeat_at DOUBLE PRECISION NOT NULL);
    ALTER TABLE tasks ADD COLUMN owner TEXT;
    CREATE INDEX tasks_active_owner ON tasks (owner, created_at) WHERE phase <> 'done';
    """,
    # 3: the requester's language, for the tracker's later posts; older tasks use the default.
    """
    ALTER TABLE tasks ADD COLUMN locale TEXT;
    """,
    # 4: delivery that survives restarts and outages, and the interaction's own upload limit.
    """
    ALTER TABLE tasks ADD COLUMN interaction_upload_limit BIGINT;
    ALTER TABLE tasks ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN next_delivery_at DOUBLE PRECISION;
    ALTER TABLE tasks ADD COLUMN delivery_attempt_at DOUBLE PRECISION;
    ALTER TABLE tasks ADD COLUMN delivery_nonce TEXT;
    """,
    # 5: private tasks, the parent's result link, the estimate kept once the actual cost is known.
    """
    ALTER TABLE tasks ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN parent_result_url TEXT;
    ALTER TABLE tasks ADD COLUMN estimated_amount NUMERIC;
    """,
    # 6: submissions on their way, so per-member limits hold across processes.
    """
    CREATE TABLE reservations (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL,
        guild_id BIGINT,
        at DOUBLE PRECISION NOT NULL,
        seconds INTEGER NOT NULL,
        amount NUMERIC NOT NULL,
        until DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX reservations_user ON reservations (user_id);
    CREATE INDEX reservations_guild ON reservations (guild_id);
    """,
    # 7: the estimate as data (currency, its billed seconds, whether it is an upper bound)
    # instead of a sentence in the requester's language.
    """
    ALTER TABLE tasks ADD COLUMN currency TEXT;
    ALTER TABLE tasks ADD COLUMN estimate_seconds INTEGER;
    ALTER TABLE tasks ADD COLUMN estimate_upper_bound INTEGER;
    """,
    # 8: ... filled once from the sentences older versions kept.
    _fill_estimates,
    # 9: each server's cast (bot/store/cast.py).
    """
    CREATE TABLE cast_members (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        guild_id BIGINT NOT NULL,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        file_format TEXT NOT NULL,
        size_bytes BIGINT NOT NULL,
        original_filename TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        clip_seconds DOUBLE PRECISION,
        added_by BIGINT NOT NULL,
        added_at DOUBLE PRECISION NOT NULL,
        copy_channel_id BIGINT NOT NULL,
        copy_message_id BIGINT NOT NULL,
        copy_filename TEXT NOT NULL,
        copy_url TEXT NOT NULL,
        kept_name TEXT NOT NULL,
        description TEXT
    );
    CREATE UNIQUE INDEX cast_members_name ON cast_members (guild_id, name_key);
    """,
    # 10: each server's own settings and the log of their changes (bot/store/team.py).
    """
    CREATE TABLE guild_settings (
        guild_id BIGINT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (guild_id, name)
    );
    CREATE TABLE guild_setting_changes (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        guild_id BIGINT NOT NULL,
        name TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        changed_by BIGINT NOT NULL,
        changed_at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX guild_setting_changes_guild ON guild_setting_changes (guild_id, changed_at);
    """,
    # 11: what a later start needs to tell a member of a submission never recorded.
    INTENT_MIGRATION,
    # 12: where each worker runs, so that one proven dead is taken over at once
    # (bot/store/postgres_workers.py).
    """
    ALTER TABLE workers ADD COLUMN host TEXT;
    ALTER TABLE workers ADD COLUMN pid_space TEXT;
    ALTER TABLE workers ADD COLUMN pid INTEGER;
    ALTER TABLE workers ADD COLUMN started BIGINT;
    """,
    # 13: the share of the account's query cap each worker holds, and when a share was last
    # given back (bot/store/postgres_workers.py).
    """
    ALTER TABLE workers ADD COLUMN share INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE query_cap (freed_at DOUBLE PRECISION NOT NULL);
    INSERT INTO query_cap (freed_at) VALUES (0);
    """,
    # 14: how a task was made from its parent (stories follow continuations), and who asked
    # to cancel it.
    """
    ALTER TABLE tasks ADD COLUMN lineage_kind TEXT;
    ALTER TABLE tasks ADD COLUMN cancelled_by BIGINT;
    """,
)

# Any constant (the workers' locks are others): taken while migrating, so two processes
# starting together migrate once.
_MIGRATION_LOCK: Final = 0x72327662

_CODEC: Final = RowCodec(POSTGRES_ADAPTERS, dollar)


class PostgresTaskStore(PostgresHolds, PostgresWorkers):
    """A TaskStore (and CastStore and TeamSettingsStore) in PostgreSQL. Open with
    `await PostgresTaskStore.open(url)`; close when done. Holds and intents: `PostgresHolds`."""

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
        return _rows_changed(result) > 0

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

    # -- the cast (CastStore) ------------------------------------------------------------------

    async def add_cast(self, member: CastMember) -> CastMember | NameTaken:
        marks = ", ".join(f"${n}" for n in range(1, len(cast_rows.COLUMNS) + 1))
        try:
            cast_id: int = await self._pool.fetchval(
                f"INSERT INTO cast_members ({', '.join(cast_rows.COLUMNS)}) VALUES ({marks}) "
                "RETURNING id",
                *cast_rows.values(member),
            )
        except asyncpg.UniqueViolationError:
            return NameTaken(member.name)
        return replace(member, id=cast_id)

    async def cast_member(self, guild_id: int, name: str) -> CastMember | None:
        found = await self._cast("WHERE guild_id = $1 AND name_key = $2", guild_id, name_key(name))
        return found[0] if found else None

    async def cast_by_id(self, cast_id: int) -> CastMember | None:
        found = await self._cast("WHERE id = $1", cast_id)
        return found[0] if found else None

    async def cast_members(self, guild_id: int, names: Sequence[str]) -> list[CastMember]:
        keys = sorted({name_key(name) for name in names})
        if not keys:
            return []
        return await self._cast(
            "WHERE guild_id = $1 AND name_key = ANY($2::text[])", guild_id, keys
        )

    async def cast_page(self, guild_id: int, offset: int, limit: int) -> CastPage:
        rows = await self._pool.fetch(
            f"SELECT {cast_rows.SELECT_LIST}, count(*) OVER () AS total FROM cast_members "
            "WHERE guild_id = $1 ORDER BY name_key LIMIT $2 OFFSET $3",
            guild_id,
            limit,
            offset,
        )
        if rows:
            return CastPage([cast_rows.from_row(row) for row in rows], rows[0]["total"])
        # Past the last page: the count alone.
        total: int = await self._pool.fetchval(
            "SELECT count(*) FROM cast_members WHERE guild_id = $1", guild_id
        )
        return CastPage([], total)

    async def cast_names(
        self, guild_id: int, prefix: str = "", limit: int | None = None
    ) -> list[str]:
        key = name_key(prefix)
        rows = await self._pool.fetch(
            "SELECT name FROM cast_members WHERE guild_id = $1 AND left(name_key, $2) = $3 "
            "ORDER BY name_key LIMIT $4",
            guild_id,
            len(key),
            key,
            limit,
        )
        return [row["name"] for row in rows]

    async def rename_cast(self, cast_id: int, name: str) -> CastMember | NameTaken | None:
        try:
            rows = await self._pool.fetch(
                f"UPDATE cast_members SET name = $1, name_key = $2 WHERE id = $3 "
                f"RETURNING {cast_rows.SELECT_LIST}",
                name,
                name_key(name),
                cast_id,
            )
        except asyncpg.UniqueViolationError:
            return NameTaken(name)
        return cast_rows.from_row(rows[0]) if rows else None

    async def remove_cast(self, cast_id: int) -> bool:
        result = await self._pool.execute("DELETE FROM cast_members WHERE id = $1", cast_id)
        return _rows_changed(result) > 0

    async def move_cast_copy(self, cast_id: int, copy: CastCopy) -> bool:
        result = await self._pool.execute(
            "UPDATE cast_members SET copy_channel_id = $1, copy_message_id = $2, "
            "copy_filename = $3, copy_url = $4 WHERE id = $5",
            copy.channel_id,
            copy.message_id,
            copy.filename,
            copy.url,
            cast_id,
        )
        return _rows_changed(result) > 0

    async def _cast(self, where: str, *params: Any) -> list[CastMember]:
        rows = await self._pool.fetch(
            f"SELECT {cast_rows.SELECT_LIST} FROM cast_members {where} ORDER BY name_key", *params
        )
        return [cast_rows.from_row(row) for row in rows]

    # -- each server's own settings (TeamSettingsStore) ----------------------------------------

    async def guild_settings(self, guild_id: int) -> dict[str, str]:
        rows = await self._pool.fetch(
            "SELECT name, value FROM guild_settings WHERE guild_id = $1", guild_id
        )
        return {row["name"]: row["value"] for row in rows}

    async def change_guild_setting(
        self, guild_id: int, name: str, value: str | None, *, changed_by: int, changed_at: float
    ) -> SettingChange:
        async with self._pool.acquire() as db, db.transaction():
            # One server's changes take turns in every process, so each logs the value it
            # replaced. (A guild id is a snowflake: never a member's id, which `reserve` locks.)
            await db.execute("SELECT pg_advisory_xact_lock($1)", guild_id)
            old: str | None = await db.fetchval(
                "SELECT value FROM guild_settings WHERE guild_id = $1 AND name = $2",
                guild_id,
                name,
            )
            change = SettingChange(guild_id, name, old, value, changed_by, changed_at)
            if not change.changed:
                return change
            if value is None:
                await db.execute(
                    "DELETE FROM guild_settings WHERE guild_id = $1 AND name = $2", guild_id, name
                )
            else:
                await db.execute(
                    "INSERT INTO guild_settings (guild_id, name, value) VALUES ($1, $2, $3) "
                    "ON CONFLICT (guild_id, name) DO UPDATE SET value = excluded.value",
                    guild_id,
                    name,
                    value,
                )
            await db.execute(
                "INSERT INTO guild_setting_changes "
                "(guild_id, name, old_value, new_value, changed_by, changed_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                guild_id,
                name,
                old,
                value,
                changed_by,
                changed_at,
            )
        return change

    async def guild_setting_changes(self, guild_id: int, limit: int = 10) -> list[SettingChange]:
        rows = await self._pool.fetch(
            "SELECT name, old_value, new_value, changed_by, changed_at "
            "FROM guild_setting_changes WHERE guild_id = $1 ORDER BY changed_at DESC, id DESC "
            "LIMIT $2",
            guild_id,
            limit,
        )
        return [
            SettingChange(
                guild_id,
                row["name"],
                row["old_value"],
                row["new_value"],
                row["changed_by"],
                row["changed_at"],
            )
            for row in rows
        ]


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


def _rows_changed(status: str) -> int:
    """The row count of a command tag such as 'UPDATE 1'."""
    return int(status.rsplit(" ", 1)[-1])
