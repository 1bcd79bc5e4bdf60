"""Guilds, their channels, roles, members and users, as Discord's objects."""

from __future__ import annotations

from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    ALL_BUT_ADMIN,
    UPLOAD_CAPS,
    ChannelType,
    FakeDiscordError,
    FakeGuild,
    JsonObject,
    _error,
    _json_response,
    _Upload,
)

CHANNEL_NAMES = ("general", "videos", "other")


class GuildsMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    def make_user(
        self,
        user_id: int | None = None,
        name: str = "alice",
        *,
        roles: tuple[int, ...] | list[int] = (),
        permissions: str = ALL_BUT_ADMIN,
    ) -> JsonObject:
        """A guild member dict (with "user") that can invoke commands and post messages. Its
        roles must exist (`add_role`): Discord sends no member with a role its server lacks, and
        discord.py leaves out of `Member.roles` a role it does not know."""
        known = {int(role["id"]) for guild in self.guilds.values() for role in guild.roles}
        if unknown := set(roles) - known:
            raise FakeDiscordError(f"no server has the roles {sorted(unknown)}: add_role first")
        uid = user_id or self.snowflake()
        user = {
            "id": str(uid),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": False,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        self._users[uid] = user
        return {
            "user": user,
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in roles],
            "joined_at": self._iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": permissions,
            "communication_disabled_until": None,
        }

    def bot_member(self) -> JsonObject:
        """The bot as a guild member."""
        return {
            "user": self.bot_user,
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [],
            "joined_at": self._iso(),
            "premium_since": None,
            "communication_disabled_until": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }

    def guild(self, guild_id: int | None = None) -> FakeGuild:
        """The guild with that id (the default guild without one)."""
        found = self.guilds.get(guild_id or self.guild_id)
        if found is None:
            raise FakeDiscordError(f"no guild {guild_id}; have {sorted(self.guilds)}")
        return found

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        """The guild a channel belongs to (None for a DM or an unknown channel)."""
        guild_id = self._channel_guild.get(int(channel_id))
        return None if guild_id is None else self.guilds[guild_id]

    def add_guild(
        self,
        guild_id: int | None = None,
        *,
        name: str = "Other Guild",
        channels: int = 1,
        premium_tier: int = 0,
        locale: str = "en-US",
    ) -> FakeGuild:
        """Another guild with `channels` text channels; add it before the bot connects."""
        gid = guild_id or self.snowflake()
        guild = FakeGuild(
            gid,
            name,
            [self.snowflake() for _ in range(channels)],
            premium_tier=premium_tier,
            locale=locale,
        )
        self.guilds[gid] = guild
        for cid in guild.channel_ids:
            self._channel_guild[cid] = gid
            self._channel_order[cid] = []
        return guild

    async def set_premium_tier(self, tier: int, guild_id: int | None = None) -> None:
        """Set a guild's boost tier (0-3); a connected bot is told with GUILD_UPDATE, so
        discord.py's Guild.filesize_limit follows."""
        if tier not in UPLOAD_CAPS:
            raise FakeDiscordError(f"premium tier {tier} does not exist (0-3)")
        guild = self.guild(guild_id)
        guild.premium_tier = tier
        if self.connected_to(guild.id):
            await self._dispatch("GUILD_UPDATE", self.guild_object(guild.id), guild_id=guild.id)

    def channel_object(self, channel_id: int) -> JsonObject:
        """The channel object for one of our guild channels or DM channels."""
        order = self._channel_order.get(channel_id) or []
        last = str(order[-1]) if order else None
        if channel_id in self._dm_channels:
            recipient = self._users[self._dm_channels[channel_id]]
            return {
                "id": str(channel_id),
                "type": ChannelType.DM,
                "last_message_id": last,
                "flags": 0,
                "recipients": [recipient],
            }
        guild = self.guild_of(channel_id)
        if guild is None:
            raise FakeDiscordError(f"no channel {channel_id}")
        index = guild.channel_ids.index(channel_id)
        return {
            "id": str(channel_id),
            "type": ChannelType.GUILD_TEXT,
            "guild_id": str(guild.id),
            "name": CHANNEL_NAMES[min(index, 2)] + ("" if index < 3 else str(index)),
            "position": index,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def guild_object(self, guild_id: int | None = None) -> JsonObject:
        """The guild as GET /guilds/{id} returns it."""
        guild = self.guild(guild_id)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "home_header": None,
            "region": "deprecated",
            "widget_enabled": False,
            "widget_channel_id": None,
            "max_presences": None,
            "max_stage_video_channel_users": 50,
            "premium_subscription_count": {0: 0, 1: 2, 2: 7, 3: 14}[guild.premium_tier],
            "nsfw": False,
            "incidents_data": None,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.default_user["user"]["id"]),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": guild.premium_tier,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [self._everyone_role(guild.id), *guild.roles],
            "max_members": 500000,
            "max_video_channel_users": 25,
        }

    def add_role(self, role_id: int, name: str, guild_id: int | None = None) -> JsonObject:
        """A guild role; add it before the bot connects so GUILD_CREATE carries it."""
        guild = self.guild(guild_id)
        role = {**self._everyone_role(guild.id), "id": str(role_id), "name": name, "position": 1}
        role["permissions"] = "0"
        guild.roles.append(role)
        return role

    def _everyone_role(self, guild_id: int) -> JsonObject:
        return {
            "id": str(guild_id),
            "name": "@everyone",
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": ALL_BUT_ADMIN,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    async def _get_me(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        # The current user is the one place Discord adds the account's private fields.
        return _json_response({**self.bot_user, "mfa_enabled": False, "locale": "en-US"})

    async def _get_user(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], uid: str
    ) -> web.Response:
        user = self._users.get(int(uid))
        return _json_response(user) if user else _error(404, 10013, "Unknown User")

    async def _get_app(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        owner = self.default_user["user"]
        return _json_response(
            {
                "id": str(self.app_id),
                "name": "r2v-bot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": owner,
                "verify_key": "0" * 64,
                "flags": 0,
                "flags_new": "0",
                "type": None,
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "approximate_guild_count": 1,
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
                "team": None,
                "bot": self.bot_user,
            }
        )

    async def _get_guild(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], gid: str
    ) -> web.Response:
        if int(gid) not in self.guilds:
            return _error(404, 10004, "Unknown Guild")
        return _json_response(self.guild_object(int(gid)))

    async def _get_guild_channels(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], gid: str
    ) -> web.Response:
        if int(gid) not in self.guilds:
            return _error(404, 10004, "Unknown Guild")
        channels = [c for c in self.guilds[int(gid)].channel_ids if c not in self._deleted]
        return _json_response([self.channel_object(cid) for cid in channels])

    async def _get_roles(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], gid: str
    ) -> web.Response:
        if int(gid) not in self.guilds:
            return _error(404, 10004, "Unknown Guild")
        guild = self.guilds[int(gid)]
        return _json_response([self._everyone_role(guild.id), *guild.roles])

    async def _get_member(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], gid: str, uid: str
    ) -> web.Response:
        if int(gid) not in self.guilds:
            return _error(404, 10004, "Unknown Guild")
        if int(uid) == self.bot_user_id:
            return _json_response(self.bot_member())
        user = self._users.get(int(uid))
        if user is None:
            return _error(404, 10007, "Unknown Member")
        member = {**self.make_user(int(uid), user["username"]), "user": user}
        member.pop("permissions", None)
        return _json_response(member)
