"""A Discord of our own on 127.0.0.1: REST + gateway for a real discord.py bot.

See /work/shared/testing/FAKE_DISCORD.md. The fake answers as Discord does (status codes,
error codes, Content-Type) and enforces the limits that real bots trip over: the 3 s first
response, the 15 min interaction token, 2000-character content, upload size, and signed,
expiring attachment URLs. Everything the bot sends is recorded so tests can assert on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import json
import mimetypes
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import discord
import yarl
from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
CALLBACK_WINDOW = 3.0  # seconds to send the first interaction callback
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token accepts webhook calls
ATTACHMENT_URL_LIFETIME = 24 * 3600  # seconds a signed attachment URL stays valid
NONCE_WINDOW = 5 * 60.0  # seconds during which enforce_nonce deduplicates
EPHEMERAL = 1 << 6
LOADING = 1 << 7
ALL_BUT_ADMIN = str(discord.Permissions.all().value & ~discord.Permissions.administrator.flag)

# Keys we keep on stored messages for tests; Discord never sends them, so the bot never sees them.
_PRIVATE_KEYS = ("edits", "allowed_mentions", "interaction_id", "ephemeral", "deleted")


class FakeDiscordError(AssertionError):
    """Raised when a test drives the fake in a way Discord's client would not allow."""


