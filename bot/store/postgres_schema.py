"""The PostgreSQL store's schema: its numbered migrations (the schema_version table holds the
schema number), which `PostgresTaskStore` applies at open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.store.codec import legacy_estimate
from bot.store.postgres_holds import INTENT_MIGRATION


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
