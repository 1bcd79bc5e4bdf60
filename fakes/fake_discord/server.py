"""A Discord of our own on 127.0.0.1: REST + gateway for a real discord.py bot.

Discord's published OpenAPI description (discord-openapi.json beside this file) decides what
it accepts and answers. The fake answers as Discord does (status codes,
error codes, Content-Type) and enforces the limits that real bots trip over: the 3 s first
response, the 15 min interaction token, 2000-character content, upload caps, and signed,
expiring attachment URLs. Every request body and query is checked against Discord's OpenAPI
spec (spec.py) and answered 400 50035 when Discord would refuse it; every answer is checked
too. Both kinds of mismatch land in `violations`, which the test fixtures require empty.
Everything the bot sends is recorded so tests can assert on it.

The parts, one mixin each over the shared state and clocks of base.py: guilds.py (guilds,
users, roles), channels.py (DMs, permissions, faults), messages.py (posts, edits, deletes,
history), interactions.py (invoke, click, submit_modal and the callbacks/webhooks),
commands.py, cdn.py (attachments), gateway.py (sessions and shards).

Knobs for tests (all on FakeDiscord):
- clock: now(), wall(), advance(seconds, days=0); message ids are snowflakes of wall(), and
  attachment links expire by wall() (24 h after Discord signed them).
- guilds: guild(id=None) -> FakeGuild, add_guild(id=None, *, name, channels, premium_tier,
  locale), await set_premium_tier(tier, guild_id=None), add_role(id, name, guild_id=None).
- messages: post_user_message(channel_id, content, attachments=...), delete_message(id).
- channels: fail_channel(channel_id=None, status=503, *, times=None, seconds=None),
  rate_limit_channel(channel_id=None, *, retry_after=0.05, times=1),
  revoke_send(channel_id=None), revoke_access(channel_id=None),
  set_channel_permissions(channel_id, permissions), permissions_in(channel_id),
  clear_faults(channel_id=None), await delete_channel(channel_id).
- DMs: open_dm(user), close_dms(user), dm_messages(user).
- sharding: shard_count (GET /gateway/bot), shard_of(guild_id), connected_to(guild_id),
  sessions (each with shard_id, shard_count, events).
- spec: violations, take_violations(), check_spec=False in the constructor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from fakes.fake_discord import spec
from fakes.fake_discord.cdn import CdnMixin
from fakes.fake_discord.channels import ChannelsMixin
from fakes.fake_discord.commands import CommandsMixin
from fakes.fake_discord.common import (
    INJECTED,
    REJECTION,
    JsonObject,
    Recorded,
    Violation,
    _error,
    _json_response,
    _Upload,
)
from fakes.fake_discord.gateway import GatewayMixin
from fakes.fake_discord.guilds import GuildsMixin
from fakes.fake_discord.interactions import InteractionsMixin
from fakes.fake_discord.messages import MessagesMixin

# A route's handler: (request, JSON body or {}, uploads, the path's groups...) -> the answer.
_Handler = Callable[..., Awaitable[web.Response]]


def _flatten(body: JsonObject) -> list[tuple[str, str, str]]:
    """(dotted path, code, message) of each error in Discord's nested `errors` tree."""
    found: list[tuple[str, str, str]] = []

    def walk(node: Any, path: list[str]) -> None:
        if not isinstance(node, dict):
            return
        for error in node.get("_errors", []):
            found.append((".".join(path) or "_root", error["code"], error["message"]))
        for key, child in node.items():
            if key != "_errors":
                walk(child, [*path, key])

    walk(body.get("errors"), [])
    return found


