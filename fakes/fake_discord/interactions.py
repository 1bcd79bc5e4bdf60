"""Interactions: sending them to the bot, and their callbacks, webhooks and follow-ups."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    ALL_BUT_ADMIN,
    CALLBACK_WINDOW,
    DM_APP_PERMISSIONS,
    EPHEMERAL,
    LOADING,
    REJECTION,
    TOKEN_LIFETIME,
    CallbackType,
    CommandType,
    ComponentType,
    FakeDiscordError,
    InteractionType,
    JsonObject,
    MessageType,
    OptionType,
    _error,
    _form_error,
    _json_response,
    _truthy,
    _Upload,
)
from fakes.fake_discord.messages import _numbered, _walk

_NEW_MESSAGE_CALLBACKS = (
    CallbackType.CHANNEL_MESSAGE_WITH_SOURCE,
    CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
)


@dataclass
class FakeInteraction:
    """An interaction the fake sent to the bot, with every callback/webhook call made for it."""

    fake: FakeDiscordBase = field(repr=False)
    id: int
    token: str
    kind: InteractionType
    user: JsonObject
    channel_id: int
    created_at: float
    attachment_size_limit: int
    payload: JsonObject = field(repr=False)
    message_id: int | None = None  # component interactions: the message the component is on
    responses: list[JsonObject] = field(default_factory=list)
    callback_type: CallbackType | None = None
    callback_flags: int = 0
    modal: JsonObject | None = None
    original_id: int | None = None
    original_created: bool = False

    @property
    def deferred(self) -> bool:
        """True when the accepted first callback was a defer (type 5 or 6)."""
        return self.callback_type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def response_message_type(self) -> MessageType:
        """The type of the messages answering this interaction, as Discord sets it."""
        if self.kind != InteractionType.APPLICATION_COMMAND:
            return MessageType.DEFAULT
        if self.payload["data"].get("type") == CommandType.CHAT_INPUT:
            return MessageType.CHAT_INPUT_COMMAND
        return MessageType.CONTEXT_MENU_COMMAND

    @property
    def ephemeral(self) -> bool:
        """True when the accepted first callback carried the ephemeral flag (64)."""
        return bool(self.callback_flags & EPHEMERAL)

    @property
    def acknowledged(self) -> bool:
        """True once a callback was accepted."""
        return self.callback_type is not None

    @property
    def original_message(self) -> JsonObject | None:
        """The @original response message, once it exists."""
        if self.original_id is None or not self.original_created:
            return None
        return self.fake.get_message(self.original_id)

    async def wait_response(self, timeout: float = 5) -> JsonObject:
        """Wait for the first callback request (accepted or not) and return its record."""
        await self.fake.wait_for(
            lambda: any(r["kind"] == "callback" for r in self.responses),
            timeout,
            what=f"a callback for interaction {self.id}",
        )
        return next(r for r in self.responses if r["kind"] == "callback")

    async def wait_private(self, timeout: float = 5) -> JsonObject:
        """Wait for the first message of this interaction that only the user sees (an ephemeral
        response or follow-up, not deleted); return it."""

        def first() -> JsonObject | None:
            for message in self.fake.ephemeral_messages:
                if message.get("interaction_id") == self.id and not message.get("deleted"):
                    return message
            return None

        return await self._wait_message(first, timeout, f"a private answer to {self.id}")

    async def wait_public(self, timeout: float = 5) -> JsonObject:
        """Wait for the first message of this interaction that everyone in the channel sees
        (not ephemeral, not deleted); return it."""

        def first() -> JsonObject | None:
            for message in self._made():
                if not message.get("ephemeral") and not message.get("deleted"):
                    return message
            return None

        return await self._wait_message(first, timeout, f"a public message of {self.id}")

    async def wait_followup(self, timeout: float = 5) -> JsonObject:
        """Wait for the first message made by a webhook follow-up or @original edit; return it."""

        def first() -> JsonObject | None:
            return next(self._made(webhook_only=True), None)

        return await self._wait_message(first, timeout, f"a follow-up for interaction {self.id}")

    def _made(self, *, webhook_only: bool = False) -> Iterator[JsonObject]:
        """The messages this interaction's accepted calls made or edited, in call order."""
        for r in self.responses:
            if r["status"] is None or r["status"] >= 300 or not r["message_id"]:
                continue
            if webhook_only and not (r["kind"] == "webhook" and r["method"] in ("POST", "PATCH")):
                continue
            message = self.fake.get_message(r["message_id"])
            if message is not None:
                yield message

    async def _wait_message(
        self, first: Callable[[], JsonObject | None], timeout: float, what: str
    ) -> JsonObject:
        await self.fake.wait_for(lambda: first() is not None, timeout, what=what)
        result = first()
        assert result is not None
        return result


class InteractionsMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    def slow_followups(self, seconds: float) -> None:
        """Answer every interaction follow-up (webhook POST) only after `seconds` (real time),
        as a Discord under load does; 0 ends it."""
        self.followup_delay_s = seconds

    async def _send_interaction(
        self,
        kind: InteractionType,
        data: JsonObject,
        *,
        user: JsonObject | None,
        channel_id: int | None,
        attachment_size_limit: int | None,
        message: JsonObject | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Build the interaction, record it and send it to the bot as INTERACTION_CREATE."""
        member = user or self.default_user
        cid = channel_id or self.channel_id
        if cid in self._dm_channels:
            return await self._send_dm_interaction(kind, data, member, cid, message, locale)
        guild = self.guild_of(cid)
        if guild is None or cid in self._deleted:
            raise FakeDiscordError(f"no guild channel {cid} to interact in")
        iid = self.snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        # Discord sends the largest of the guild's boost cap and the member's own (Nitro) cap.
        limit = attachment_size_limit or max(self.attachment_size_limit, guild.upload_limit)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "channel_id": str(cid),
            "channel": {**self.channel_object(cid), "permissions": member["permissions"]},
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_in(cid)),
            "locale": locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
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
        await self._dispatch("INTERACTION_CREATE", it.payload, guild_id=guild.id)
        return it

    async def _send_dm_interaction(
        self,
        kind: InteractionType,
        data: JsonObject,
        member: JsonObject,
        cid: int,
        message: JsonObject | None,
        locale: str,
    ) -> FakeInteraction:
        """An interaction in the bot's DM with a user (a click on a message the bot sent
        there): no guild and no member, the user itself, context BOT_DM, the app's
        permissions in a DM, and "0" as the guild install's owner, as Discord sends them."""
        user = member.get("user", member)
        if int(user["id"]) != self._dm_channels[cid]:
            raise FakeDiscordError(f"user {user['id']} is not in DM channel {cid}")
        iid = self.snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        limit = self.attachment_size_limit
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "channel_id": str(cid),
            "channel": self.channel_object(cid),
            "user": user,
            "token": token,
            "version": 1,
            "app_permissions": str(DM_APP_PERMISSIONS),
            "locale": locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
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
        await self._dispatch("INTERACTION_CREATE", it.payload)
        return it

    @staticmethod
    def _command_data(cmd: JsonObject, ctype: CommandType) -> dict[str, Any]:
        """The `data` of an application command interaction for the registered `cmd`."""
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": ctype}
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return data

    def _option_value(self, schema: JsonObject, value: Any, resolved: JsonObject) -> Any:
        otype = schema["type"]
        if otype == OptionType.ATTACHMENT:
            att = value if isinstance(value, dict) else None
            if att is None:
                raise FakeDiscordError(f"option {schema['name']!r} needs an attachment dict")
            resolved.setdefault("attachments", {})[str(att["id"])] = att
            return str(att["id"])
        if otype in (OptionType.USER, OptionType.MENTIONABLE) and isinstance(value, dict):
            user = value.get("user", value)
            resolved.setdefault("users", {})[str(user["id"])] = user
            if "user" in value:
                member = {k: v for k, v in value.items() if k != "user"}
                resolved.setdefault("members", {})[str(user["id"])] = member
            return str(user["id"])
        if otype == OptionType.CHANNEL:
            cid = int(value)
            channel = {**self.channel_object(cid), "permissions": ALL_BUT_ADMIN}
            resolved.setdefault("channels", {})[str(cid)] = channel
            return str(cid)
        if otype == OptionType.INTEGER and not isinstance(value, int):
            raise FakeDiscordError(f"option {schema['name']!r} is an integer, got {value!r}")
        if otype == OptionType.BOOLEAN and not isinstance(value, bool):
            raise FakeDiscordError(f"option {schema['name']!r} is a boolean, got {value!r}")
        if otype == OptionType.STRING and not isinstance(value, str):
            raise FakeDiscordError(f"option {schema['name']!r} is a string, got {value!r}")
        if otype in (OptionType.USER, OptionType.ROLE, OptionType.MENTIONABLE):
            return str(value)
        return value

    async def invoke(
        self,
        command: str,
        options: JsonObject | None = None,
        *,
        attachments: dict[str, JsonObject] | None = None,
        user: JsonObject | None = None,
        channel_id: int | None = None,
        attachment_size_limit: int | None = None,
        locale: str = "en-US",
        focused: str | None = None,
    ) -> FakeInteraction:
        """Send a slash command (e.g. "r2v generate" or "ping") as INTERACTION_CREATE type 2,
        from a member whose Discord client is set to `locale`. With `focused`, the member is
        typing that option: an autocomplete request (type 4), answered with choices
        (`responses[0]["json"]["data"]["choices"]`)."""
        parts = command.split()
        guild = self.guild_of(channel_id or self.channel_id)
        guild_id = guild.id if guild is not None else None
        cmd = self._find_command(parts[0], CommandType.CHAT_INPUT, guild_id)
        if guild_id is not None:
            self._check_may_use(cmd, user or self.default_user, guild_id)
        given = {**(options or {}), **(attachments or {})}
        schemas = cmd.get("options") or []
        nest: list[JsonObject] = []  # subcommand group / subcommand wrappers, outermost first
        for part in parts[1:]:
            sub = next(
                (
                    o
                    for o in schemas
                    if o["name"] == part
                    and o["type"] in (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)
                ),
                None,
            )
            if sub is None:
                raise FakeDiscordError(f"{command!r}: no subcommand {part!r} in {cmd['name']!r}")
            nest.append({"type": sub["type"], "name": part})
            schemas = sub.get("options") or []
        resolved: dict[str, JsonObject] = {}
        leaf: list[JsonObject] = []
        by_name = {o["name"]: o for o in schemas}
        for name, value in given.items():
            if name not in by_name:
                raise FakeDiscordError(f"{command!r} has no option {name!r}; has {list(by_name)}")
            if value is None:
                continue
            schema = by_name[name]
            option = {
                "name": name,
                "type": schema["type"],
                "value": self._option_value(schema, value, resolved),
            }
            if name == focused:
                if not schema.get("autocomplete"):
                    raise FakeDiscordError(f"{command!r} option {name!r} has no autocomplete")
                option["focused"] = True
            leaf.append(option)
        missing = [o["name"] for o in schemas if o.get("required") and given.get(o["name"]) is None]
        if missing and focused is None:
            raise FakeDiscordError(f"{command!r}: Discord's client requires options {missing}")
        opts = leaf
        for wrapper in reversed(nest):
            opts = [{**wrapper, "options": opts}]
        data = self._command_data(cmd, CommandType.CHAT_INPUT)
        data["options"] = opts
        if resolved:
            data["resolved"] = resolved
        kind = (
            InteractionType.APPLICATION_COMMAND
            if focused is None
            else InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE
        )
        return await self._send_interaction(
            kind,
            data,
            user=user,
            channel_id=channel_id,
            attachment_size_limit=attachment_size_limit,
            locale=locale,
        )

    async def invoke_message_command(
        self,
        name: str,
        target_message: JsonObject,
        *,
        user: JsonObject | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Send a message context-menu command (command type 3) targeting a message."""
        guild = self.guild_of(int(target_message["channel_id"]))
        cmd = self._find_command(name, CommandType.MESSAGE, guild.id if guild else None)
        if guild is not None:
            self._check_may_use(cmd, user or self.default_user, guild.id)
        data = self._command_data(cmd, CommandType.MESSAGE)
        data["target_id"] = str(target_message["id"])
        resolved = self._fresh_links(self.public(target_message))
        data["resolved"] = {"messages": {str(target_message["id"]): resolved}}
        return await self._send_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            user=user,
            channel_id=int(target_message["channel_id"]),
            attachment_size_limit=None,
            locale=locale,
        )

    async def click(
        self,
        message_id: int | str,
        custom_id: str,
        *,
        user: JsonObject | None = None,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Click a button (or pick select `values`) on a message: INTERACTION_CREATE type 3."""
        message = self.get_message(message_id)
        if message is None or message.get("deleted"):
            raise FakeDiscordError(f"no message {message_id}")
        comp = next(
            (c for c in _walk(message["components"]) if c.get("custom_id") == custom_id), None
        )
        if comp is None:
            raise FakeDiscordError(f"message {message_id} has no component {custom_id!r}")
        if comp.get("disabled"):
            raise FakeDiscordError(f"component {custom_id!r} is disabled: it cannot be clicked")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] != ComponentType.BUTTON:
            data["values"] = list(values or [])
        return await self._send_interaction(
            InteractionType.MESSAGE_COMPONENT,
            data,
            user=user,
            channel_id=int(message["channel_id"]),
            attachment_size_limit=None,
            message=self._fresh_links(self.public(message)),
            locale=locale,
        )

    async def submit_modal(
        self,
        interaction: FakeInteraction,
        values: dict[str, str | list[str]],
        *,
        user: JsonObject | None = None,
    ) -> FakeInteraction:
        """Submit the modal `interaction` was answered with: INTERACTION_CREATE type 5. Text
        inputs take strings; string selects a list of values (or one), else their defaults."""
        modal = interaction.modal
        if modal is None:
            raise FakeDiscordError(f"interaction {interaction.id} was not answered with a modal")
        remaining = dict(values)

        def answer(comp: JsonObject) -> JsonObject | None:
            if comp.get("type") == ComponentType.TEXT_INPUT:
                cid = comp["custom_id"]
                if cid not in remaining and comp.get("required", True):
                    raise FakeDiscordError(f"modal text input {cid!r} is required")
                value = remaining.pop(cid, "")
                return {
                    "type": ComponentType.TEXT_INPUT,
                    "id": comp.get("id"),
                    "custom_id": cid,
                    "value": value,
                }
            if comp.get("type") == ComponentType.STRING_SELECT:
                # A value given by the test (a list, or one string), else what was pre-selected.
                cid = comp["custom_id"]
                picked = remaining.pop(cid, None)
                if picked is None:
                    picked = [o["value"] for o in comp.get("options", []) if o.get("default")]
                chosen = [picked] if isinstance(picked, str) else list(picked)
                offered = {o["value"] for o in comp.get("options", [])}
                if not set(chosen) <= offered:
                    raise FakeDiscordError(
                        f"select {cid!r} offers no {sorted(set(chosen) - offered)}"
                    )
                return {
                    "type": ComponentType.STRING_SELECT,
                    "id": comp.get("id"),
                    "custom_id": cid,
                    "values": chosen,
                }
            if comp.get("type") == ComponentType.ACTION_ROW:
                inner = [a for a in map(answer, comp.get("components", [])) if a]
                return (
                    {"type": ComponentType.ACTION_ROW, "id": comp.get("id"), "components": inner}
                    if inner
                    else None
                )
            if comp.get("type") == ComponentType.LABEL:
                inner_answer = answer(comp["component"])
                if inner_answer is None:
                    return None
                return {
                    "type": ComponentType.LABEL,
                    "id": comp.get("id"),
                    "component": inner_answer,
                }
            return None

        components = [a for a in map(answer, modal.get("components", [])) if a]
        if remaining:
            raise FakeDiscordError(f"modal has no text inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        message = None
        if interaction.message_id is not None:
            found = self.get_message(interaction.message_id)
            message = self._fresh_links(self.public(found)) if found else None
        return await self._send_interaction(
            InteractionType.MODAL_SUBMIT,
            data,
            user=user or interaction.user,
            channel_id=interaction.channel_id,
            attachment_size_limit=interaction.attachment_size_limit,
            message=message,
            # The same member's client, so the same language.
            locale=interaction.payload["locale"],
        )

    def _record_response(
        self,
        it: FakeInteraction,
        kind: str,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
    ) -> JsonObject:
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
    def _finish(
        entry: JsonObject, response: web.Response, message_id: int | str | None = None
    ) -> web.Response:
        entry["status"] = response.status
        if response.status >= 400 and response.body:
            entry["error"] = json.loads(response.body)  # type: ignore[arg-type]
        if message_id is not None:
            entry["message_id"] = str(message_id)
        return response

    async def _callback(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        iid: str,
        token: str,
    ) -> web.Response:
        it = self.interactions.get(int(iid))
        if it is None or it.token != token:
            return _error(404, 10062, "Unknown interaction")
        entry = self._record_response(it, "callback", request, payload, uploads)
        if REJECTION in request:
            return self._finish(entry, request[REJECTION])
        if it.acknowledged:
            return self._finish(
                entry, _error(400, 40060, "Interaction has already been acknowledged.")
            )
        if self.now() - it.created_at > CALLBACK_WINDOW:
            return self._finish(entry, _error(404, 10062, "Unknown interaction"))
        ctype = payload.get("type")
        data = payload.get("data") or {}
        flags = int(data.get("flags") or 0)
        message: JsonObject | None = None
        if ctype == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE:
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
                msg_type=it.response_message_type,
            )
            it.original_id, it.original_created = int(message["id"]), True
        elif ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            it.original_id = self.snowflake()
        elif ctype in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            if it.kind == InteractionType.APPLICATION_COMMAND or it.message_id is None:
                return self._finish(
                    entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
                )
            # For component interactions, @original is the message holding the component.
            it.original_id, it.original_created = it.message_id, True
            if ctype == CallbackType.UPDATE_MESSAGE:
                err = self._validate(data, uploads, it.attachment_size_limit, creating=False)
                if err is not None:
                    return self._finish(entry, err)
                message = self._messages[it.message_id]
                self._edit_message(message, data, uploads)
        elif ctype == CallbackType.MODAL:
            if it.kind == InteractionType.MODAL_SUBMIT:
                return self._finish(
                    entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
                )
            it.modal = {**data, "components": _numbered(data.get("components") or [])}
        elif ctype not in (
            CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
            CallbackType.LAUNCH_ACTIVITY,
        ):
            return self._finish(
                entry, _form_error("type", "INTERACTION_TYPE_INVALID", "Invalid type")
            )
        it.callback_type = ctype
        # Only a new response message takes flags (ephemeral); an update keeps the message's.
        it.callback_flags = flags if ctype in _NEW_MESSAGE_CALLBACKS else 0
        if not _truthy(request.query.get("with_response")):
            return self._finish(entry, web.Response(status=204), it.original_id)
        answered: dict[str, Any] = {
            "id": str(it.id),
            "type": it.kind,
            "activity_instance_id": None,
            "response_message_loading": ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            "response_message_ephemeral": bool(it.callback_flags & EPHEMERAL),
        }
        if it.original_id:
            answered["response_message_id"] = str(it.original_id)
        body: dict[str, Any] = {"interaction": answered}
        if message is not None:
            # Only a callback that made or updated a message (4 or 7) has a resource.
            body["resource"] = {"type": ctype, "message": self.public(message)}
        return self._finish(
            entry, _json_response(body), it.original_id if message is not None else None
        )

    def _webhook_interaction(
        self,
        app: str,
        token: str,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
    ) -> tuple[FakeInteraction, JsonObject] | web.Response:
        """The interaction behind the webhook token and the record of this call, or the
        error response (already recorded once the interaction is known)."""
        it = next((i for i in self.interactions.values() if i.token == token), None)
        if int(app) != self.app_id or it is None:
            return _error(404, 10015, "Unknown Webhook")
        entry = self._record_response(it, "webhook", request, payload or {}, uploads)
        if self.now() - it.created_at > TOKEN_LIFETIME:
            return self._finish(entry, _error(401, 50027, "Invalid Webhook Token"))
        if not it.acknowledged:
            # The interaction webhook only exists once the interaction has been responded to.
            return self._finish(entry, _error(404, 10015, "Unknown Webhook"))
        if REJECTION in request:
            return self._finish(entry, request[REJECTION])
        return it, entry

    def _webhook_message(
        self,
        app: str,
        token: str,
        mid: str,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
    ) -> tuple[FakeInteraction, JsonObject, JsonObject] | web.Response:
        """As _webhook_interaction, plus the message `mid` names (or the 404 for it)."""
        found = self._webhook_interaction(app, token, request, payload, uploads)
        if isinstance(found, web.Response):
            return found
        it, entry = found
        target = self._webhook_target(it, mid)
        if target is None:
            return self._finish(entry, _error(404, 10008, "Unknown Message"))
        return it, entry, target

    def _webhook_target(self, it: FakeInteraction, mid: str) -> JsonObject | None:
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

    def _loading_placeholder(self, it: FakeInteraction) -> JsonObject:
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
            "type": it.response_message_type,
            "flags": LOADING | (it.callback_flags & EPHEMERAL),
            "webhook_id": str(self.app_id),
            "application_id": str(self.app_id),
        }

    def _materialize_original(
        self, it: FakeInteraction, payload: JsonObject, uploads: list[_Upload]
    ) -> JsonObject:
        record = self._new_message(
            it.channel_id,
            payload,
            author=self.bot_user,
            attachments=self._attachments_for(it.channel_id, payload, uploads),
            interaction=it,
            ephemeral=bool(it.callback_flags & EPHEMERAL),
            message_id=it.original_id,
            msg_type=it.response_message_type,
        )
        it.original_created = True
        return record

    async def _webhook_post(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        app: str,
        token: str,
    ) -> web.Response:
        found = self._webhook_interaction(app, token, request, payload, uploads)
        if isinstance(found, web.Response):
            return found
        it, entry = found
        if self.followup_delay_s:
            await asyncio.sleep(self.followup_delay_s)  # a slow Discord: see slow_followups
        bad = self._validate(payload, uploads, it.attachment_size_limit, creating=True)
        if bad is not None:
            return self._finish(entry, bad)
        if (
            it.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            and not it.original_created
        ):
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
                msg_type=it.response_message_type,
            )
        if _truthy(request.query.get("wait")):
            return self._finish(entry, _json_response(self.public(record)), record["id"])
        return self._finish(entry, web.Response(status=204), record["id"])

    async def _webhook_get(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        app: str,
        token: str,
        mid: str,
    ) -> web.Response:
        found = self._webhook_message(app, token, mid, request, payload, uploads)
        if isinstance(found, web.Response):
            return found
        _, entry, target = found
        return self._finish(entry, _json_response(self.public(target)))

    async def _webhook_patch(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        app: str,
        token: str,
        mid: str,
    ) -> web.Response:
        found = self._webhook_message(app, token, mid, request, payload, uploads)
        if isinstance(found, web.Response):
            return found
        it, entry, target = found
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

    async def _webhook_delete(
        self,
        request: web.Request,
        payload: JsonObject,
        uploads: list[_Upload],
        app: str,
        token: str,
        mid: str,
    ) -> web.Response:
        found = self._webhook_message(app, token, mid, request, payload, uploads)
        if isinstance(found, web.Response):
            return found
        it, entry, target = found
        if mid == "@original" and not it.original_created:
            # Deleting a "thinking" response removes it; keep a deleted record for tests.
            target = self._materialize_original(it, {}, [])
        target["deleted"] = True
        self._forget_attachments(target)
        return self._finish(entry, web.Response(status=204))
