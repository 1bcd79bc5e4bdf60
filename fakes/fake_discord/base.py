"""The state the parts of FakeDiscord share: its ids, clocks and tables, and the signatures of
the methods one part calls in another.

FakeDiscord (server.py) is this base plus one mixin per part. Each mixin derives from this class,
so mypy checks every part on its own against the same attributes; the methods declared under
TYPE_CHECKING below live in the mixin named beside them, and mypy checks that their definitions
match these declarations.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from fakes.fake_discord.common import (
    ALL_BUT_ADMIN,
    DISCORD_EPOCH_MS,
    FakeGuild,
    JsonObject,
    Recorded,
    Violation,
    _Upload,
)

if TYPE_CHECKING:
    from fakes.fake_discord.channels import Action, _Outage
    from fakes.fake_discord.gateway import GatewaySession
    from fakes.fake_discord.interactions import FakeInteraction


class FakeDiscordBase:
    """What every part of FakeDiscord reads and writes (see server.py for the whole)."""

    def __init__(
        self,
        *,
        bot_token: str = "fake-bot-token",
        app_id: int = 1100000000000000001,
        bot_user_id: int = 1100000000000000002,
        guild_id: int = 1100000000000000003,
        channel_ids: tuple[int, ...] = (1100000000000000004, 1100000000000000005),
        attachment_size_limit: int = 10 * 1024 * 1024,
        check_spec: bool = True,
    ) -> None:
        """`check_spec=False` skips the OpenAPI schema checks (Discord's own stricter limits
        stay): they cost a few ms per exchange, which a benchmark of the bot should not
        count."""
        self.bot_token = bot_token
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.guild_id = guild_id
        self.channel_ids = tuple(channel_ids)
        self.channel_id = self.channel_ids[0]
        self.attachment_size_limit = attachment_size_limit

        self.requests: list[Recorded] = []
        self.unhandled: list[Recorded] = []
        # Exchanges that break Discord's OpenAPI spec (see spec.py); tests fail on any.
        self.check_spec = check_spec
        self._violations: list[Violation] = []
        self._unchecked: list[Recorded] = []  # answers whose spec check is still to run
        self.gateway_received: list[JsonObject] = []  # every frame the bot sent on the gateway
        self.gateway_sent: list[JsonObject] = []  # every frame the fake sent
        self.identify_payloads: list[JsonObject] = []
        # Guilds by id; the first is the default one that guild_id / channel_ids describe.
        self.guilds: dict[int, FakeGuild] = {
            guild_id: FakeGuild(guild_id, "Fake Guild", list(self.channel_ids))
        }
        self._channel_guild: dict[int, int] = {cid: guild_id for cid in self.channel_ids}
        self.roles: list[JsonObject] = self.guilds[guild_id].roles
        # Channel faults and permissions (see channels.py).
        self._deleted: set[int] = set()
        self._outages: dict[int, _Outage] = {}
        self._channel_permissions: dict[int, int] = {}
        self._dm_channels: dict[int, int] = {}  # DM channel id -> recipient user id
        self._closed_dms: set[int] = set()
        # Answers the next refresh-urls requests give instead of fresh links (see cdn.py).
        self._refresh_faults: list[int] = []
        # Gateway sharding: GET /gateway/bot answers this; events go to the guild's shard.
        self.shard_count = 1
        # What the bot may do in the channel, as Discord reports it with each interaction.
        self.app_permissions = ALL_BUT_ADMIN
        self.gateway_connections = 0
        self.interactions: dict[int, FakeInteraction] = {}
        self.ephemeral_messages: list[JsonObject] = []
        self.followup_delay_s = 0.0  # see InteractionsMixin.slow_followups

        self._offset = 0.0
        self._last_snowflake = 0
        self._secret = secrets.token_bytes(16)
        self._changed = asyncio.Event()
        self._ready = asyncio.Event()
        self._messages: dict[int, JsonObject] = {}
        self._channel_order: dict[int, list[int]] = {cid: [] for cid in self.channel_ids}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._blobs: dict[str, bytes] = {}
        # Commands by guild id (None: the global ones).
        self._commands: dict[int | None, list[JsonObject]] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        # What servers' admins allowed in Integrations, by (guild id, command name): role and
        # user ids that may use a command its default permissions hide from them.
        self._command_overrides: dict[tuple[int, str], set[int]] = {}
        self._users: dict[int, JsonObject] = {}
        self._sessions: dict[str, GatewaySession] = {}  # by session id
        self._all_ws: set[web.WebSocketResponse] = set()
        self._ws_lock = asyncio.Lock()
        # Cleared by hold_gateway: new gateway connections wait for it before their HELLO.
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        self._runner: web.AppRunner | None = None
        self.port = 0  # set by start()

        self.bot_user: JsonObject = {
            "id": str(bot_user_id),
            "username": "r2v-bot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        self._users[bot_user_id] = self.bot_user
        self.default_user = self.make_user(name="alice")

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for discord.http.Route.BASE."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for DiscordWebSocket.DEFAULT_GATEWAY (as yarl.URL)."""
        return f"ws://127.0.0.1:{self.port}/"

    def now(self) -> float:
        """Fake monotonic clock used for every time limit."""
        return time.monotonic() + self._offset

    def wall(self) -> float:
        """Fake wall clock (unix seconds) used for timestamps, snowflakes and URL expiry."""
        return time.time() + self._offset

    def advance(self, seconds: float = 0.0, *, days: float = 0.0) -> None:
        """Move the fake clock forward (`advance(days=30)`: a month later, every attachment
        link signed before then has expired)."""
        self._offset += seconds + days * 86400
        self._bump()

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5,
        *,
        what: str | None = None,
    ) -> Any:
        """Wait until predicate() is truthy; re-checked on every request/event (and every 50 ms)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:]]
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what or predicate!r}; "
                    f"last requests: {last}; unhandled: {[r.path for r in self.unhandled]}"
                )
            # The 50 ms poll catches state that changes outside the fake (e.g. bot.is_ready()).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def wait_ready(self, timeout: float = 10) -> None:
        """Wait until the bot has IDENTIFYed and been sent READY."""
        await self.wait_for(self._ready.is_set, timeout, what="the bot to IDENTIFY")

    def snowflake(self) -> int:
        """A new, strictly increasing snowflake whose timestamp follows the fake clock."""
        value = (int(self.wall() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_snowflake = max(value, self._last_snowflake + 1)
        return self._last_snowflake

    def _iso(self) -> str:
        return dt.datetime.fromtimestamp(self.wall(), dt.UTC).isoformat()

    if TYPE_CHECKING:
        # guilds.py
        def make_user(
            self,
            user_id: int | None = None,
            name: str = "alice",
            *,
            roles: tuple[int, ...] | list[int] = (),
            permissions: str = ALL_BUT_ADMIN,
        ) -> JsonObject: ...

        def bot_member(self) -> JsonObject: ...

        def guild_of(self, channel_id: int) -> FakeGuild | None: ...

        def channel_object(self, channel_id: int) -> JsonObject: ...

        def guild_object(self, guild_id: int | None = None) -> JsonObject: ...

        # channels.py
        def permissions_in(self, channel_id: int) -> int: ...

        def _channel_gate(
            self, channel_id: int, action: Action, *, uploading: bool = False
        ) -> web.Response | None: ...

        def _history_hidden(self, channel_id: int) -> bool: ...

        # messages.py
        def messages(self, channel_id: int | None = None) -> list[JsonObject]: ...

        def get_message(self, message_id: int | str) -> JsonObject | None: ...

        @staticmethod
        def public(message: JsonObject) -> JsonObject: ...

        def _new_message(
            self,
            channel_id: int,
            payload: JsonObject,
            *,
            author: JsonObject,
            attachments: list[JsonObject],
            interaction: FakeInteraction | None = None,
            ephemeral: bool = False,
            message_id: int | None = None,
            msg_type: int | None = None,
        ) -> JsonObject: ...

        def _edit_message(
            self, record: JsonObject, payload: JsonObject, uploads: list[_Upload]
        ) -> None: ...

        def _validate(
            self, payload: JsonObject, uploads: list[_Upload], limit: int, *, creating: bool
        ) -> web.Response | None: ...

        # cdn.py
        def _attachments_for(
            self,
            channel_id: int,
            payload: JsonObject,
            uploads: list[_Upload],
            existing: list[JsonObject] | None = None,
        ) -> list[JsonObject]: ...

        def _fresh_links(self, message: JsonObject) -> JsonObject: ...

        def _forget_attachments(self, message: JsonObject) -> None: ...

        # commands.py
        def _find_command(
            self, name: str, ctype: int, guild_id: int | None = None
        ) -> JsonObject: ...

        def _check_may_use(self, cmd: JsonObject, member: JsonObject, guild_id: int) -> None: ...

        # gateway.py
        async def _dispatch(
            self,
            event: str,
            data: JsonObject,
            *,
            guild_id: int | None = None,
            session: GatewaySession | None = None,
        ) -> None: ...

        def connected_to(self, guild_id: int) -> bool: ...
