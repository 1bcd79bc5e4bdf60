"""The PostgreSQL store's part of the cast: each server's named references (the `CastStore`
protocol, `bot.store.cast`; rows mapped by `bot.store.cast_rows`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import asyncpg

from bot.generation.cast import name_key
from bot.store import cast_rows
from bot.store.cast import CastCopy, CastMember, CastPage, NameTaken


class PostgresCast:
    """Mixed into `PostgresTaskStore`, whose pool it uses."""

    _pool: asyncpg.Pool

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
        return rows_changed(result) > 0

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
        return rows_changed(result) > 0

    async def _cast(self, where: str, *params: Any) -> list[CastMember]:
        rows = await self._pool.fetch(
            f"SELECT {cast_rows.SELECT_LIST} FROM cast_members {where} ORDER BY name_key", *params
        )
        return [cast_rows.from_row(row) for row in rows]


def rows_changed(status: str) -> int:
    """The row count of a command tag such as 'UPDATE 1'."""
    return int(status.rsplit(" ", 1)[-1])