class FakeDiscord(
    GatewayMixin,
    InteractionsMixin,
    MessagesMixin,
    ChannelsMixin,
    CommandsMixin,
    CdnMixin,
    GuildsMixin,
):
    """REST API + gateway websocket on one 127.0.0.1 port, enough for a real discord.py bot."""

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
        assert isinstance(server, asyncio.Server) and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        self._gateway_open.set()  # held connections end: they find their socket closed
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
        known = len(self._violations)
        try:
            response = await self._route(request, rec, payload, uploads)
        finally:
            self._bump()
        rec.status = response.status
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(ValueError, TypeError):
                rec.response = json.loads(response.body)  # type: ignore[arg-type]
        if len(self._violations) == known:
            self._note_refusal(rec)
        if self.check_spec and not response.get(INJECTED):
            # Checked when violations are read, off the path of the bot's request.
            self._unchecked.append(rec)
        self._bump()
        return response

    @property
    def violations(self) -> list[Violation]:
        """Every exchange so far that breaks Discord's spec (see Violation)."""
        unchecked, self._unchecked = self._unchecked, []
        for rec in unchecked:
            self._check_response(rec)
        return self._violations

    def take_violations(self) -> list[Violation]:
        """Return and forget the recorded violations (for a test that provokes one on purpose)."""
        taken = self.violations
        self._violations = []
        return taken

    def _note_refusal(self, rec: Recorded) -> None:
        """A body the handlers refused as Discord does (an empty message, too many files, a
        reply to a message that does not exist) is a request violation too."""
        body = rec.response if isinstance(rec.response, dict) else {}
        if rec.status != 400 or body.get("code") not in (50035, 50006):
            return
        errors = [f"{path}: {code} {message}" for path, code, message in _flatten(body)]
        operation = spec.find_operation(rec.method, rec.path.removeprefix("/api/v10"))
        self._violations.append(
            Violation(
                "request",
                rec.method,
                rec.path,
                operation.operation_id if operation else "",
                400,
                errors or [f"_root: {body.get('code')} {body.get('message')}"],
                rec.json,
            )
        )

    def _check_request(self, request: web.Request, payload: Any) -> web.Response | None:
        """Validate a request body against its spec operation; Discord's 400 answer if bad."""
        op = spec.find_operation(request.method, request.path.removeprefix("/api/v10"))
        if op is None:
            return None
        if self.check_spec:
            errors = spec.validate_query(op, dict(request.query))
            if payload is not None:
                errors += spec.validate_request(op, request.content_type, payload)
        else:
            errors = spec.discord_limits(op, payload)
        if not errors:
            return None
        self._violations.append(
            Violation(
                "request",
                request.method,
                request.path,
                op.operation_id,
                400,
                [f"{e.dotted}: {e.code} {e.message}" for e in errors],
                payload,
            )
        )
        return _json_response(spec.invalid_form_body(errors), 400)

    def _check_response(self, rec: Recorded) -> None:
        """Validate the fake's own answer against the spec; a mismatch is a bug in the fake."""
        op = spec.find_operation(rec.method, rec.path.removeprefix("/api/v10"))
        if op is None or rec.status is None:
            return
        statuses = spec.documented_statuses(op)
        status = rec.status
        if not {str(status), f"{str(status)[0]}XX", "default"} & statuses:
            errors = [f"status {status} is not documented ({sorted(statuses)})"]
        elif rec.response is None:
            errors = []
        else:
            found = spec.validate_response(op, status, rec.response)
            errors = [f"{e.dotted}: {e.code} {e.message}" for e in found or []]
        if errors:
            self._violations.append(
                Violation(
                    "response",
                    rec.method,
                    rec.path,
                    op.operation_id,
                    status,
                    errors,
                    rec.response,
                )
            )

    async def _read_body(self, request: web.Request) -> tuple[Any, list[_Upload]]:
        uploads: list[_Upload] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                # discord.py's multipart bodies are flat: one part per field, none nested.
                assert isinstance(part, BodyPartReader), f"nested multipart: {part!r}"
                data = await part.read(decode=False)
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
            rejection = self._check_request(request, payload)
            if rejection is not None:
                if handler not in self._interaction_handlers():
                    return rejection
                # Interaction routes answer through their handler, which records the
                # exchange on the FakeInteraction before sending Discord's 400.
                request[REJECTION] = rejection
            return await handler(
                request, {} if payload is None else payload, uploads, *match.groups()
            )
        self.unhandled.append(rec)
        return _error(404, 0, "404: Not Found")

    def _interaction_handlers(self) -> tuple[_Handler, ...]:
        return (
            self._callback,
            self._webhook_post,
            self._webhook_get,
            self._webhook_patch,
            self._webhook_delete,
        )

    def _routes(self) -> list[tuple[str, str, _Handler, bool]]:
        snow = r"(\d+)"
        hook = r"/webhooks/(\d+)/([^/]+)"
        hook_msg = hook + r"/messages/(@original|\d+)"
        return [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", rf"/users/{snow}", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
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
