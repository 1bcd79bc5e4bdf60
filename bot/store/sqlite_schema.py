"""The SQLite store's schema: its numbered migrations (PRAGMA user_version is the schema number),
which `SqliteTaskStore` applies at open."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Final

import aiosqlite

from bot.store.codec import legacy_estimate
from bot.store.sqlite_holds import INTENT_MIGRATION


async def _fill_estimates(db: aiosqlite.Connection) -> None:
    rows = await db.execute_fetchall(
        "SELECT task_id, cost_text, billed_seconds, cost_amount, estimated_amount FROM tasks "
        "WHERE currency IS NULL AND cost_amount IS NOT NULL"
    )
    await db.executemany(
        "UPDATE tasks SET currency = ?, estimate_seconds = ?, estimate_upper_bound = ? "
        "WHERE task_id = ?",
        [_legacy_estimate_values(row) for row in rows],
    )


def _legacy_estimate_values(row: sqlite3.Row) -> tuple[Any, ...]:
    amount = Decimal(row["estimated_amount"] or row["cost_amount"])
    estimate = legacy_estimate(row["cost_text"], amount, row["billed_seconds"] or 0)
    return (estimate.currency, estimate.billed_seconds, int(estimate.upper_bound), row["task_id"])


# A schema step: SQL statements separated by ";", or a function run in the same transaction.
Migration = str | Callable[[aiosqlite.Connection], Awaitable[None]]

# Each entry moves the schema from its index to index + 1. Never edit a released entry: add one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
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
    # 3: how each task ended, back-filled from what schema 2 kept; tasks still tracked have none.
    """
    ALTER TABLE tasks ADD COLUMN ending TEXT;
    UPDATE tasks SET ending = CASE
        WHEN error_code = 'Deadline' THEN 'deadline'
        WHEN error_code = 'Unreachable' THEN 'unreachable'
        WHEN substr(error_message, 1, 25) = 'tracking stopped by admin' THEN 'untracked'
        WHEN status = 'SUCCEEDED' THEN 'succeeded'
        WHEN status = 'FAILED' THEN 'failed'
        WHEN status = 'CANCELED' THEN 'canceled'
        WHEN status = 'UNKNOWN' THEN 'expired'
    END
    WHERE phase != 'tracking';
    """,
    # 4: ownership, for several processes on one database.
    """
    CREATE TABLE workers (owner TEXT PRIMARY KEY, heartbeat_at REAL NOT NULL);
    ALTER TABLE tasks ADD COLUMN owner TEXT;
    CREATE INDEX tasks_active_owner ON tasks (owner, created_at) WHERE phase != 'done';
    """,
    # 5: the requester's language, for the tracker's later posts; older tasks use the default.
    """
    ALTER TABLE tasks ADD COLUMN locale TEXT;
    """,
    # 6: delivery that survives restarts and outages, and the interaction's own upload limit.
    """
    ALTER TABLE tasks ADD COLUMN interaction_upload_limit INTEGER;
    ALTER TABLE tasks ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN next_delivery_at REAL;
    ALTER TABLE tasks ADD COLUMN delivery_attempt_at REAL;
    ALTER TABLE tasks ADD COLUMN delivery_nonce TEXT;
    """,
    # 7: private tasks, the parent's result link, the estimate kept once the actual cost is known.
    """
    ALTER TABLE tasks ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN parent_result_url TEXT;
    ALTER TABLE tasks ADD COLUMN estimated_amount TEXT;
    """,
    # 8: submissions on their way, so per-member limits hold across processes.
    """
    CREATE TABLE reservations (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        guild_id INTEGER,
        at REAL NOT NULL,
        seconds INTEGER NOT NULL,
        amount TEXT NOT NULL,
        until REAL NOT NULL
    );
    CREATE INDEX reservations_user ON reservations (user_id);
    CREATE INDEX reservations_guild ON reservations (guild_id);
    """,
    # 9: the estimate as data (currency, its billed seconds, whether it is an upper bound)
    # instead of a sentence in the requester's language.
    """
    ALTER TABLE tasks ADD COLUMN currency TEXT;
    ALTER TABLE tasks ADD COLUMN estimate_seconds INTEGER;
    ALTER TABLE tasks ADD COLUMN estimate_upper_bound INTEGER;
    """,
    # 10: ... filled once from the sentences older versions kept.
    _fill_estimates,
    # 11: each server's cast (bot/store/cast.py).
    """
    CREATE TABLE cast_members (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        file_format TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        original_filename TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        clip_seconds REAL,
        added_by INTEGER NOT NULL,
        added_at REAL NOT NULL,
        copy_channel_id INTEGER NOT NULL,
        copy_message_id INTEGER NOT NULL,
        copy_filename TEXT NOT NULL,
        copy_url TEXT NOT NULL,
        kept_name TEXT NOT NULL,
        description TEXT
    );
    CREATE UNIQUE INDEX cast_members_name ON cast_members (guild_id, name_key);
    """,
    # 12: each server's own settings and the log of their changes (bot/store/team.py).
    """
    CREATE TABLE guild_settings (
        guild_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (guild_id, name)
    );
    CREATE TABLE guild_setting_changes (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        changed_by INTEGER NOT NULL,
        changed_at REAL NOT NULL
    );
    CREATE INDEX guild_setting_changes_guild ON guild_setting_changes (guild_id, changed_at);
    """,
    # 13: what a later start needs to tell a member of a submission never recorded.
    INTENT_MIGRATION,
    # 14: where each worker runs, so that one proven dead is taken over at once
    # (bot/store/sqlite_workers.py).
    """
    ALTER TABLE workers ADD COLUMN host TEXT;
    ALTER TABLE workers ADD COLUMN pid_space TEXT;
    ALTER TABLE workers ADD COLUMN pid INTEGER;
    ALTER TABLE workers ADD COLUMN started INTEGER;
    """,
    # 15: the share of the account's query cap each worker holds, and when a share was last
    # given back (bot/store/sqlite_workers.py).
    """
    ALTER TABLE workers ADD COLUMN share INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE query_cap (freed_at REAL NOT NULL);
    INSERT INTO query_cap (freed_at) VALUES (0);
    """,
    # 16: how a task was made from its parent (stories follow continuations), and who asked
    # to cancel it.
    """
    ALTER TABLE tasks ADD COLUMN lineage_kind TEXT;
    ALTER TABLE tasks ADD COLUMN cancelled_by INTEGER;
    """,
)
