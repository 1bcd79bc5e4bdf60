"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME, dispatch."""

from __future__ import annotations

import json
import secrets

from aiohttp import WSMsgType, web

from fakes.fake_discord.common import (
    FakeDiscordError,
    GatewayOp,
    _json_response,
)


class GatewayMixin:
    """Part of FakeDiscord (see server.py)."""

    async def _send(self, ws: web.WebSocketResponse, frame: dict) -> None:
        async with self._ws_lock:
            self.gateway_sent.append(frame)
            await ws.send_str(json.dumps(frame))

    async def _dispatch(self, event: str, data: dict) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise FakeDiscordError(f"cannot send {event}: no bot is connected to the gateway")
        self._seq += 1
        await self._send(ws, {"op": GatewayOp.DISPATCH, "t": event, "s": self._seq, "d": data})
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
            if self._ws is ws:
                self._ws = None
            self._bump()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == GatewayOp.HEARTBEAT:
            await self._send(ws, {"op": GatewayOp.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == GatewayOp.IDENTIFY:
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
        elif op == GatewayOp.RESUME:
            if d and d.get("session_id") == self._session_id:
                self._ws = ws
                await self._dispatch("RESUMED", {})
            else:
                # Unknown session: Discord answers "invalid session, not resumable".
                await self._send(
                    ws, {"op": GatewayOp.INVALID_SESSION, "d": False, "s": None, "t": None}
                )
        elif op == GatewayOp.REQUEST_GUILD_MEMBERS:
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

    async def _get_gateway(self, request, payload, uploads) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request, payload, uploads) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
