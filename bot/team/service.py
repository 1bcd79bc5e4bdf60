"""A server's settings as the commands and the generation service need them: the effective
settings of a server (one store round trip, so a change applies to the next command in every
process), an overview for `/r2v-admin settings`, and a change from `/r2v-admin set`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.store.team import SettingChange, TeamSettingsStore
from bot.team.values import BadValue, Merged, Setting, TeamSettings, merge, parse

log = logging.getLogger(__name__)

# Changes shown under the settings.
RECENT_CHANGES = 5


@dataclass(frozen=True)
class Overview:
    """What `/r2v-admin settings` shows: the effective settings, which are the server's own,
    what the environment alone would give, and the latest changes."""

    merged: Merged
    environment: TeamSettings
    changes: list[SettingChange]


@dataclass(frozen=True)
class Changed:
    change: SettingChange
    merged: Merged  # the server's settings from now on


@dataclass(frozen=True)
class Unchanged:
    """The setting already had that value (or, reset, was the environment's already)."""

    setting: Setting
    merged: Merged


ChangeOutcome = Changed | Unchanged | BadValue


class TeamSettingsService:
    def __init__(
        self,
        store: TeamSettingsStore,
        environment: Callable[[int | None], TeamSettings],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`environment(guild_id)`: what the environment gives a server (see
        `values.environment_settings`)."""
        self._store = store
        self._environment = environment
        self._clock = clock

    async def for_guild(self, guild_id: int | None) -> TeamSettings:
        """The settings a command in this server runs under, read now: one store round trip
        (none outside a server)."""
        return (await self.merged(guild_id)).settings

    async def merged(self, guild_id: int | None) -> Merged:
        base = self._environment(guild_id)
        if guild_id is None:
            return Merged(base)
        merged = merge(base, await self._store.guild_settings(guild_id))
        if merged.unreadable:
            log.warning(
                "server %s has stored settings this version cannot read, using the "
                "environment's instead: %s",
                guild_id,
                ", ".join(merged.unreadable),
            )
        return merged

    async def overview(self, guild_id: int) -> Overview:
        return Overview(
            await self.merged(guild_id),
            self._environment(guild_id),
            await self._store.guild_setting_changes(guild_id, RECENT_CHANGES),
        )

    async def change(
        self, guild_id: int, setting: Setting, text: str | None, changed_by: int
    ) -> ChangeOutcome:
        """Set the server's own value from an admin's text, or with None go back to the
        environment's; logged with who and when."""
        stored: str | None = None
        if text is not None:
            parsed = parse(setting, text)
            if isinstance(parsed, BadValue):
                return parsed
            stored = parsed.stored
        change = await self._store.change_guild_setting(
            guild_id, setting.value, stored, changed_by=changed_by, changed_at=self._clock()
        )
        merged = await self.merged(guild_id)
        if not change.changed:
            return Unchanged(setting, merged)
        log.info(
            "server %s: %s changed from %s to %s by %s",
            guild_id,
            setting.value,
            change.old,
            change.new,
            changed_by,
        )
        return Changed(change, merged)
