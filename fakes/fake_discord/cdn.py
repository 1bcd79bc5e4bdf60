"""Attachments: stored uploads, signed expiring URLs, the CDN route and refresh-urls.

As on Discord, a link is signed when Discord hands the attachment out (in the message a post
returns, in GET of the message or of the channel's history, in an interaction), and lives 24 h
from then: a message fetched a month later carries links that work again, while the links of
its first answer have expired. Deleting a message deletes its files: the CDN answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlsplit

from aiohttp import web

from fakes.fake_discord.base import FakeDiscordBase
from fakes.fake_discord.common import (
    ATTACHMENT_URL_LIFETIME,
    JsonObject,
    _error,
    _json_response,
    _Upload,
)


class CdnMixin(FakeDiscordBase):
    """Part of FakeDiscord (see server.py)."""

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
    ) -> JsonObject:
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
        }
        # Discord sends dimensions only for media it could measure (never null).
        if width is not None and height is not None:
            att["width"], att["height"] = width, height
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
    ) -> JsonObject:
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

    def _attachments_for(
        self,
        channel_id: int,
        payload: JsonObject,
        uploads: list[_Upload],
        existing: list[JsonObject] | None = None,
    ) -> list[JsonObject]:
        meta = {str(a.get("id")): a for a in payload.get("attachments") or []}
        kept: list[JsonObject] = []
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

    def _fresh_links(self, message: JsonObject) -> JsonObject:
        """A message as Discord hands it out now: its attachments with newly signed links."""
        attachments = []
        for attachment in message.get("attachments") or []:
            path = urlsplit(attachment["url"]).path
            url = self._sign(path)
            attachments.append({**attachment, "url": url, "proxy_url": url})
        return {**message, "attachments": attachments}

    def _forget_attachments(self, message: JsonObject) -> None:
        """A deleted message's files are deleted with it: the CDN no longer serves them."""
        for attachment in message.get("attachments") or []:
            self._blobs.pop(urlsplit(attachment["url"]).path, None)

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

    def fail_refresh(self, status: int, *, times: int = 1) -> None:
        """Make the next `times` refresh-urls requests fail with `status`: a 5xx as when Discord
        is down, a 4xx as when it refuses the request."""
        self._refresh_faults.extend([status] * times)

    async def _refresh_urls(
        self, request: web.Request, payload: JsonObject, uploads: list[_Upload]
    ) -> web.Response:
        if self._refresh_faults:
            status = self._refresh_faults.pop(0)
            # Code 0: not the schema refusal (400 50035) that marks a bot's bad request.
            return _error(status, 0, "Service Unavailable" if status >= 500 else "Refused")
        refreshed = []
        for url in payload.get("attachment_urls") or []:
            path = urlsplit(url).path
            new = self._sign(path) if path in self._blobs else url
            refreshed.append({"original": url, "refreshed": new})
        return _json_response({"refreshed_urls": refreshed})
