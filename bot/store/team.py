"""What the store keeps of each server's own settings (set with `/r2v-admin set`), and the log
of their changes (`TeamSettingsStore`, implemented beside `TaskStore` by both stores).

Values are kept as text, in the form `bot.team.values` writes and reads them, so the store
needs to know nothing of what each setting means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SettingChange:
    """One change of one server setting: None as a value means the environment's default."""

    guild_id: int
    name: str
    old: str | None
    new: str | None
    changed_by: int
    changed_at: float

    @property
    def changed(self) -> bool:
        return self.old != self.new


class TeamSettingsStore(Protocol):
    async def guild_settings(self, guild_id: int) -> dict[str, str]:
        """The server's own values by setting name, in one round trip (empty: the environment's
        defaults throughout)."""

    async def change_guild_setting(
        self, guild_id: int, name: str, value: str | None, *, changed_by: int, changed_at: float
    ) -> SettingChange:
        """Set (or, with None, drop) the server's own value and log the change, in one
        transaction that no other change of the server's settings, in any process, runs
        inside. A value set to what it already was changes nothing and is not logged."""

    async def guild_setting_changes(self, guild_id: int, limit: int = 10) -> list[SettingChange]:
        """The server's logged changes, newest first."""
