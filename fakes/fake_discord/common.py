"""Constants, records and response helpers shared by the fake's modules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import discord
from aiohttp import web

# A JSON object as Discord sends or takes it (a message, member, channel, request body...).
JsonObject = dict[str, Any]

MIB = 1024 * 1024
# What the bot's own channel posts may carry per attachment, by the guild's boost tier.
UPLOAD_CAPS = {0: 10 * MIB, 1: 10 * MIB, 2: 50 * MIB, 3: 100 * MIB}

DISCORD_EPOCH_MS = 1420070400000
CALLBACK_WINDOW = 3.0  # seconds to send the first interaction callback
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token accepts webhook calls
ATTACHMENT_URL_LIFETIME = 24 * 3600  # seconds a signed attachment URL stays valid
NONCE_WINDOW = 5 * 60.0  # seconds during which enforce_nonce deduplicates
EPHEMERAL = 1 << 6
LOADING = 1 << 7
ALL_BUT_ADMIN = str(discord.Permissions.all().value & ~discord.Permissions.administrator.flag)
# What an app may do in its DM with a user, as Discord reports it with an interaction there.
DM_APP_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    use_external_emojis=True,
).value

# A body the spec check rejected, handed to interaction handlers so they record the exchange.
REJECTION = web.RequestKey("rejection", web.Response)
# Marks an answer a test asked for (an outage): it is not checked against the spec.
INJECTED = web.ResponseKey("injected", bool)

# Keys we keep on stored messages for tests; Discord never sends them, so the bot never sees them.
_PRIVATE_KEYS = ("edits", "allowed_mentions", "interaction_id", "ephemeral", "deleted")


class FakeDiscordError(AssertionError):
    """Raised when a test drives the fake in a way Discord's client would not allow."""


@dataclass
class FakeGuild:
    """One guild the bot is in. Change it before the bot connects (or see set_premium_tier)."""

    id: int
    name: str
    channel_ids: list[int]
    premium_tier: int = 0
    locale: str = "en-US"
    roles: list[JsonObject] = field(default_factory=list)

    @property
    def upload_limit(self) -> int:
        """The per-attachment cap on the bot's own channel posts here (its boost tier's)."""
        return UPLOAD_CAPS[self.premium_tier]


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
class Violation:
    """An exchange that breaks Discord's spec: a request Discord would reject ("request") or
    an answer that real Discord would never send ("response", a bug in the fake)."""

    kind: str  # "request" or "response"
    method: str
    path: str
    operation: str
    status: int
    errors: list[str]  # "components.0.label: BASE_TYPE_MAX_LENGTH Must be 45 or fewer..."
    body: Any = None

    def __str__(self) -> str:
        return f"{self.kind} {self.method} {self.path} ({self.operation}) -> {self.status}: " + (
            "; ".join(self.errors)
        )


@dataclass
class _Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


def _json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py reads a body with a charset suffix as plain text.
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def _error(status: int, code: int, message: str, errors: JsonObject | None = None) -> web.Response:
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


class InteractionType(IntEnum):
    """What an INTERACTION_CREATE is (Discord's interaction types)."""

    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(IntEnum):
    """The `type` of an interaction callback (Discord's interaction response types)."""

    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
    MODAL = 9
    LAUNCH_ACTIVITY = 12


class ComponentType(IntEnum):
    """Message and modal component types the fake looks into."""

    ACTION_ROW = 1
    BUTTON = 2
    STRING_SELECT = 3
    TEXT_INPUT = 4
    LABEL = 18


class CommandType(IntEnum):
    """Application command types."""

    CHAT_INPUT = 1
    USER = 2
    MESSAGE = 3


class OptionType(IntEnum):
    """Application command option types."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


class MessageType(IntEnum):
    """Message types the fake creates."""

    DEFAULT = 0
    REPLY = 19
    CHAT_INPUT_COMMAND = 20
    CONTEXT_MENU_COMMAND = 23


class ChannelType(IntEnum):
    """Channel types the fake creates."""

    GUILD_TEXT = 0
    DM = 1


class GatewayOp(IntEnum):
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11
