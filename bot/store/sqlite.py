"""SQLite task store with numbered migrations (PRAGMA user_version is the schema number, the
migrations are in `bot.store.sqlite_schema`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import aiosqlite

from bot import operator_text
from bot.store.codec import SQLITE_ADAPTERS, RowCodec, question_mark
from bot.store.protocol import DuplicateTaskError, SchemaTooNew, StoreFileGone
from bot.store.records import TaskRecord
from bot.store.sqlite_cast import SqliteCast
from bot.store.sqlite_file import FileWatch, own_file
from bot.store.sqlite_holds import SqliteHolds
from bot.store.sqlite_locks import WorkerLocks
from bot.store.sqlite_schema import MIGRATIONS
from bot.store.sqlite_team import SqliteTeam
from bot.store.sqlite_workers import SqliteWorkers
from bot.store.types import UNBILLED, Hold, Spend, Usage

RefusalT = TypeVar("RefusalT")

log = logging.getLogger(__name__)

# A write waits this long for another connection's (or process's) write lock.
BUSY_TIMEOUT_S = 10.0

_CODEC: Final = RowCodec(SQLITE_ADAPTERS, question_mark)


class SqliteTaskStore(SqliteHolds, SqliteWorkers, SqliteCast, SqliteTeam):
    """The default store (a TaskStore, CastStore and TeamSettingsStore). Open with
    `await SqliteTaskStore.open(path)`; close when done. Holds and intents: `SqliteHolds`;
    workers: `SqliteWorkers`; the cast: `SqliteCast`; server settings: `SqliteTeam`."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        watch: FileWatch | None = None,
        locks: WorkerLocks | None = None,
    ) -> None:
        self._db = connection
        # One write transaction at a time on the connection: a write of another coroutine must
        # not land inside (and commit) a transaction still deciding, such as `reserve`'s.
        self._write_lock = asyncio.Lock()
        # Whether the file's name still holds the file opened (None: an in-memory database).
        self._watch = watch
        # The lock files of the workers on this database (None: an in-memory one, or a file on
        # a network file system), see `SqliteWorkers`.
        self._locks = locks

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
        if str(path) == ":memory:":
            store = cls(connection)
        else:
            store = cls(connection, FileWatch(Path(path)), WorkerLocks.beside(Path(path)))
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
        if self._locks is not None:
            self._locks.close()
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
