"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME, dispatch.

Each identified connection is a session for one shard `[id, count]`. As on Discord, a guild's
events (GUILD_CREATE, INTERACTION_CREATE, ...) go only to the shard `(guild_id >> 22) % count`;
events without a guild go to shard 0.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    FakeDiscordError,
    GatewayOp,
    JsonObject,
    _json_response,
    _Upload,
)


@dataclass
class GatewaySession:
    """One identified gateway session (a shard), resumable after its socket drops."""

    session_id: str
    shard_id: int
    shard_count: int
    ws: web.WebSocketResponse
    seq: int = 0
    # (event name, guild id or None) of every DISPATCH sent on this session
    events: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return not self.ws.closed

    def serves(self, guild_id: int) -> bool:
        """True when this shard carries the guild's events."""
        return (guild_id >> 22) % self.shard_count == self.shard_id


class GatewayMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    async def _send(self, ws: web.WebSocketResponse, frame: JsonObject) -> None:
        async with self._ws_lock:
            self.gateway_sent.append(frame)
            await ws.send_str(json.dumps(frame))

    def _session_for(self, guild_id: int | None) -> GatewaySession | None:
        for session in self._sessions.values():
            if not session.live:
                continue
            if (guild_id is None and session.shard_id == 0) or (
                guild_id is not None and session.serves(guild_id)
            ):
                return session
        return None

    async def _dispatch(
        self,
        event: str,
        data: JsonObject,
        *,
        guild_id: int | None = None,
        session: GatewaySession | None = None,
    ) -> None:
        target = session or self._session_for(guild_id)
        if target is None or not target.live:
            where = f" for guild {guild_id}" if guild_id else ""
            raise FakeDiscordError(f"cannot send {event}: no bot shard is connected{where}")
        target.seq += 1
        target.events.append((event, guild_id))
        frame = {"op": GatewayOp.DISPATCH, "t": event, "s": target.seq, "d": data}
        await self._send(target.ws, frame)
        self._bump()

    @property
    def connected(self) -> bool:
        """True while a bot holds an identified (or resumed) gateway connection."""
        return any(s.live for s in self._sessions.values())

    def connected_to(self, guild_id: int) -> bool:
        """True while the shard that carries this guild's events is connected."""
        return self._session_for(guild_id) is not None

    def shard_of(self, guild_id: int) -> int:
        """The shard id Discord sends this guild's events to, for `shard_count` shards."""
        return (guild_id >> 22) % self.shard_count

    @property
    def sessions(self) -> list[GatewaySession]:
        """Every session identified so far (one per shard and IDENTIFY)."""
        return list(self._sessions.values())

    async def dispatch_event(
        self, event: str, data: JsonObject, *, guild_id: int | None = None
    ) -> None:
        """Send any gateway DISPATCH event to the bot (to the guild's shard, if given)."""
        await self._dispatch(event, data, guild_id=guild_id)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's gateway connections (the bot will reconnect and RESUME)."""
        for session in list(self._sessions.values()):
            if session.live:
                await session.ws.close(code=code)

    def hold_gateway(self) -> None:
        """From now on a new gateway connection is accepted but gets no HELLO (as over a
        network that has stopped carrying anything) until `release_gateway`: with
        `drop_connection`, the bot stays disconnected for as long as a test needs."""
        self._gateway_open.clear()

    def release_gateway(self) -> None:
        """Send HELLO on the held connections, and on new ones at once again."""
        self._gateway_open.set()

    def _guild_create(self, guild_id: int) -> JsonObject:
        guild = self.guilds[guild_id]
        members = [self.bot_member()]
        channels = [c for c in guild.channel_ids if c not in self._deleted]
        return {
            **self.guild_object(guild_id),
            "unavailable": False,
            "large": False,
            "member_count": len(members),
            "joined_at": self._iso(),
            "channels": [self.channel_object(cid) for cid in channels],
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
        await self._gateway_open.wait()
        if ws.closed:  # the fake stopped (or the bot gave up) while the connection was held
            self._all_ws.discard(ws)
            return ws
        await self._send(
            ws, {"op": GatewayOp.HELLO, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
        )
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
            self._bump()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: JsonObject) -> None:
        op, d = frame.get("op"), frame.get("d") or {}
        if op == GatewayOp.HEARTBEAT:
            await self._send(ws, {"op": GatewayOp.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == GatewayOp.IDENTIFY:
            await self._identify(ws, d)
        elif op == GatewayOp.RESUME:
            session = self._sessions.get(d.get("session_id", ""))
            if session is not None:
                session.ws = ws
                await self._dispatch("RESUMED", {}, session=session)
            else:
                # Unknown session: Discord answers "invalid session, not resumable".
                await self._send(
                    ws, {"op": GatewayOp.INVALID_SESSION, "d": False, "s": None, "t": None}
                )
        elif op == GatewayOp.REQUEST_GUILD_MEMBERS:
            session = next((s for s in self._sessions.values() if s.ws is ws), None)
            chunk = {
                "guild_id": str(d.get("guild_id") or self.guild_id),
                "members": [self.bot_member()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": d.get("nonce"),
            }
            if session is not None:
                await self._dispatch("GUILD_MEMBERS_CHUNK", chunk, session=session)

    async def _identify(self, ws: web.WebSocketResponse, d: JsonObject) -> None:
        self.identify_payloads.append(d)
        shard_id, shard_count = d.get("shard") or [0, 1]
        # A new IDENTIFY for a shard replaces that shard's old session.
        for old_id, old in list(self._sessions.items()):
            if old.shard_id == shard_id:
                del self._sessions[old_id]
        session = GatewaySession(secrets.token_hex(16), shard_id, shard_count, ws)
        self._sessions[session.session_id] = session
        mine = [gid for gid in self.guilds if session.serves(gid)]
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(gid), "unavailable": True} for gid in mine],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "session_type": "normal",
            "shard": [shard_id, shard_count],
        }
        await self._dispatch("READY", ready, session=session)
        self._ready.set()
        for gid in mine:
            guild_create = self._guild_create(gid)
            await self._dispatch("GUILD_CREATE", guild_create, guild_id=gid, session=session)

    async def _get_gateway(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json_response(
            {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}
        )
