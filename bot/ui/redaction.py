"""Nothing secret reaches Discord: every body the bot sends passes through the log redaction.

discord.py sends through two paths. REST calls (messages, edits, command sync) go through
`HTTPClient.request` with `json=`, or `form=` (a `payload_json` part and file parts). Interaction
callbacks and webhook follow-ups/edits go through the webhook adapter's `request`, which discord.py
looks up in the `async_context` context variable, with `payload=` or `multipart=`. Both are
redacted here, for one bot only: the HTTP client of that bot instance is wrapped, and the adapter
is set in the context its tasks run in (`use_in_this_context`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.redaction import Redactor


def redact_rest_calls(client: discord.Client, redactor: Redactor) -> None:
    """Wrap this client's `HTTPClient.request` (an instance attribute; the class stays as is)."""
    send = client.http.request

    async def request(
        route: discord.http.Route,
        *,
        files: Any = None,
        form: Iterable[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        if "json" in kwargs:
            kwargs["json"] = redactor.value(kwargs["json"])
        if kwargs.get("reason"):
            kwargs["reason"] = redactor.text(kwargs["reason"])
        if form is not None:
            form = redact_form(form, redactor)
        return await send(route, files=files, form=form, **kwargs)

    client.http.request = request  # type: ignore[method-assign]


class RedactingWebhookAdapter(AsyncWebhookAdapter):
    """discord.py's webhook adapter, redacting each interaction callback and webhook call."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._redactor = redactor

    async def request(
        self,
        route: Any,
        session: Any,
        *,
        payload: dict[str, Any] | None = None,
        multipart: list[dict[str, Any]] | None = None,
        reason: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if payload is not None:
            payload = self._redactor.value(payload)
        if multipart is not None:
            multipart = redact_form(multipart, self._redactor)
        if reason is not None:
            reason = self._redactor.text(reason)
        return await super().request(
            route, session, payload=payload, multipart=multipart, reason=reason, **kwargs
        )

    def use_in_this_context(self) -> None:
        """Make discord.py use this adapter in the current context and the tasks started from
        it (a bot's gateway, event and view tasks all start from its `start()`)."""
        async_context.set(self)


def redact_form(form: Iterable[dict[str, Any]], redactor: Redactor) -> list[dict[str, Any]]:
    """A multipart form's fields with the JSON part and file names redacted; file data is not
    text the bot wrote and is left alone."""
    redacted = []
    for part in form:
        part = dict(part)
        if part.get("name") == "payload_json" and isinstance(part.get("value"), str):
            payload = redactor.value(json.loads(part["value"]))
            part["value"] = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
        if isinstance(part.get("filename"), str):
            part["filename"] = redactor.text(part["filename"])
        redacted.append(part)
    return redacted
