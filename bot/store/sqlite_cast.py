"""The SQLite store's part of the cast: each server's named references (the `CastStore`
protocol, `bot.store.cast`; rows mapped by `bot.store.cast_rows`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any

import aiosqlite

from bot.generation.cast import name_key
from bot.store import cast_rows
from bot.store.cast import CastCopy, CastMember, CastPage, NameTaken


class SqliteCast:
    """Mixed into `SqliteTaskStore`, whose connection and write transactions it uses."""

    _db: aiosqlite.Connection

    def _writing(
        self, *, reads_first: bool = False
    ) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # SqliteTaskStore's

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
