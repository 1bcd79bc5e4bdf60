"""The SQLite store's part of each server's own settings and the log of their changes (the
`TeamSettingsStore` protocol, `bot.store.team`)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import aiosqlite

from bot.store.team import SettingChange


class SqliteTeam:
    """Mixed into `SqliteTaskStore`, whose connection and write transactions it uses."""

    _db: aiosqlite.Connection

    def _writing(
        self, *, reads_first: bool = False
    ) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # SqliteTaskStore's

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
