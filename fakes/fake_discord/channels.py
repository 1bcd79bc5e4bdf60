"""Channels as the bot meets them: guild text channels and DMs, the bot's permissions in them,
and the knobs a test turns to make them fail (5xx, missing permissions, deleted, closed DMs)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import discord
from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    INJECTED,
    FakeDiscordError,
    JsonObject,
    _error,
    _json_response,
    _Upload,
)

VIEW_CHANNEL = discord.Permissions.view_channel.flag
SEND_MESSAGES = discord.Permissions.send_messages.flag
ATTACH_FILES = discord.Permissions.attach_files.flag
READ_MESSAGE_HISTORY = discord.Permissions.read_message_history.flag
MANAGE_MESSAGES = discord.Permissions.manage_messages.flag


class Action(Enum):
    """What a channel route does, for the permission it needs."""

    READ = "read"  # GET the channel or a message
    HISTORY = "history"  # GET its messages
    SEND = "send"  # POST a message, trigger typing
    EDIT = "edit"  # PATCH or DELETE one of the bot's messages


@dataclass
class _Outage:
    status: int
    times_left: int | None  # None: until cleared or `until`
    until: float | None  # fake monotonic clock
    retry_after: float = 0.0  # for 429s

    def answer(self) -> web.Response:
        if self.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
                "code": 0,
            }
            response = _json_response(body, 429)
            # discord.py only retries a 429 that came through Discord's proxy (Via) as JSON.
            response.headers.update(
                {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, round(self.retry_after))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(self.retry_after),
                    "X-RateLimit-Bucket": "fake-channel-bucket",
                    "X-RateLimit-Scope": "user",
                }
            )
        else:
            response = _error(self.status, 0, f"{self.status}: Service Unavailable")
        response[INJECTED] = True
        return response


class ChannelsMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    # -- knobs for tests

    def fail_channel(
        self,
        channel_id: int | None = None,
        status: int = 503,
        *,
        times: int | None = None,
        seconds: float | None = None,
    ) -> None:
        """Make every route of a channel answer `status` (5xx): for the next `times` requests,
        for `seconds` of the fake clock, or until clear_faults()."""
        if status < 500:
            raise FakeDiscordError("fail_channel is for server errors; see revoke_send etc.")
        cid = channel_id or self.channel_id
        until = None if seconds is None else self.now() + seconds
        self._outages[cid] = _Outage(status, times, until)

    def rate_limit_channel(
        self, channel_id: int | None = None, *, retry_after: float = 0.05, times: int = 1
    ) -> None:
        """Answer the channel's next `times` requests with Discord's 429 (retry_after in
        seconds, with the Via header discord.py needs to wait and retry)."""
        cid = channel_id or self.channel_id
        self._outages[cid] = _Outage(429, times, None, retry_after)

    def revoke_send(self, channel_id: int | None = None) -> None:
        """Take Send Messages from the bot in a channel: posts answer 403 50013."""
        cid = channel_id or self.channel_id
        self.set_channel_permissions(cid, self.permissions_in(cid) & ~SEND_MESSAGES)

    def revoke_access(self, channel_id: int | None = None) -> None:
        """Hide a channel from the bot (no View Channel): every route answers 403 50001."""
        cid = channel_id or self.channel_id
        self.set_channel_permissions(cid, self.permissions_in(cid) & ~VIEW_CHANNEL)

    def set_channel_permissions(self, channel_id: int, permissions: int | str) -> None:
        """The bot's permissions in one channel (an overwrite of `app_permissions`); the fake
        enforces them and sends them as the interaction's app_permissions there."""
        self._channel_permissions[channel_id] = int(permissions)

    def clear_faults(self, channel_id: int | None = None) -> None:
        """End outages and permission overwrites (of one channel, or all); deletions stay."""
        for table in (self._outages, self._channel_permissions):
            if channel_id is None:
                table.clear()
            else:
                table.pop(channel_id, None)

    async def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: its routes answer 404 10003; a connected bot gets CHANNEL_DELETE."""
        guild = self.guild_of(channel_id)
        if guild is None or channel_id in self._deleted:
            raise FakeDiscordError(f"no guild channel {channel_id} to delete")
        data = self.channel_object(channel_id)
        self._deleted.add(channel_id)
        if self.connected_to(guild.id):
            await self._dispatch("CHANNEL_DELETE", data, guild_id=guild.id)

    def open_dm(self, user: JsonObject) -> JsonObject:
        """The DM channel with a user (a member dict or user dict), made on first use."""
        uid = int(user.get("user", user)["id"])
        cid = next((c for c, u in self._dm_channels.items() if u == uid), None)
        if cid is None:
            cid = self.snowflake()
            self._dm_channels[cid] = uid
            self._channel_order[cid] = []
        return self.channel_object(cid)

    def close_dms(self, user: JsonObject) -> None:
        """The user turns off DMs from this server: the bot's DMs answer 403 50007."""
        self._closed_dms.add(int(user.get("user", user)["id"]))

    def dm_messages(self, user: JsonObject) -> list[JsonObject]:
        """Messages in the DM channel with a user, oldest first."""
        return self.messages(int(self.open_dm(user)["id"]))

    def permissions_in(self, channel_id: int) -> int:
        """The bot's permissions in a channel, as the fake enforces them."""
        return self._channel_permissions.get(channel_id, int(self.app_permissions))

    # -- enforcement

    def _channel_gate(
        self, channel_id: int, action: Action, *, uploading: bool = False
    ) -> web.Response | None:
        """Discord's answer when the bot may not do `action` in the channel, else None."""
        outage = self._outages.get(channel_id)
        if outage is not None:
            expired = outage.until is not None and self.now() >= outage.until
            if expired or outage.times_left == 0:
                del self._outages[channel_id]
            else:
                if outage.times_left is not None:
                    outage.times_left -= 1
                return outage.answer()
        if channel_id in self._dm_channels:
            closed = self._dm_channels[channel_id] in self._closed_dms
            if action is Action.SEND and closed:
                return _error(403, 50007, "Cannot send messages to this user")
            return None
        if self.guild_of(channel_id) is None or channel_id in self._deleted:
            return _error(404, 10003, "Unknown Channel")
        allowed = self.permissions_in(channel_id)
        if not allowed & VIEW_CHANNEL:
            return _error(403, 50001, "Missing Access")
        if action is Action.SEND and not allowed & SEND_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        if action is Action.SEND and uploading and not allowed & ATTACH_FILES:
            return _error(403, 50013, "Missing Permissions")
        return None

    def _history_hidden(self, channel_id: int) -> bool:
        """Without Read Message History Discord answers history requests with an empty list."""
        known_guild_channel = channel_id not in self._dm_channels
        return known_guild_channel and not self.permissions_in(channel_id) & READ_MESSAGE_HISTORY

    # -- routes

    async def _get_channel(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str
    ) -> web.Response:
        if (denied := self._channel_gate(int(cid), Action.READ)) is not None:
            return denied
        return _json_response(self.channel_object(int(cid)))

    async def _typing(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str
    ) -> web.Response:
        if (denied := self._channel_gate(int(cid), Action.SEND)) is not None:
            return denied
        return web.Response(status=204)

    async def _create_dm(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        recipient = int(payload.get("recipient_id") or 0)
        user = self._users.get(recipient)
        if user is None:
            return _error(400, 50033, "Invalid Recipient(s)")
        return _json_response(self.open_dm(user))
