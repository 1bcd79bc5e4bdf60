"""SQLite task store with numbered migrations (PRAGMA user_version is the schema number)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import aiosqlite

from bot import operator_text
from bot.generation.cast import name_key
from bot.store import cast_rows
from bot.store.cast import CastCopy, CastMember, CastPage, NameTaken
from bot.store.codec import SQLITE_ADAPTERS, RowCodec, legacy_estimate, question_mark
from bot.store.protocol import DuplicateTaskError, SchemaTooNew, StoreFileGone
from bot.store.records import TaskRecord
from bot.store.sqlite_file import FileWatch, own_file
from bot.store.sqlite_holds import INTENT_MIGRATION, SqliteHolds
from bot.store.sqlite_workers import SqliteWorkers
from bot.store.team import SettingChange
from bot.store.types import UNBILLED, Hold, Spend, Usage

RefusalT = TypeVar("RefusalT")

log = logging.getLogger(__name__)


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
# A write waits this long for another connection's (or process's) write lock.
BUSY_TIMEOUT_S = 10.0

_CODEC: Final = RowCodec(SQLITE_ADAPTERS, question_mark)


class SqliteTaskStore(SqliteHolds, SqliteWorkers):
    """The default store (a TaskStore, CastStore and TeamSettingsStore). Open with
    `await SqliteTaskStore.open(path)`; close when done. Holds and intents: `SqliteHolds`."""

    def __init__(self, connection: aiosqlite.Connection, watch: FileWatch | None = None) -> None:
        self._db = connection
        # One write transaction at a time on the connection: a write of another coroutine must
        # not land inside (and commit) a transaction still deciding, such as `reserve`'s.
        self._write_lock = asyncio.Lock()
        # Whether the file's name still holds the file opened (None: an in-memory database).
        self._watch = watch

    @classmethod
    async def open(cls, path: Path | str) -> SqliteTaskStore:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # When aiosqlite (0.22) fails to connect, its worker thread may outlive the event
            # loop and print a traceback at exit: a file that cannot be opened at all is
            # refused by the standard library first.
            sqlite3.connect(path).close()
        connection = await aiosqlite.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level="IMMEDIATE"
        )
        connection.row_factory = aiosqlite.Row
        store = cls(connection, None if str(path) == ":memory:" else FileWatch(Path(path)))
        try:
            await _use_wal(connection)
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await store._migrate()
        except BaseException:
            # aiosqlite's worker thread is not a daemon: left open, it keeps the process alive.
            await connection.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def ping(self) -> None:
        await own_file(self._watch, self._db, self._write_lock, now=True)
        # Through aiosqlite's thread, behind whatever it is running: a store stuck there shows.
        await self._db.execute_fetchall("SELECT 1")

    async def reserve(
        self, hold: Hold, decide: Callable[[], Awaitable[RefusalT | None]]
    ) -> int | RefusalT:
        await own_file(self._watch, self._db, self._write_lock, now=True)  # before paying
        return await super().reserve(hold, decide)

    @asynccontextmanager
    async def _writing(self, *, reads_first: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction that takes the database's write lock first (BEGIN IMMEDIATE).
        A deferred one would read a snapshot before writing and, when another process (two bots
        on one file) commits in between, fail with "database is locked" without waiting.

        The connection's isolation level has sqlite3 begin it, IMMEDIATE, right before the
        first INSERT, UPDATE or DELETE, in the same trip to aiosqlite's thread; a transaction
        whose first statement reads (`reads_first`) begins it explicitly."""
        with contextlib.suppress(StoreFileGone):  # noticed and said; writes go on meanwhile
            await own_file(self._watch, self._db, self._write_lock, now=False)
        async with self._write_lock:
            try:
                if reads_first:
                    await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
            except BaseException:
                # Also after a cancellation, which may land after the BEGIN ran in aiosqlite's
                # thread: the connection must not stay inside a transaction. Statements run in
                # order, so this rollback comes after that BEGIN.
                await asyncio.shield(self._db.rollback())
                raise
            await self._db.commit()

    async def _migrate(self) -> None:
        """Apply the missing migrations, each in a transaction that holds the write lock from
        the reading of the schema number on: two processes starting together on one file
        migrate once."""
        found: int | None = None
        while True:
            async with self._writing(reads_first=True) as db:
                async with db.execute("PRAGMA user_version") as cursor:
                    row = await cursor.fetchone()
                version = int(row[0]) if row else 0
                found = version if found is None else found
                if version > len(MIGRATIONS):
                    raise SchemaTooNew(
                        f"the task database is at schema {version}, newer than this bot knows "
                        f"({len(MIGRATIONS)}); upgrade the bot"
                    )
                if version == len(MIGRATIONS):
                    break
                migration = MIGRATIONS[version]
                if callable(migration):
                    await migration(db)
                else:
                    # executescript() would commit first: the statements run one by one instead.
                    for statement in migration.split(";"):
                        if statement.strip():
                            await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version + 1}")
        if found < len(MIGRATIONS):
            log.info(operator_text.migrated(found, len(MIGRATIONS)))

    async def add(
        self, record: TaskRecord, *, owner: str | None = None, reservation: int | None = None
    ) -> None:
        try:
            async with self._writing() as db:
                await db.execute(
                    _CODEC.insert_sql(extra=("owner",)), [*_CODEC.insert_values(record), owner]
                )
                await db.execute(
                    "INSERT INTO task_events (task_id, at, status) VALUES (?, ?, ?)",
                    (record.task_id, record.created_at, record.raw_status),
                )
                if reservation is not None:
                    await db.execute("DELETE FROM reservations WHERE id = ?", (reservation,))
        except sqlite3.IntegrityError as error:
            raise DuplicateTaskError(record.task_id) from error

    async def save(self, record: TaskRecord, *, owner: str | None = None) -> bool:
        async with self._writing() as db:
            if owner is None:
                cursor = await db.execute(_CODEC.save_sql(), _CODEC.save_values(record))
            else:
                cursor = await db.execute(
                    _CODEC.save_sql(fenced_by="owner") + " AND phase != 'done'",
                    [*_CODEC.save_values(record), owner],
                )
        return cursor.rowcount > 0

    async def add_event(self, task_id: str, at: float, status: str) -> None:
        async with self._writing() as db:
            await db.execute(
                "INSERT INTO task_events (task_id, at, status) VALUES (?, ?, ?)",
                (task_id, at, status),
            )

    async def events(self, task_id: str) -> list[tuple[float, str]]:
        async with self._db.execute(
            "SELECT at, status FROM task_events WHERE task_id = ? ORDER BY at, rowid", (task_id,)
        ) as cursor:
            return [(row["at"], row["status"]) async for row in cursor]

    async def get(self, task_id: str) -> TaskRecord | None:
        records = await self._select("WHERE task_id = ?", (task_id,))
        return records[0] if records else None

    async def active(self) -> list[TaskRecord]:
        return await self._select("WHERE phase != 'done' ORDER BY created_at")

    async def recent_for_user(self, requester_id: int, limit: int = 10) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = ? ORDER BY created_at DESC LIMIT ?", (requester_id, limit)
        )

    async def recent_finished(self, limit: int = 500) -> list[TaskRecord]:
        return await self._select(
            "WHERE phase = 'done' AND status = 'SUCCEEDED' ORDER BY created_at DESC LIMIT ?",
            (limit,),
        )

    async def usage(self, user_id: int, guild_id: int | None, since: float) -> Usage:
        # One statement (one trip to aiosqlite's thread): the user's counts, then the billed
        # spend of the user and of the guild grouped by amount, summed exactly here (SQLite
        # would sum the TEXT amounts as floats).
        rows = await self._db.execute_fetchall(
            "SELECT 'user' AS part, COUNT(*) FILTER (WHERE phase != 'done') AS n, "
            "MAX(created_at) AS last, NULL AS seconds, NULL AS amount "
            "FROM tasks WHERE requester_id = ? "
            f"UNION ALL SELECT 'user_spend', {_SPEND_COLUMNS} FROM tasks "
            f"WHERE requester_id = ? AND {_BILLED_SINCE} GROUP BY cost_amount "
            f"UNION ALL SELECT 'guild_spend', {_SPEND_COLUMNS} FROM tasks "
            f"WHERE guild_id = ? AND {_BILLED_SINCE} GROUP BY cost_amount",
            (user_id, user_id, since, *UNBILLED, guild_id, since, *UNBILLED),
        )
        counts = next(row for row in rows if row["part"] == "user")
        return Usage(
            active_tasks=counts["n"],
            last_submit_at=counts["last"],
            user_today=_total(row for row in rows if row["part"] == "user_spend"),
            guild_today=_total(row for row in rows if row["part"] == "guild_spend"),
        )

    async def spend_since(
        self, since: float, *, requester_id: int | None = None, guild_id: int | None = None
    ) -> Spend:
        if requester_id is not None:
            column, value = "requester_id", requester_id
        elif guild_id is not None:
            column, value = "guild_id", guild_id
        else:
            return Spend()
        rows = await self._db.execute_fetchall(
            f"SELECT {_SPEND_COLUMNS} FROM tasks WHERE {column} = ? AND {_BILLED_SINCE} "
            "GROUP BY cost_amount",
            (value, since, *UNBILLED),
        )
        return _total(rows)

    async def guild_spend_by_user(self, guild_id: int, since: float) -> list[tuple[int, Spend]]:
        rows = await self._db.execute_fetchall(
            f"SELECT requester_id, {_SPEND_COLUMNS} FROM tasks WHERE guild_id = ? "
            f"AND {_BILLED_SINCE} GROUP BY requester_id, cost_amount",
            (guild_id, since, *UNBILLED),
        )
        by_user: dict[int, list[sqlite3.Row]] = {}
        for row in rows:
            by_user.setdefault(row["requester_id"], []).append(row)
        spends = [(user, _total(rows)) for user, rows in by_user.items()]
        return sorted(spends, key=lambda item: (-item[1].amount, item[0]))

    async def guild_tasks_since(self, guild_id: int, since: float) -> list[TaskRecord]:
        return await self._select(
            "WHERE guild_id = ? AND created_at >= ? ORDER BY created_at", (guild_id, since)
        )

    async def active_for_user(self, requester_id: int) -> list[TaskRecord]:
        return await self._select(
            "WHERE requester_id = ? AND phase != 'done' ORDER BY created_at", (requester_id,)
        )

    async def _select(self, where: str, params: Iterable[Any] = ()) -> list[TaskRecord]:
        rows = await self._db.execute_fetchall(
            f"SELECT {_CODEC.select_list} FROM tasks {where}", tuple(params)
        )
        return [_CODEC.from_row(row) for row in rows]

    # -- the cast (CastStore) ------------------------------------------------------------------

    async def add_cast(self, member: CastMember) -> CastMember | NameTaken:
        marks = ", ".join("?" for _ in cast_rows.COLUMNS)
        try:
            async with self._writing() as db:
                cursor = await db.execute(
                    f"INSERT INTO cast_members ({', '.join(cast_rows.COLUMNS)}) VALUES ({marks})",
                    cast_rows.values(member),
                )
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                raise
            return NameTaken(member.name)
        assert cursor.lastrowid is not None  # an INSERT into a rowid table sets it
        return replace(member, id=cursor.lastrowid)

    async def cast_member(self, guild_id: int, name: str) -> CastMember | None:
        found = await self._cast("WHERE guild_id = ? AND name_key = ?", (guild_id, name_key(name)))
        return found[0] if found else None

    async def cast_by_id(self, cast_id: int) -> CastMember | None:
        found = await self._cast("WHERE id = ?", (cast_id,))
        return found[0] if found else None

    async def cast_members(self, guild_id: int, names: Sequence[str]) -> list[CastMember]:
        keys = sorted({name_key(name) for name in names})
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        return await self._cast(f"WHERE guild_id = ? AND name_key IN ({marks})", (guild_id, *keys))

    async def cast_page(self, guild_id: int, offset: int, limit: int) -> CastPage:
        rows = await self._db.execute_fetchall(
            f"SELECT {cast_rows.SELECT_LIST}, COUNT(*) OVER () AS total FROM cast_members "
            "WHERE guild_id = ? ORDER BY name_key LIMIT ? OFFSET ?",
            (guild_id, limit, offset),
        )
        rows = list(rows)
        if rows:
            return CastPage([cast_rows.from_row(row) for row in rows], rows[0]["total"])
        # Past the last page: the count alone.
        counted = await self._db.execute_fetchall(
            "SELECT COUNT(*) FROM cast_members WHERE guild_id = ?", (guild_id,)
        )
        return CastPage([], next(iter(counted))[0])

    async def cast_names(
        self, guild_id: int, prefix: str = "", limit: int | None = None
    ) -> list[str]:
        key = name_key(prefix)
        rows = await self._db.execute_fetchall(
            "SELECT name FROM cast_members WHERE guild_id = ? AND substr(name_key, 1, ?) = ? "
            "ORDER BY name_key LIMIT ?",
            (guild_id, len(key), key, -1 if limit is None else limit),
        )
        return [row["name"] for row in rows]

    async def rename_cast(self, cast_id: int, name: str) -> CastMember | NameTaken | None:
        try:
            async with self._writing() as db:
                cursor = await db.execute(
                    "UPDATE cast_members SET name = ?, name_key = ? WHERE id = ?",
                    (name, name_key(name), cast_id),
                )
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                raise
            return NameTaken(name)
        return await self.cast_by_id(cast_id) if cursor.rowcount else None

    async def remove_cast(self, cast_id: int) -> bool:
        async with self._writing() as db:
            cursor = await db.execute("DELETE FROM cast_members WHERE id = ?", (cast_id,))
        return cursor.rowcount > 0

    async def move_cast_copy(self, cast_id: int, copy: CastCopy) -> bool:
        async with self._writing() as db:
            cursor = await db.execute(
                "UPDATE cast_members SET copy_channel_id = ?, copy_message_id = ?, "
                "copy_filename = ?, copy_url = ? WHERE id = ?",
                (copy.channel_id, copy.message_id, copy.filename, copy.url, cast_id),
            )
        return cursor.rowcount > 0

    async def _cast(self, where: str, params: Iterable[Any]) -> list[CastMember]:
        rows = await self._db.execute_fetchall(
            f"SELECT {cast_rows.SELECT_LIST} FROM cast_members {where} ORDER BY name_key",
            tuple(params),
        )
        return [cast_rows.from_row(row) for row in rows]

    # -- each server's own settings (TeamSettingsStore) ----------------------------------------

    async def guild_settings(self, guild_id: int) -> dict[str, str]:
        rows = await self._db.execute_fetchall(
            "SELECT name, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {row["name"]: row["value"] for row in rows}

    async def change_guild_setting(
        self, guild_id: int, name: str, value: str | None, *, changed_by: int, changed_at: float
    ) -> SettingChange:
        # The write lock is taken before the old value is read: no other change lands between.
        async with self._writing(reads_first=True) as db:
            rows = await db.execute_fetchall(
                "SELECT value FROM guild_settings WHERE guild_id = ? AND name = ?",
                (guild_id, name),
            )
            old = next((row["value"] for row in rows), None)
            change = SettingChange(guild_id, name, old, value, changed_by, changed_at)
            if not change.changed:
                return change
            if value is None:
                await db.execute(
                    "DELETE FROM guild_settings WHERE guild_id = ? AND name = ?", (guild_id, name)
                )
            else:
                await db.execute(
                    "INSERT INTO guild_settings (guild_id, name, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id, name) DO UPDATE SET value = excluded.value",
                    (guild_id, name, value),
                )
            await db.execute(
                "INSERT INTO guild_setting_changes "
                "(guild_id, name, old_value, new_value, changed_by, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, name, old, value, changed_by, changed_at),
            )
        return change

    async def guild_setting_changes(self, guild_id: int, limit: int = 10) -> list[SettingChange]:
        rows = await self._db.execute_fetchall(
            "SELECT name, old_value, new_value, changed_by, changed_at "
            "FROM guild_setting_changes WHERE guild_id = ? ORDER BY changed_at DESC, id DESC "
            "LIMIT ?",
            (guild_id, limit),
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


async def _use_wal(connection: aiosqlite.Connection) -> None:
    """Switch the file to WAL, which survives a SIGKILL without losing committed rows and lets
    reads run beside writes. Several processes opening a new file at once can find it busy
    without SQLite's busy handler waiting (a switch needs the file to itself): retried here,
    for as long as a write would wait."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT_S
    while True:
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or loop.time() >= deadline:
                raise
        await asyncio.sleep(0.05)


# Billed spend grouped by amount: `n` tasks of `amount` each, `seconds` in all.
_SPEND_COLUMNS: Final = (
    "COUNT(*) AS n, NULL AS last, SUM(billed_seconds) AS seconds, cost_amount AS amount"
)
_BILLED_SINCE: Final = f"created_at >= ? AND status NOT IN ({', '.join('?' for _ in UNBILLED)})"


def _total(rows: Iterable[sqlite3.Row]) -> Spend:
    """The spend of rows of `_SPEND_COLUMNS`."""
    rows = list(rows)
    return Spend(
        seconds=sum(row["seconds"] or 0 for row in rows),
        amount=sum((_CODEC.money(row["amount"]) * row["n"] for row in rows), Decimal(0)),
    )
