"""The guild, its channels, roles, members and users, as Discord's objects."""

from __future__ import annotations

from aiohttp import web

from fakes.fake_discord.common import (
    ALL_BUT_ADMIN,
    ChannelType,
    _error,
    _json_response,
)


class GuildsMixin:
    """Part of FakeDiscord (see server.py)."""

    def make_user(
        self,
        user_id: int | None = None,
        name: str = "alice",
        *,
        roles: tuple[int, ...] | list[int] = (),
        permissions: str = ALL_BUT_ADMIN,
    ) -> dict:
        """A guild member dict (with "user") that can invoke commands and post messages."""
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

    def bot_member(self) -> dict:
        """The bot as a guild member."""
        return {
            "user": self.bot_user,
            "nick": None,
            "avatar": None,
            "roles": [],
            "joined_at": self._iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }

    def channel_object(self, channel_id: int) -> dict:
        """The guild text channel object for one of our channels."""
        index = self.channel_ids.index(channel_id)
        order = self._channel_order.get(channel_id) or []
        return {
            "id": str(channel_id),
            "type": ChannelType.GUILD_TEXT,
            "guild_id": str(self.guild_id),
            "name": ["general", "videos", "other"][min(index, 2)]
            + ("" if index < 3 else str(index)),
            "position": index,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": str(order[-1]) if order else None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def guild_object(self) -> dict:
        """The guild as GET /guilds/{id} returns it."""
        return {
            "id": str(self.guild_id),
            "name": "Fake Guild",
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
            "premium_tier": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
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
            "roles": [self._everyone_role(), *self.roles],
            "max_members": 500000,
            "max_video_channel_users": 25,
        }

    def add_role(self, role_id: int, name: str) -> dict:
        """A guild role; add it before the bot connects so GUILD_CREATE carries it."""
        role = {**self._everyone_role(), "id": str(role_id), "name": name, "position": 1}
        role["permissions"] = "0"
        self.roles.append(role)
        return role

    def _everyone_role(self) -> dict:
        return {
            "id": str(self.guild_id),
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

    async def _get_me(self, request, payload, uploads) -> web.Response:
        # The current user is the one place Discord adds the account's private fields.
        return _json_response({**self.bot_user, "mfa_enabled": False, "locale": "en-US"})

    async def _get_user(self, request, payload, uploads, uid) -> web.Response:
        user = self._users.get(int(uid))
        return _json_response(user) if user else _error(404, 10013, "Unknown User")

    async def _get_app(self, request, payload, uploads) -> web.Response:
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

    async def _get_guild(self, request, payload, uploads, gid) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        return _json_response(self.guild_object())

    async def _get_guild_channels(self, request, payload, uploads, gid) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        return _json_response([self.channel_object(cid) for cid in self.channel_ids])

    async def _get_roles(self, request, payload, uploads, gid) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        return _json_response([self._everyone_role()])

    async def _get_member(self, request, payload, uploads, gid, uid) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        if int(uid) == self.bot_user_id:
            return _json_response(self.bot_member())
        user = self._users.get(int(uid))
        if user is None:
            return _error(404, 10007, "Unknown Member")
        member = {**self.make_user(int(uid), user["username"]), "user": user}
        member.pop("permissions", None)
        return _json_response(member)