@dataclass
class Recorded:
    """One HTTP request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[tuple[str, int, str]]
    headers: dict[str, str]
    at: float
    status: int | None = None
    response: Any = None


@dataclass
class _Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class FakeInteraction:
    """An interaction the fake sent to the bot, with every callback/webhook call made for it."""

    fake: FakeDiscord = field(repr=False)
    id: int
    token: str
    kind: int  # 2 command, 3 component, 5 modal submit
    user: dict
    channel_id: int
    created_at: float
    attachment_size_limit: int
    payload: dict = field(repr=False)
    message_id: int | None = None  # component interactions: the message the component is on
    responses: list[dict] = field(default_factory=list)
    callback_type: int | None = None
    callback_flags: int = 0
    modal: dict | None = None
    original_id: int | None = None
    original_created: bool = False

    @property
    def deferred(self) -> bool:
        """True when the accepted first callback was a defer (type 5 or 6)."""
        return self.callback_type in (5, 6)

    @property
    def ephemeral(self) -> bool:
        """True when the accepted first callback carried the ephemeral flag (64)."""
        return bool(self.callback_flags & EPHEMERAL)

    @property
    def acknowledged(self) -> bool:
        """True once a callback was accepted."""
        return self.callback_type is not None

    @property
    def original_message(self) -> dict | None:
        """The @original response message, once it exists."""
        if self.original_id is None or not self.original_created:
            return None
        return self.fake.get_message(self.original_id)

    async def wait_response(self, timeout: float = 5) -> dict:
        """Wait for the first callback request (accepted or not) and return its record."""
        await self.fake.wait_for(
            lambda: any(r["kind"] == "callback" for r in self.responses),
            timeout,
            what=f"a callback for interaction {self.id}",
        )
        return next(r for r in self.responses if r["kind"] == "callback")

    async def wait_private(self, timeout: float = 5) -> dict:
        """Wait for the first message of this interaction that only the user sees (an ephemeral
        response or follow-up, not deleted); return it."""

        def first() -> dict | None:
            for message in self.fake.ephemeral_messages:
                if message.get("interaction_id") == self.id and not message.get("deleted"):
                    return message
            return None

        await self.fake.wait_for(
            lambda: first() is not None, timeout, what=f"a private answer to {self.id}"
        )
        result = first()
        assert result is not None
        return result

    async def wait_public(self, timeout: float = 5) -> dict:
        """Wait for the first message of this interaction that everyone in the channel sees
        (not ephemeral, not deleted); return it."""

        def first() -> dict | None:
            for r in self.responses:
                made = r["status"] is not None and r["status"] < 300 and r["message_id"]
                message = self.fake.get_message(r["message_id"]) if made else None
                if message and not message.get("ephemeral") and not message.get("deleted"):
                    return message
            return None

        await self.fake.wait_for(
            lambda: first() is not None, timeout, what=f"a public message of {self.id}"
        )
        result = first()
        assert result is not None
        return result

    async def wait_followup(self, timeout: float = 5) -> dict:
        """Wait for the first message made by a webhook follow-up or @original edit; return it."""

        def first() -> dict | None:
            for r in self.responses:
                made = r["status"] is not None and r["status"] < 300 and r["message_id"]
                if r["kind"] == "webhook" and r["method"] in ("POST", "PATCH") and made:
                    return self.fake.get_message(r["message_id"])
            return None

        await self.fake.wait_for(
            lambda: first() is not None, timeout, what=f"a follow-up for interaction {self.id}"
        )
        result = first()
        assert result is not None
        return result


def _json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py reads a body with a charset suffix as plain text.
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def _error(status: int, code: int, message: str, errors: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return _json_response(body, status)


def _form_error(path: str, code: str, message: str) -> web.Response:
    return _error(
        400, 50035, "Invalid Form Body", {path: {"_errors": [{"code": code, "message": message}]}}
    )


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def _find_components(components: list[dict], predicate: Callable[[dict], bool]) -> list[dict]:
    found = []
    for comp in components or []:
        if predicate(comp):
            found.append(comp)
        found.extend(_find_components(comp.get("components", []), predicate))
        if isinstance(comp.get("component"), dict):
            found.extend(_find_components([comp["component"]], predicate))
        if isinstance(comp.get("accessory"), dict):
            found.extend(_find_components([comp["accessory"]], predicate))
    return found


class FakeDiscord:
    """REST API + gateway websocket on one 127.0.0.1 port, enough for a real discord.py bot."""

    def __init__(
        self,
        *,
        bot_token: str = "fake-bot-token",
        app_id: int = 1100000000000000001,
        bot_user_id: int = 1100000000000000002,
        guild_id: int = 1100000000000000003,
        channel_ids: tuple[int, ...] = (1100000000000000004, 1100000000000000005),
        attachment_size_limit: int = 10 * 1024 * 1024,
    ) -> None:
        self.bot_token = bot_token
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.guild_id = guild_id
        self.channel_ids = tuple(channel_ids)
        self.channel_id = self.channel_ids[0]
        self.attachment_size_limit = attachment_size_limit

        self.requests: list[Recorded] = []
        self.unhandled: list[Recorded] = []
        self.gateway_received: list[dict] = []  # every frame the bot sent on the gateway
        self.gateway_sent: list[dict] = []  # every frame the fake sent
        self.identify_payloads: list[dict] = []
        self.roles: list[dict] = []
        # What the bot may do in the channel, as Discord reports it with each interaction.
        self.app_permissions = ALL_BUT_ADMIN
        self.gateway_connections = 0
        self.interactions: dict[int, FakeInteraction] = {}
        self.ephemeral_messages: list[dict] = []

        self._offset = 0.0
        self._last_snowflake = 0
        self._secret = secrets.token_bytes(16)
        self._changed = asyncio.Event()
        self._ready = asyncio.Event()
        self._messages: dict[int, dict] = {}
        self._channel_order: dict[int, list[int]] = {cid: [] for cid in self.channel_ids}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._blobs: dict[str, bytes] = {}
        self._commands: dict[int | None, list[dict]] = {}  # guild id (None = global) -> commands
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._users: dict[int, dict] = {}
        self._ws: web.WebSocketResponse | None = None
        self._all_ws: set[web.WebSocketResponse] = set()
        self._ws_lock = asyncio.Lock()
        self._seq = 0
        self._session_id: str | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

        self.bot_user = {
            "id": str(bot_user_id),
            "username": "r2v-bot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "public_flags": 0,
            "flags": 0,
        }
        self._users[bot_user_id] = self.bot_user
        self.default_user = self.make_user(name="alice")

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the server on a random 127.0.0.1 port."""
        # Big uploads must reach our own size check (413 code 40005), not aiohttp's 1 MiB cap.
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        for ws in list(self._all_ws):
            with contextlib.suppress(Exception):
                await ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

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

    # ------------------------------------------------------------------ clock & waiting

    def now(self) -> float:
        """Fake monotonic clock used for every time limit."""
        return time.monotonic() + self._offset

    def wall(self) -> float:
        """Fake wall clock (unix seconds) used for timestamps, snowflakes and URL expiry."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward."""
        self._offset += seconds
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

    # ------------------------------------------------------------------ ids, users, objects

    def snowflake(self) -> int:
        """A new, strictly increasing snowflake whose timestamp follows the fake clock."""
        value = (int(self.wall() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_snowflake = max(value, self._last_snowflake + 1)
        return self._last_snowflake

    def _iso(self) -> str:
        return dt.datetime.fromtimestamp(self.wall(), dt.UTC).isoformat()

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
            "type": 0,
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

    def _sign(self, path: str) -> str:
        issued = int(self.wall())
        expires = issued + ATTACHMENT_URL_LIFETIME
        query = f"ex={expires:x}&is={issued:x}"
        mac = hmac.new(self._secret, f"{path}?{query}".encode(), hashlib.sha256).hexdigest()
        return f"{self.base_url}{path}?{query}&hm={mac}"

    def _store_blob(
        self,
        channel_id: int,
        filename: str,
        content_type: str,
        data: bytes,
        *,
        size: int | None = None,
        width: int | None = None,
        height: int | None = None,
        description: str | None = None,
    ) -> dict:
        att_id = self.snowflake()
        path = f"/attachments/{channel_id}/{att_id}/{quote(filename)}"
        self._blobs[path] = data
        url = self._sign(path)
        att = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
            "width": width,
            "height": height,
        }
        if description is not None:
            att["description"] = description
        return att

    def add_attachment(
        self,
        filename: str,
        content_type: str,
        size: int,
        *,
        width: int | None = None,
        height: int | None = None,
        data: bytes = b"",
        channel_id: int | None = None,
    ) -> dict:
        """A user-uploaded attachment object with a signed URL served by the fake (24 h)."""
        return self._store_blob(
            channel_id or self.channel_id,
            filename,
            content_type,
            data,
            size=size,
            width=width,
            height=height,
        )

    # ------------------------------------------------------------------ messages

    def messages(self, channel_id: int | None = None) -> list[dict]:
        """Non-ephemeral, non-deleted messages in a channel, oldest first."""
        cid = channel_id or self.channel_id
        return [
            self._messages[mid]
            for mid in self._channel_order.get(cid, [])
            if not self._messages[mid].get("deleted")
        ]

    def get_message(self, message_id: int | str) -> dict | None:
        """Any stored message (ephemeral and deleted ones too), by id."""
        return self._messages.get(int(message_id))

    @staticmethod
    def public(message: dict) -> dict:
        """The message as Discord would send it (our bookkeeping keys removed)."""
        out = {k: v for k, v in message.items() if k not in _PRIVATE_KEYS}
        # Discord omits these when unset, and discord.py calls .get() on them when present.
        for key in ("message_reference", "referenced_message"):
            if out.get(key) is None:
                out.pop(key, None)
        return out

    def post_user_message(
        self,
        channel_id: int | None,
        content: str,
        *,
        attachments: tuple[dict, ...] | list[dict] = (),
        user: dict | None = None,
    ) -> dict:
        """Put a user's message into a channel's history (no gateway event)."""
        member = user or self.default_user
        record = self._new_message(
            channel_id or self.channel_id,
            {"content": content},
            author=member["user"],
            attachments=list(attachments),
        )
        self._bump()
        return record

    def _new_message(
        self,
        channel_id: int,
        payload: dict,
        *,
        author: dict,
        attachments: list[dict],
        interaction: FakeInteraction | None = None,
        ephemeral: bool = False,
        message_id: int | None = None,
        msg_type: int | None = None,
    ) -> dict:
        mid = message_id or self.snowflake()
        flags = int(payload.get("flags") or 0)
        if ephemeral:
            flags |= EPHEMERAL
        else:
            flags &= ~EPHEMERAL
        reference = payload.get("message_reference")
        referenced = None
        if reference and reference.get("message_id"):
            found = self.get_message(reference["message_id"])
            # Discord answers with a complete reference whose ids are strings.
            reference = {
                "type": reference.get("type", 0),
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
                "guild_id": str(reference.get("guild_id") or self.guild_id),
            }
            if found is not None:
                referenced = self.public({**found, "referenced_message": None})
        if msg_type is None:
            msg_type = 19 if referenced else 0
        record: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author,
            "content": payload.get("content") or "",
            "timestamp": self._iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": msg_type,
            "flags": flags,
            "nonce": payload.get("nonce"),
            "message_reference": reference,
            "allowed_mentions": payload.get("allowed_mentions"),
            "interaction_id": interaction.id if interaction else None,
            "ephemeral": ephemeral,
            "edits": [],
        }
        if referenced is not None:
            record["referenced_message"] = referenced
        if interaction is not None:
            record["webhook_id"] = str(self.app_id)
            record["application_id"] = str(self.app_id)
        self._fill_mentions(record)
        self._messages[mid] = record
        if ephemeral:
            self.ephemeral_messages.append(record)
        else:
            self._channel_order.setdefault(channel_id, []).append(mid)
        return record

    def _edit_message(self, record: dict, payload: dict, uploads: list[_Upload]) -> None:
        before = {k: copy.deepcopy(record[k]) for k in ("content", "embeds", "components")}
        before["attachments"] = list(record["attachments"])
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in payload:
                record[key] = payload[key] if payload[key] is not None else empty
        if "allowed_mentions" in payload:
            record["allowed_mentions"] = payload["allowed_mentions"]
        if "flags" in payload and payload["flags"] is not None:
            # Only suppress-embeds can change on edit; ephemeral/loading stay as they were.
            keep = record["flags"] & (EPHEMERAL | LOADING)
            record["flags"] = (int(payload["flags"]) & ~(EPHEMERAL | LOADING)) | keep
        record["attachments"] = self._attachments_for(
            int(record["channel_id"]), payload, uploads, existing=record["attachments"]
        )
        record["flags"] &= ~LOADING
        record["edited_timestamp"] = self._iso()
        record["edits"].append({"at": self.now(), "before": before, "payload": payload})
        self._fill_mentions(record)

    def _attachments_for(
        self,
        channel_id: int,
        payload: dict,
        uploads: list[_Upload],
        existing: list[dict] | None = None,
    ) -> list[dict]:
        meta = {str(a.get("id")): a for a in payload.get("attachments") or []}
        kept: list[dict] = []
        if existing:
            # On edit, "attachments" lists the ones to keep; absent means keep them all.
            kept = (
                [a for a in existing if str(a["id"]) in meta]
                if "attachments" in payload
                else list(existing)
            )
        for upload in uploads:
            index = upload.field.removeprefix("files[").removesuffix("]")
            extra = meta.get(index, {})
            kept.append(
                self._store_blob(
                    channel_id,
                    upload.filename,
                    upload.content_type,
                    upload.data,
                    description=extra.get("description"),
                )
            )
        return kept

    def _fill_mentions(self, record: dict) -> None:
        who = self.pinged(record)
        record["mention_everyone"] = who["everyone"]
        record["mentions"] = [self._users[u] for u in sorted(who["users"]) if u in self._users]
        record["mention_roles"] = [str(r) for r in sorted(who["roles"])]

    def pinged(self, message: dict) -> dict:
        """Who this message notifies under Discord's allowed_mentions rules (embeds never ping)."""
        content = message.get("content") or ""
        everyone = "@everyone" in content or "@here" in content
        users = {int(u) for u in re.findall(r"<@!?(\d+)>", content)}
        roles = {int(r) for r in re.findall(r"<@&(\d+)>", content)}
        replied: int | None = None
        ref = message.get("message_reference")
        if ref and ref.get("message_id"):
            target = self.get_message(ref["message_id"])
            if target is not None:
                replied = int(target["author"]["id"])
        allowed = message.get("allowed_mentions")
        if allowed is None:
            # Without allowed_mentions all of the content pings, and so does a reply.
            if replied is not None:
                users.add(replied)
            return {"everyone": everyone, "users": users, "roles": roles}
        parse = allowed.get("parse") or []
        everyone = everyone and "everyone" in parse
        if "users" not in parse:
            users &= {int(u) for u in allowed.get("users") or []}
        if "roles" not in parse:
            roles &= {int(r) for r in allowed.get("roles") or []}
        if replied is not None and allowed.get("replied_user", False):
            users.add(replied)
        return {"everyone": everyone, "users": users, "roles": roles}

    # ------------------------------------------------------------------ commands

    @property
    def registered_commands(self) -> list[dict]:
        """Every command the bot registered (guild commands first, then global ones)."""
        out: list[dict] = []
        for gid in sorted(self._commands, key=lambda g: g is None):
            out.extend(self._commands[gid])
        return out

    def _put_commands(self, guild_id: int | None, body: list[dict]) -> list[dict]:
        stored = []
        for cmd in body:
            ctype = int(cmd.get("type", 1))
            key = (guild_id, cmd["name"], ctype)
            # Discord keeps a command's id across overwrites when name and type stay the same.
            cid = self._command_ids.setdefault(key, self.snowflake())
            # Discord fills the fields a client may leave out (context menus send no description).
            entry = {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": str(cid),
                "application_id": str(self.app_id),
                "version": str(self.snowflake()),
                "type": ctype,
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        self._commands[guild_id] = stored
        return stored

    def _find_command(self, name: str, ctype: int) -> dict:
        for cmd in self._commands.get(self.guild_id, []) + self._commands.get(None, []):
            if cmd["name"] == name and cmd["type"] == ctype:
                return cmd
        known = [(c["name"], c["type"]) for c in self.registered_commands]
        raise FakeDiscordError(f"no registered command {name!r} of type {ctype}; have {known}")

    # ------------------------------------------------------------------ interactions

    def _interaction(
        self,
        kind: int,
        data: dict,
        *,
        user: dict | None,
        channel_id: int | None,
        attachment_size_limit: int | None,
        message: dict | None = None,
    ) -> FakeInteraction:
        member = user or self.default_user
        cid = channel_id or self.channel_id
        iid = self.snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        limit = attachment_size_limit or self.attachment_size_limit
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild_id),
            "channel_id": str(cid),
            "channel": {**self.channel_object(cid), "permissions": member["permissions"]},
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": self.app_permissions,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": limit,
        }
        if message is not None:
            payload["message"] = message
        it = FakeInteraction(
            fake=self,
            id=iid,
            token=token,
            kind=kind,
            user=member,
            channel_id=cid,
            created_at=self.now(),
            attachment_size_limit=limit,
            payload=payload,
            message_id=int(message["id"]) if message else None,
        )
        self.interactions[iid] = it
        return it

    def _option_value(self, schema: dict, value: Any, resolved: dict) -> Any:
        otype = schema["type"]
        if otype == 11:
            att = value if isinstance(value, dict) else None
            if att is None:
                raise FakeDiscordError(f"option {schema['name']!r} needs an attachment dict")
            resolved.setdefault("attachments", {})[str(att["id"])] = att
            return str(att["id"])
        if otype in (6, 9) and isinstance(value, dict):
            user = value.get("user", value)
            resolved.setdefault("users", {})[str(user["id"])] = user
            if "user" in value:
                member = {k: v for k, v in value.items() if k != "user"}
                resolved.setdefault("members", {})[str(user["id"])] = member
            return str(user["id"])
        if otype == 7:
            cid = int(value)
            channel = {**self.channel_object(cid), "permissions": ALL_BUT_ADMIN}
            resolved.setdefault("channels", {})[str(cid)] = channel
            return str(cid)
        if otype == 4 and not isinstance(value, int):
            raise FakeDiscordError(f"option {schema['name']!r} is an integer, got {value!r}")
        if otype == 5 and not isinstance(value, bool):
            raise FakeDiscordError(f"option {schema['name']!r} is a boolean, got {value!r}")
        if otype == 3 and not isinstance(value, str):
            raise FakeDiscordError(f"option {schema['name']!r} is a string, got {value!r}")
        if otype in (6, 8, 9):
            return str(value)
        return value

    async def invoke(
        self,
        command: str,
        options: dict | None = None,
        *,
        attachments: dict[str, dict] | None = None,
        user: dict | None = None,
        channel_id: int | None = None,
        attachment_size_limit: int | None = None,
    ) -> FakeInteraction:
        """Send a slash command (e.g. "r2v generate" or "ping") as INTERACTION_CREATE type 2."""
        parts = command.split()
        cmd = self._find_command(parts[0], 1)
        given = {**(options or {}), **(attachments or {})}
        schemas = cmd.get("options") or []
        nest: list[dict] = []  # subcommand group / subcommand wrappers, outermost first
        for part in parts[1:]:
            sub = next((o for o in schemas if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise FakeDiscordError(f"{command!r}: no subcommand {part!r} in {cmd['name']!r}")
            nest.append({"type": sub["type"], "name": part})
            schemas = sub.get("options") or []
        resolved: dict[str, dict] = {}
        leaf: list[dict] = []
        by_name = {o["name"]: o for o in schemas}
        for name, value in given.items():
            if name not in by_name:
                raise FakeDiscordError(f"{command!r} has no option {name!r}; has {list(by_name)}")
            if value is None:
                continue
            schema = by_name[name]
            leaf.append(
                {
                    "name": name,
                    "type": schema["type"],
                    "value": self._option_value(schema, value, resolved),
                }
            )
        missing = [o["name"] for o in schemas if o.get("required") and given.get(o["name"]) is None]
        if missing:
            raise FakeDiscordError(f"{command!r}: Discord's client requires options {missing}")
        opts = leaf
        for wrapper in reversed(nest):
            opts = [{**wrapper, "options": opts}]
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": opts,
        }
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        it = self._interaction(
            2,
            data,
            user=user,
            channel_id=channel_id,
            attachment_size_limit=attachment_size_limit,
        )
        await self._dispatch("INTERACTION_CREATE", it.payload)
        return it

    async def invoke_message_command(
        self, name: str, target_message: dict, *, user: dict | None = None
    ) -> FakeInteraction:
        """Send a message context-menu command (command type 3) targeting a message."""
        cmd = self._find_command(name, 3)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": name,
            "type": 3,
            "target_id": str(target_message["id"]),
            "resolved": {"messages": {str(target_message["id"]): self.public(target_message)}},
        }
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        it = self._interaction(
            2,
            data,
            user=user,
            channel_id=int(target_message["channel_id"]),
            attachment_size_limit=None,
        )
        await self._dispatch("INTERACTION_CREATE", it.payload)
        return it

    async def click(
        self,
        message_id: int | str,
        custom_id: str,
        *,
        user: dict | None = None,
        values: list[str] | None = None,
    ) -> FakeInteraction:
        """Click a button (or pick select `values`) on a message: INTERACTION_CREATE type 3."""
        message = self.get_message(message_id)
        if message is None or message.get("deleted"):
            raise FakeDiscordError(f"no message {message_id}")
        matches = _find_components(message["components"], lambda c: c.get("custom_id") == custom_id)
        if not matches:
            raise FakeDiscordError(f"message {message_id} has no component {custom_id!r}")
        comp = matches[0]
        if comp.get("disabled"):
            raise FakeDiscordError(f"component {custom_id!r} is disabled: it cannot be clicked")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] != 2:
            data["values"] = list(values or [])
        it = self._interaction(
            3,
            data,
            user=user,
            channel_id=int(message["channel_id"]),
            attachment_size_limit=None,
            message=self.public(message),
        )
        await self._dispatch("INTERACTION_CREATE", it.payload)
        return it

    async def submit_modal(
        self, interaction: FakeInteraction, values: dict[str, str], *, user: dict | None = None
    ) -> FakeInteraction:
        """Submit the modal `interaction` was answered with: INTERACTION_CREATE type 5."""
        modal = interaction.modal
        if modal is None:
            raise FakeDiscordError(f"interaction {interaction.id} was not answered with a modal")
        remaining = dict(values)

        def answer(comp: dict) -> dict | None:
            if comp.get("type") == 4:
                cid = comp["custom_id"]
                if cid not in remaining and comp.get("required", True):
                    raise FakeDiscordError(f"modal text input {cid!r} is required")
                value = remaining.pop(cid, "")
                return {"type": 4, "id": comp.get("id"), "custom_id": cid, "value": value}
            if comp.get("type") == 1:
                inner = [a for a in map(answer, comp.get("components", [])) if a]
                return {"type": 1, "id": comp.get("id"), "components": inner} if inner else None
            if comp.get("type") == 18:
                inner_answer = answer(comp["component"])
                if inner_answer is None:
                    return None
                return {"type": 18, "id": comp.get("id"), "component": inner_answer}
            return None

        components = [a for a in map(answer, modal.get("components", [])) if a]
        if remaining:
            raise FakeDiscordError(f"modal has no text inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        message = None
        if interaction.message_id is not None:
            found = self.get_message(interaction.message_id)
            message = self.public(found) if found else None
        it = self._interaction(
            5,
            data,
            user=user or interaction.user,
            channel_id=interaction.channel_id,
            attachment_size_limit=interaction.attachment_size_limit,
            message=message,
        )
        await self._dispatch("INTERACTION_CREATE", it.payload)
        return it

    # ------------------------------------------------------------------ gateway

    async def _send(self, ws: web.WebSocketResponse, frame: dict) -> None:
        async with self._ws_lock:
            self.gateway_sent.append(frame)
            await ws.send_str(json.dumps(frame))

    async def _dispatch(self, event: str, data: dict) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise FakeDiscordError(f"cannot send {event}: no bot is connected to the gateway")
        self._seq += 1
        await self._send(ws, {"op": 0, "t": event, "s": self._seq, "d": data})
        self._bump()

    @property
    def connected(self) -> bool:
        """True while a bot holds an identified (or resumed) gateway connection."""
        return self._ws is not None and not self._ws.closed

    async def dispatch_event(self, event: str, data: dict) -> None:
        """Send any gateway DISPATCH event to the connected bot."""
        await self._dispatch(event, data)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's gateway connection (the bot will reconnect and RESUME)."""
        if self._ws is not None:
            await self._ws.close(code=code)

    def _guild_create(self) -> dict:
        members = [self.bot_member()]
        return {
            **self.guild_object(),
            "unavailable": False,
            "large": False,
            "member_count": len(members),
            "joined_at": self._iso(),
            "channels": [self.channel_object(cid) for cid in self.channel_ids],
            "members": members,
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections += 1
        self._all_ws.add(ws)
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_received.append(frame)
                await self._on_frame(ws, frame)
                self._bump()
        finally:
            self._all_ws.discard(ws)
            if self._ws is ws:
                self._ws = None
            self._bump()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            await self._send(ws, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self.identify_payloads.append(d)
            self._ws = ws
            self._seq = 0
            self._session_id = secrets.token_hex(16)
            ready = {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": self._session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "session_type": "normal",
                "shard": (d or {}).get("shard") or [0, 1],
            }
            await self._dispatch("READY", ready)
            self._ready.set()
            await self._dispatch("GUILD_CREATE", self._guild_create())
        elif op == 6:
            if d and d.get("session_id") == self._session_id:
                self._ws = ws
                await self._dispatch("RESUMED", {})
            else:
                # Unknown session: Discord answers "invalid session, not resumable".
                await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
        elif op == 8:
            chunk = {
                "guild_id": str(self.guild_id),
                "members": [self.bot_member()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": (d or {}).get("nonce"),
            }
            if self._ws is ws:
                await self._dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/" and request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        payload, uploads = await self._read_body(request)
        rec = Recorded(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            json=payload,
            files=[(u.filename, len(u.data), u.content_type) for u in uploads],
            headers=dict(request.headers),
            at=self.now(),
        )
        self.requests.append(rec)
        try:
            response = await self._route(request, rec, payload, uploads)
        finally:
            self._bump()
        rec.status = response.status
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(ValueError, TypeError):
                rec.response = json.loads(response.body)  # type: ignore[arg-type]
        self._bump()
        return response

    async def _read_body(self, request: web.Request) -> tuple[Any, list[_Upload]]:
        uploads: list[_Upload] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                data = await part.read(decode=False)  # type: ignore[union-attr]
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.filename is not None:
                    ctype = part.headers.get("Content-Type", "application/octet-stream")
                    if ctype == "application/octet-stream":
                        # discord.py labels every file octet-stream; Discord sniffs the real type.
                        ctype = mimetypes.guess_type(part.filename)[0] or ctype
                    uploads.append(_Upload(part.name or "", part.filename, ctype, bytes(data)))
            return payload, uploads
        raw = await request.read()
        if not raw:
            return None, uploads
        try:
            return json.loads(raw), uploads
        except ValueError:
            return raw.decode(errors="replace"), uploads

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.bot_token}"

    async def _route(
        self, request: web.Request, rec: Recorded, payload: Any, uploads: list[_Upload]
    ) -> web.Response:
        path, method = request.path, request.method
        if path.startswith("/attachments/"):
            return self._serve_attachment(request)
        if not path.startswith("/api/v10/"):
            self.unhandled.append(rec)
            return _error(404, 0, "404: Not Found")
        sub = path[len("/api/v10") :]
        for route_method, pattern, handler, needs_auth in self._routes():
            match = re.fullmatch(pattern, sub)
            if match is None or route_method != method:
                continue
            if needs_auth and not self._authorized(request):
                return _error(401, 0, "401: Unauthorized")
            return await handler(request, payload or {}, uploads, *match.groups())
        self.unhandled.append(rec)
        return _error(404, 0, "404: Not Found")

    def _routes(self) -> list[tuple[str, str, Callable[..., Any], bool]]:
        snow = r"(\d+)"
        hook = r"/webhooks/(\d+)/([^/]+)"
        hook_msg = hook + r"/messages/(@original|\d+)"
        return [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", rf"/users/{snow}", self._get_user, True),
            ("GET", r"/oauth2/applications/@me", self._get_app, True),
            ("GET", r"/applications/@me", self._get_app, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", rf"/applications/{snow}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{snow}/commands", self._put_commands_route, True),
            ("GET", rf"/applications/{snow}/guilds/{snow}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{snow}/guilds/{snow}/commands", self._put_commands_route, True),  # noqa: E501
            ("POST", rf"/interactions/{snow}/([^/]+)/callback", self._callback, False),
            ("POST", hook, self._webhook_post, False),
            ("GET", hook_msg, self._webhook_get, False),
            ("PATCH", hook_msg, self._webhook_patch, False),
            ("DELETE", hook_msg, self._webhook_delete, False),
            ("GET", rf"/channels/{snow}", self._get_channel, True),
            ("POST", rf"/channels/{snow}/typing", self._typing, True),
            ("GET", rf"/channels/{snow}/messages", self._history, True),
            ("POST", rf"/channels/{snow}/messages", self._channel_post, True),
            ("GET", rf"/channels/{snow}/messages/{snow}", self._channel_get_message, True),
            ("PATCH", rf"/channels/{snow}/messages/{snow}", self._channel_patch, True),
            ("DELETE", rf"/channels/{snow}/messages/{snow}", self._channel_delete, True),
            ("GET", rf"/guilds/{snow}", self._get_guild, True),
            ("GET", rf"/guilds/{snow}/channels", self._get_guild_channels, True),
            ("GET", rf"/guilds/{snow}/roles", self._get_roles, True),
            ("GET", rf"/guilds/{snow}/members/{snow}", self._get_member, True),
            ("POST", r"/attachments/refresh-urls", self._refresh_urls, True),
        ]  # fmt: skip

    # ------------------------------------------------------------------ REST handlers

    async def _get_me(self, request, payload, uploads) -> web.Response:
        return _json_response(self.bot_user)

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
                "team": None,
                "bot": self.bot_user,
                "summary": "",
            }
        )

    async def _get_gateway(self, request, payload, uploads) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request, payload, uploads) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    def _wrong_app(self, app: str) -> web.Response | None:
        return None if int(app) == self.app_id else _error(403, 50001, "Missing Access")

    async def _get_commands(self, request, payload, uploads, app, guild=None) -> web.Response:
        if (err := self._wrong_app(app)) is not None:
            return err
        return _json_response(self._commands.get(int(guild) if guild else None, []))

    async def _put_commands_route(self, request, payload, uploads, app, guild=None):
        if (err := self._wrong_app(app)) is not None:
            return err
        if guild is not None and int(guild) != self.guild_id:
            return _error(403, 50001, "Missing Access")
        if not isinstance(payload, list):
            return _form_error("_root", "LIST_TYPE_CONVERT", "Must be a list.")
        return _json_response(self._put_commands(int(guild) if guild else None, payload))

    async def _get_channel(self, request, payload, uploads, cid) -> web.Response:
        if int(cid) not in self.channel_ids:
            return _error(404, 10003, "Unknown Channel")
        return _json_response(self.channel_object(int(cid)))

    async def _typing(self, request, payload, uploads, cid) -> web.Response:
        if int(cid) not in self.channel_ids:
            return _error(404, 10003, "Unknown Channel")
        return web.Response(status=204)

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

    def _serve_attachment(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?", 1)[0]
        ex, issued, mac = (request.query.get(k, "") for k in ("ex", "is", "hm"))
        expected = hmac.new(
            self._secret, f"{path}?ex={ex}&is={issued}".encode(), hashlib.sha256
        ).hexdigest()
        try:
            expired = int(ex, 16) <= self.wall()
        except ValueError:
            expired = True
        if path not in self._blobs or expired or not hmac.compare_digest(mac, expected):
            return web.Response(status=404, text="This content is no longer available.")
        return web.Response(body=self._blobs[path], content_type="application/octet-stream")

    async def _refresh_urls(self, request, payload, uploads) -> web.Response:
        refreshed = []
        for url in payload.get("attachment_urls") or []:
            path = urlsplit(url).path
            new = self._sign(path) if path in self._blobs else url
            refreshed.append({"original": url, "refreshed": new})
        return _json_response({"refreshed_urls": refreshed})

    # -- validation shared by channel posts, callbacks and webhooks

    def _validate(
        self, payload: dict, uploads: list[_Upload], limit: int, *, creating: bool
    ) -> web.Response | None:
        content = payload.get("content")
        if content is not None and len(content) > 2000:
            return _form_error(
                "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."
            )
        if len(payload.get("embeds") or []) > 10:
            return _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        if len(uploads) > 10:
            return _form_error("files", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        allowed = payload.get("allowed_mentions") or {}
        parse = allowed.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and allowed.get(kind):
                return _form_error(
                    f"allowed_mentions.{kind}",
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
        if sum(len(u.data) for u in uploads) > limit:
            return _error(413, 40005, "Request entity too large")
        if creating and not (
            content
            or payload.get("embeds")
            or uploads
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
        ):
            return _error(400, 50006, "Cannot send an empty message")
        return None

    # -- channels

    async def _channel_post(self, request, payload, uploads, cid) -> web.Response:
        channel_id = int(cid)
        if channel_id not in self.channel_ids:
            return _error(404, 10003, "Unknown Channel")
        err = self._validate(payload, uploads, self.attachment_size_limit, creating=True)
        if err is not None:
            return err
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None and self.now() - seen[1] < NONCE_WINDOW:
                return _json_response(self.public(self._messages[seen[0]]))
        ref = payload.get("message_reference")
        dangling = ref and ref.get("message_id") and self.get_message(ref["message_id"]) is None
        if dangling and ref.get("fail_if_not_exists", True):
            return _form_error(
                "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
        record = self._new_message(
            channel_id,
            payload,
            author=self.bot_user,
            attachments=self._attachments_for(channel_id, payload, uploads),
        )
        if nonce is not None and payload.get("enforce_nonce"):
            self._nonces[(channel_id, str(nonce))] = (int(record["id"]), self.now())
        return _json_response(self.public(record))

    def _channel_message(self, cid: str, mid: str) -> dict | web.Response:
        if int(cid) not in self.channel_ids:
            return _error(404, 10003, "Unknown Channel")
        record = self.get_message(mid)
        if (
            record is None
            or record.get("deleted")
            or record["ephemeral"]
            or record["channel_id"] != cid
        ):
            return _error(404, 10008, "Unknown Message")
        return record

    async def _channel_get_message(self, request, payload, uploads, cid, mid) -> web.Response:
        found = self._channel_message(cid, mid)
        return found if isinstance(found, web.Response) else _json_response(self.public(found))

    async def _channel_patch(self, request, payload, uploads, cid, mid) -> web.Response:
        found = self._channel_message(cid, mid)
        if isinstance(found, web.Response):
            return found
        if found["author"]["id"] != self.bot_user["id"]:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        err = self._validate(payload, uploads, self.attachment_size_limit, creating=False)
        if err is not None:
            return err
        self._edit_message(found, payload, uploads)
        return _json_response(self.public(found))

    async def _channel_delete(self, request, payload, uploads, cid, mid) -> web.Response:
        found = self._channel_message(cid, mid)
        if isinstance(found, web.Response):
            return found
        found["deleted"] = True
        return web.Response(status=204)

    async def _history(self, request, payload, uploads, cid) -> web.Response:
        channel_id = int(cid)
        if channel_id not in self.channel_ids:
            return _error(404, 10003, "Unknown Channel")
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        msgs = self.messages(channel_id)
        if "before" in request.query:
            msgs = [m for m in msgs if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            # Discord returns the messages right after `after`, still newest first.
            msgs = [m for m in msgs if int(m["id"]) > int(request.query["after"])][:limit]
        if "around" in request.query:
            around = int(request.query["around"])
            older = [m for m in msgs if int(m["id"]) <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if int(m["id"]) > around][: limit - len(older)]
            msgs = older + newer
        newest_first = list(reversed(msgs))[:limit]
        return _json_response([self.public(m) for m in newest_first])

    # -- interactions

    def _record_response(
        self,
        it: FakeInteraction,
        kind: str,
        request: web.Request,
        payload: dict,
        uploads: list[_Upload],
    ) -> dict:
        data = (payload.get("data") or {}) if kind == "callback" else payload
        entry = {
            "kind": kind,
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "type": payload.get("type") if kind == "callback" else None,
            "flags": int((data or {}).get("flags") or 0),
            "json": payload,
            "files": [(u.filename, len(u.data), u.content_type) for u in uploads],
            "at": self.now(),
            "status": None,
            "error": None,
            "message_id": None,
        }
        it.responses.append(entry)
        return entry

    @staticmethod
    def _finish(entry: dict, response: web.Response, message_id: int | str | None = None):
        entry["status"] = response.status
        if response.status >= 400 and response.body:
            entry["error"] = json.loads(response.body)  # type: ignore[arg-type]
        if message_id is not None:
            entry["message_id"] = str(message_id)
        return response

    async def _callback(self, request, payload, uploads, iid, token) -> web.Response:
        it = self.interactions.get(int(iid))
        if it is None or it.token != token:
            return _error(404, 10062, "Unknown interaction")
        entry = self._record_response(it, "callback", request, payload, uploads)
        if it.acknowledged:
            return self._finish(
                entry, _error(400, 40060, "Interaction has already been acknowledged.")
            )
        if self.now() - it.created_at > CALLBACK_WINDOW:
            return self._finish(entry, _error(404, 10062, "Unknown interaction"))
        ctype = payload.get("type")
        data = payload.get("data") or {}
        flags = int(data.get("flags") or 0)
        message: dict | None = None
        if ctype == 4:
            err = self._validate(data, uploads, it.attachment_size_limit, creating=True)
            if err is not None:
                return self._finish(entry, err)
            message = self._new_message(
                it.channel_id,
                data,
                author=self.bot_user,
                attachments=self._attachments_for(it.channel_id, data, uploads),
                interaction=it,
                ephemeral=bool(flags & EPHEMERAL),
                msg_type=20 if it.kind == 2 else 0,
            )
            it.original_id, it.original_created = int(message["id"]), True
        elif ctype == 5:
            it.original_id = self.snowflake()
        elif ctype in (6, 7):
            if it.kind == 2 or it.message_id is None:
                return self._finish(
                    entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
                )
            # For component interactions, @original is the message holding the component.
            it.original_id, it.original_created = it.message_id, True
            if ctype == 7:
                err = self._validate(data, uploads, it.attachment_size_limit, creating=False)
                if err is not None:
                    return self._finish(entry, err)
                message = self._messages[it.message_id]
                self._edit_message(message, data, uploads)
        elif ctype == 9:
            if it.kind == 5:
                return self._finish(
                    entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
                )
            it.modal = data
        elif ctype not in (8, 12):
            return self._finish(
                entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
            )
        it.callback_type = ctype
        it.callback_flags = flags if ctype in (4, 5) else 0
        if not _truthy(request.query.get("with_response")):
            return self._finish(entry, web.Response(status=204), it.original_id)
        body: dict[str, Any] = {
            "interaction": {
                "id": str(it.id),
                "type": it.kind,
                "activity_instance_id": None,
                "response_message_id": str(it.original_id) if it.original_id else None,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(it.callback_flags & EPHEMERAL),
            },
            "resource": {"type": ctype},
        }
        if message is not None:
            body["resource"]["message"] = self.public(message)
        return self._finish(
            entry, _json_response(body), it.original_id if message is not None else None
        )

    def _webhook_interaction(
        self, app: str, token: str, request: web.Request, payload: dict, uploads: list[_Upload]
    ) -> tuple[FakeInteraction | None, dict | None, web.Response | None]:
        it = next((i for i in self.interactions.values() if i.token == token), None)
        if int(app) != self.app_id or it is None:
            return None, None, _error(404, 10015, "Unknown Webhook")
        entry = self._record_response(it, "webhook", request, payload or {}, uploads)
        if self.now() - it.created_at > TOKEN_LIFETIME:
            return it, entry, self._finish(entry, _error(401, 50027, "Invalid Webhook Token"))
        if not it.acknowledged:
            # The interaction webhook only exists once the interaction has been responded to.
            return it, entry, self._finish(entry, _error(404, 10015, "Unknown Webhook"))
        return it, entry, None

    def _webhook_target(self, it: FakeInteraction, mid: str) -> dict | None:
        if mid == "@original":
            if it.original_id is None:
                return None
            if not it.original_created:
                # A deferred response is still "thinking": that is what GET @original shows.
                return self._loading_placeholder(it)
            return self._messages.get(it.original_id)
        record = self._messages.get(int(mid))
        if record is None or record["interaction_id"] != it.id or record.get("deleted"):
            return None
        return record

    def _loading_placeholder(self, it: FakeInteraction) -> dict:
        return {
            "id": str(it.original_id),
            "channel_id": str(it.channel_id),
            "author": self.bot_user,
            "content": "",
            "timestamp": self._iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 20,
            "flags": LOADING | (it.callback_flags & EPHEMERAL),
            "webhook_id": str(self.app_id),
            "application_id": str(self.app_id),
        }

    def _materialize_original(
        self, it: FakeInteraction, payload: dict, uploads: list[_Upload]
    ) -> dict:
        record = self._new_message(
            it.channel_id,
            payload,
            author=self.bot_user,
            attachments=self._attachments_for(it.channel_id, payload, uploads),
            interaction=it,
            ephemeral=bool(it.callback_flags & EPHEMERAL),
            message_id=it.original_id,
            msg_type=20 if it.kind == 2 else 0,
        )
        it.original_created = True
        return record

    async def _webhook_post(self, request, payload, uploads, app, token) -> web.Response:
        it, entry, err = self._webhook_interaction(app, token, request, payload, uploads)
        if err is not None or it is None or entry is None:
            return err or _error(404, 10015, "Unknown Webhook")
        bad = self._validate(payload, uploads, it.attachment_size_limit, creating=True)
        if bad is not None:
            return self._finish(entry, bad)
        if it.callback_type == 5 and not it.original_created:
            # After a defer, Discord turns the first follow-up into the @original response,
            # and it keeps the defer's ephemerality whatever flags the follow-up carries.
            record = self._materialize_original(it, payload, uploads)
        else:
            record = self._new_message(
                it.channel_id,
                payload,
                author=self.bot_user,
                attachments=self._attachments_for(it.channel_id, payload, uploads),
                interaction=it,
                ephemeral=bool(int(payload.get("flags") or 0) & EPHEMERAL),
                msg_type=20 if it.kind == 2 else 0,
            )
        if _truthy(request.query.get("wait")):
            return self._finish(entry, _json_response(self.public(record)), record["id"])
        return self._finish(entry, web.Response(status=204), record["id"])

    async def _webhook_get(self, request, payload, uploads, app, token, mid) -> web.Response:
        it, entry, err = self._webhook_interaction(app, token, request, payload, uploads)
        if err is not None or it is None or entry is None:
            return err or _error(404, 10015, "Unknown Webhook")
        target = self._webhook_target(it, mid)
        if target is None:
            return self._finish(entry, _error(404, 10008, "Unknown Message"))
        return self._finish(entry, _json_response(self.public(target)))

    async def _webhook_patch(self, request, payload, uploads, app, token, mid) -> web.Response:
        it, entry, err = self._webhook_interaction(app, token, request, payload, uploads)
        if err is not None or it is None or entry is None:
            return err or _error(404, 10015, "Unknown Webhook")
        target = self._webhook_target(it, mid)
        if target is None:
            return self._finish(entry, _error(404, 10008, "Unknown Message"))
        creating = mid == "@original" and not it.original_created
        bad = self._validate(payload, uploads, it.attachment_size_limit, creating=creating)
        if bad is not None:
            return self._finish(entry, bad)
        if creating:
            record = self._materialize_original(it, payload, uploads)
        else:
            record = target
            self._edit_message(record, payload, uploads)
        return self._finish(entry, _json_response(self.public(record)), record["id"])

    async def _webhook_delete(self, request, payload, uploads, app, token, mid) -> web.Response:
        it, entry, err = self._webhook_interaction(app, token, request, payload, uploads)
        if err is not None or it is None or entry is None:
            return err or _error(404, 10015, "Unknown Webhook")
        target = self._webhook_target(it, mid)
        if target is None:
            return self._finish(entry, _error(404, 10008, "Unknown Message"))
        if mid == "@original" and not it.original_created:
            # Deleting a "thinking" response removes it; keep a deleted record for tests.
            target = self._materialize_original(it, {}, [])
        target["deleted"] = True
        return self._finish(entry, web.Response(status=204))


@contextlib.asynccontextmanager
async def run_bot(
    bot: discord.Client,
    fake: FakeDiscord,
    *,
    timeout: float = 10,
) -> AsyncIterator[discord.Client]:
    """Point discord.py at `fake`, start `bot`, wait for on_ready; close and restore on exit."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    task = asyncio.create_task(bot.start(fake.bot_token), name="fake-discord-bot")
    try:
        # A dead task (bad token, malformed event) must fail the test now, not time out.
        await fake.wait_for(lambda: task.done() or bot.is_ready(), timeout, what="bot ready")
        if task.done():
            task.result()
            raise FakeDiscordError("bot.start() returned before the bot became ready")
        yield bot
        if task.done():
            task.result()  # surface a crash that happened during the test
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
