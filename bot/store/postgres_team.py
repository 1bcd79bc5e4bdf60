"""The PostgreSQL store's part of each server's own settings and the log of their changes (the
`TeamSettingsStore` protocol, `bot.store.team`)."""

from __future__ import annotations

import asyncpg

from bot.store.team import SettingChange


class PostgresTeam:
    """Mixed into `PostgresTaskStore`, whose pool it uses."""

    _pool: asyncpg.Pool

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
