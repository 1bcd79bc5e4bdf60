"""Application commands: bulk overwrite (PUT), listing, lookup for invocations."""

from __future__ import annotations

from typing import Any

import discord
from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    FakeDiscordError,
    JsonObject,
    _error,
    _form_error,
    _json_response,
    _Upload,
)

ADMINISTRATOR = discord.Permissions.administrator.flag


class CommandsMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    @property
    def registered_commands(self) -> list[JsonObject]:
        """Every command the bot registered (guild commands first, then global ones)."""
        out: list[JsonObject] = []
        for gid in sorted(self._commands, key=lambda g: g is None):
            out.extend(self._commands[gid])
        return out

    def _put_commands(self, guild_id: int | None, body: list[JsonObject]) -> list[JsonObject]:
        stored = []
        for cmd in body:
            ctype = int(cmd.get("type", 1))
            key = (guild_id, cmd["name"], ctype)
            # Discord keeps a command's id across overwrites when name and type stay the same.
            cid = self._command_ids.setdefault(key, self.snowflake())
            # Discord fills the fields a client may leave out (context menus send no description).
            permissions = cmd.get("default_member_permissions")
            entry = {
                "description": "",
                "options": [],
                "nsfw": False,
                "dm_permission": True,
                **{k: v for k, v in cmd.items() if v is not None},
                "id": str(cid),
                "application_id": str(self.app_id),
                "version": str(self.snowflake()),
                "type": ctype,
                # Discord answers with the permission bits as a string, and with the install
                # types it applied (guild install unless told otherwise) as a list.
                "default_member_permissions": None if permissions is None else str(permissions),
                "integration_types": cmd.get("integration_types") or [0],
                "contexts": cmd.get("contexts"),
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        self._commands[guild_id] = stored
        return stored

    def _find_command(self, name: str, ctype: int, guild_id: int | None = None) -> JsonObject:
        """A command the bot registered in that guild (default guild) or globally."""
        gid = guild_id or self.guild_id
        for cmd in self._commands.get(gid, []) + self._commands.get(None, []):
            if cmd["name"] == name and cmd["type"] == ctype:
                return cmd
        known = [(c["name"], c["type"]) for c in self.registered_commands]
        raise FakeDiscordError(f"no registered command {name!r} of type {ctype}; have {known}")

    def allow_command(self, name: str, target_id: int, guild_id: int | None = None) -> None:
        """What a server's admin does in Server Settings > Integrations: let a role or a member
        (`target_id`; the guild's own id is @everyone) use a command that its
        `default_member_permissions` hide from them."""
        gid = guild_id or self.guild_id
        self._command_overrides.setdefault((gid, name), set()).add(target_id)

    def _check_may_use(self, cmd: JsonObject, member: JsonObject, guild_id: int) -> None:
        """Discord shows a command with `default_member_permissions` only to members who hold
        them (or Administrator), unless the server allowed their role or them in Integrations:
        nobody else can send it."""
        required = cmd.get("default_member_permissions")
        if required is None:
            return
        held = int(member.get("permissions") or 0)
        if held & ADMINISTRATOR or held & int(required) == int(required):
            return
        allowed = self._command_overrides.get((guild_id, cmd["name"]), set())
        ids = {guild_id, int(member["user"]["id"]), *(int(r) for r in member.get("roles") or [])}
        if allowed & ids:
            return
        raise FakeDiscordError(
            f"Discord does not show {cmd['name']!r} to this member: it needs permissions "
            f"{required} (they hold {held}) unless the server allows them in Integrations "
            "(FakeDiscord.allow_command)"
        )

    def _wrong_app(self, app: str) -> web.Response | None:
        return None if int(app) == self.app_id else _error(403, 50001, "Missing Access")

    async def _get_commands(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        app: str,
        guild: str | None = None,
    ) -> web.Response:
        if (err := self._wrong_app(app)) is not None:
            return err
        return _json_response(self._commands.get(int(guild) if guild else None, []))

    async def _put_commands_route(
        self,
        request: web.Request,
        payload: Any,
        uploads: list[_Upload],
        app: str,
        guild: str | None = None,
    ) -> web.Response:
        if (err := self._wrong_app(app)) is not None:
            return err
        if guild is not None and int(guild) not in self.guilds:
            return _error(403, 50001, "Missing Access")
        if not isinstance(payload, list):
            return _form_error("_root", "LIST_TYPE_CONVERT", "Must be a list.")
        return _json_response(self._put_commands(int(guild) if guild else None, payload))
