"""Channel messages: posts, edits, deletes, history, mentions and the limits on them."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypedDict

from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.channels import MANAGE_MESSAGES, Action
from fakes.fake_discord.common import (
    _PRIVATE_KEYS,
    EPHEMERAL,
    LOADING,
    NONCE_WINDOW,
    UPLOAD_CAPS,
    FakeDiscordError,
    JsonObject,
    MessageType,
    _error,
    _form_error,
    _json_response,
    _Upload,
)

if TYPE_CHECKING:
    from fakes.fake_discord.interactions import FakeInteraction


class Pinged(TypedDict):
    """Who a message notifies (see MessagesMixin.pinged)."""

    everyone: bool
    users: set[int]
    roles: set[int]


def _numbered(components: list[JsonObject]) -> list[JsonObject]:
    """The components with Discord's `id` on each: missing ones are numbered on from the
    largest given id, depth first, as Discord numbers them."""
    components = copy.deepcopy(components)
    tree = list(_walk(components))
    next_id = max((c["id"] for c in tree if isinstance(c.get("id"), int)), default=0) + 1
    for component in tree:
        if component.get("id") is None:
            component["id"] = next_id
            next_id += 1
        emoji = component.get("emoji")
        if isinstance(emoji, dict) and emoji.get("id") is None:
            emoji.pop("id", None)  # a unicode emoji comes back without an id
    return components


def _walk(components: list[JsonObject]) -> Iterator[JsonObject]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from _walk([component[key]])


class MessagesMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

    def messages(self, channel_id: int | None = None) -> list[JsonObject]:
        """Non-ephemeral, non-deleted messages in a channel, oldest first."""
        cid = channel_id or self.channel_id
        return [
            self._messages[mid]
            # Discord orders by id (creation time), e.g. a deferred @original keeps its place.
            for mid in sorted(self._channel_order.get(cid, []))
            if not self._messages[mid].get("deleted")
        ]

    def get_message(self, message_id: int | str) -> JsonObject | None:
        """Any stored message (ephemeral and deleted ones too), by id."""
        return self._messages.get(int(message_id))

    @staticmethod
    def public(message: JsonObject) -> JsonObject:
        """The message as Discord would send it (our bookkeeping keys removed)."""
        out = {k: v for k, v in message.items() if k not in _PRIVATE_KEYS}
        # Discord omits these when unset, and discord.py calls .get() on them when present.
        for key in ("message_reference", "referenced_message", "nonce"):
            if out.get(key) is None:
                out.pop(key, None)
        return out

    def delete_message(self, message_id: int | str) -> None:
        """Someone (a moderator, the author) deletes a message: GET answers 404 10008 from
        then on and its files are gone from the CDN. No gateway event (the bot has no message
        intents)."""
        record = self.get_message(message_id)
        if record is None or record.get("deleted"):
            raise FakeDiscordError(f"no message {message_id} to delete")
        record["deleted"] = True
        self._forget_attachments(record)
        self._bump()

    def post_user_message(
        self,
        channel_id: int | None,
        content: str,
        *,
        attachments: tuple[JsonObject, ...] | list[JsonObject] = (),
        user: JsonObject | None = None,
    ) -> JsonObject:
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
        payload: JsonObject,
        *,
        author: JsonObject,
        attachments: list[JsonObject],
        interaction: FakeInteraction | None = None,
        ephemeral: bool = False,
        message_id: int | None = None,
        msg_type: int | None = None,
    ) -> JsonObject:
        mid = message_id or self.snowflake()
        flags = int(payload.get("flags") or 0)
        if ephemeral:
            flags |= EPHEMERAL
        else:
            flags &= ~EPHEMERAL
        guild = self.guild_of(channel_id)
        reference = payload.get("message_reference")
        referenced = None
        if reference and reference.get("message_id"):
            found = self.get_message(reference["message_id"])
            ref_guild = reference.get("guild_id") or (guild.id if guild is not None else None)
            # Discord answers with a complete reference whose ids are strings.
            reference = {
                "type": reference.get("type", 0),
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
            }
            if ref_guild:
                reference["guild_id"] = str(ref_guild)
            if found is not None:
                referenced = self.public({**found, "referenced_message": None})
        if msg_type is None:
            msg_type = MessageType.REPLY if referenced else MessageType.DEFAULT
        record: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
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
            "components": _numbered(payload.get("components") or []),
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
        if guild is not None:
            record["guild_id"] = str(guild.id)
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

    def _edit_message(
        self, record: JsonObject, payload: JsonObject, uploads: list[_Upload]
    ) -> None:
        before = {k: copy.deepcopy(record[k]) for k in ("content", "embeds", "components")}
        before["attachments"] = list(record["attachments"])
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in payload:
                record[key] = payload[key] if payload[key] is not None else empty
        record["components"] = _numbered(record["components"])
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

    def _fill_mentions(self, record: JsonObject) -> None:
        who = self.pinged(record)
        record["mention_everyone"] = who["everyone"]
        record["mentions"] = [self._users[u] for u in sorted(who["users"]) if u in self._users]
        record["mention_roles"] = [str(r) for r in sorted(who["roles"])]

    def pinged(self, message: JsonObject) -> Pinged:
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

    def _validate(
        self, payload: JsonObject, uploads: list[_Upload], limit: int, *, creating: bool
    ) -> web.Response | None:
        # Field limits (content length, embed count, ...) are checked against the spec first.
        content = payload.get("content")
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
        if any(len(u.data) > limit for u in uploads):
            # Discord's caps are per attachment.
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

    async def _channel_post(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str
    ) -> web.Response:
        channel_id = int(cid)
        denied = self._channel_gate(channel_id, Action.SEND, uploading=bool(uploads))
        if denied is not None:
            return denied
        err = self._validate(
            payload, uploads, self._channel_upload_limit(channel_id), creating=True
        )
        if err is not None:
            return err
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None and self.now() - seen[1] < NONCE_WINDOW:
                return _json_response(self.public(self._messages[seen[0]]))
        ref = payload.get("message_reference") or {}
        dangling = ref.get("message_id") and self.get_message(ref["message_id"]) is None
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

    def _channel_upload_limit(self, channel_id: int) -> int:
        """The bot's own posts are capped per attachment by the guild's boost tier (a DM by
        the default tier's cap), whatever the members' Nitro allows."""
        guild = self.guild_of(channel_id)
        return guild.upload_limit if guild is not None else UPLOAD_CAPS[0]

    def _channel_message(self, cid: str, mid: str, action: Action) -> JsonObject | web.Response:
        if (denied := self._channel_gate(int(cid), action)) is not None:
            return denied
        record = self.get_message(mid)
        if (
            record is None
            or record.get("deleted")
            or record["ephemeral"]
            or record["channel_id"] != cid
        ):
            return _error(404, 10008, "Unknown Message")
        return record

    async def _channel_get_message(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str, mid: str
    ) -> web.Response:
        found = self._channel_message(cid, mid, Action.READ)
        if isinstance(found, web.Response):
            return found
        return _json_response(self._fresh_links(self.public(found)))

    async def _channel_patch(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str, mid: str
    ) -> web.Response:
        found = self._channel_message(cid, mid, Action.EDIT)
        if isinstance(found, web.Response):
            return found
        if found["author"]["id"] != self.bot_user["id"]:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        limit = self._channel_upload_limit(int(cid))
        err = self._validate(payload, uploads, limit, creating=False)
        if err is not None:
            return err
        self._edit_message(found, payload, uploads)
        return _json_response(self.public(found))

    async def _channel_delete(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str, mid: str
    ) -> web.Response:
        found = self._channel_message(cid, mid, Action.EDIT)
        if isinstance(found, web.Response):
            return found
        not_own = found["author"]["id"] != self.bot_user["id"]
        if not_own and not self.permissions_in(int(cid)) & MANAGE_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        found["deleted"] = True
        self._forget_attachments(found)
        return web.Response(status=204)

    async def _history(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload], cid: str
    ) -> web.Response:
        """GET /channels/{id}/messages as Discord pages it: newest first; `before` the newest
        older ones, `after` the oldest newer ones, `around` both sides of a moment."""
        channel_id = int(cid)
        if (denied := self._channel_gate(channel_id, Action.HISTORY)) is not None:
            return denied
        if self._history_hidden(channel_id):
            return _json_response([])
        query = request.query
        limit = int(query.get("limit", 50))  # 1-100, checked against the spec already
        msgs = self.messages(channel_id)  # oldest first
        if "around" in query:
            around = int(query["around"])
            older = [m for m in msgs if int(m["id"]) <= around]
            newer = [m for m in msgs if int(m["id"]) > around]
            # Half the limit on each side of the moment (the message itself counts as older).
            take_newer = min(len(newer), limit // 2)
            take_older = min(len(older), limit - take_newer)
            take_newer = min(len(newer), limit - take_older)
            page = older[len(older) - take_older :] + newer[:take_newer]
        elif "before" in query:
            before = int(query["before"])
            page = [m for m in msgs if int(m["id"]) < before][-limit:]
        elif "after" in query:
            after = int(query["after"])
            page = [m for m in msgs if int(m["id"]) > after][:limit]
        else:
            page = msgs[-limit:]
        return _json_response([self._fresh_links(self.public(m)) for m in reversed(page)])
