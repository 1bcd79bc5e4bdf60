"""Every REST route the fake serves answers as the spec describes (no response violations),
including those the suite's bots rarely call; a multipart payload_json is checked too."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from fakes.fake_discord import FakeDiscord
from tests.fakes.minibot import mini_bot


async def call(fake: FakeDiscord, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{fake.api_base}{path}", json=body, headers=headers) as resp,
    ):
        data = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, data


async def test_every_route_answers_per_the_spec(fake: FakeDiscord) -> None:
    fake.add_role(1100000000000000099, "artists")
    user_id = fake.default_user["user"]["id"]
    guild, channel, app = fake.guild_id, fake.channel_id, fake.app_id
    posted = fake.post_user_message(None, "hello")
    async with mini_bot(fake):
        it = await fake.invoke("upload", {"size": 10})
        await it.wait_followup()
        hook = f"/webhooks/{app}/{it.token}"
        calls: list[tuple[str, str, Any]] = [  # method, path, JSON body (or None)
            ("GET", "/users/@me", None),
            ("GET", f"/users/{user_id}", None),
            ("POST", "/users/@me/channels", {"recipient_id": user_id}),
            ("GET", "/oauth2/applications/@me", None),
            ("GET", "/applications/@me", None),
            ("GET", "/gateway", None),
            ("GET", "/gateway/bot", None),
            ("GET", f"/applications/{app}/commands", None),
            ("GET", f"/applications/{app}/guilds/{guild}/commands", None),
            ("GET", f"/channels/{channel}", None),
            ("POST", f"/channels/{channel}/typing", None),
            ("GET", f"/channels/{channel}/messages?limit=10", None),
            ("GET", f"/channels/{channel}/messages/{posted['id']}", None),
            ("GET", f"/guilds/{guild}", None),
            ("GET", f"/guilds/{guild}/channels", None),
            ("GET", f"/guilds/{guild}/roles", None),
            ("GET", f"/guilds/{guild}/members/{user_id}", None),
            ("GET", f"/guilds/{guild}/members/{fake.bot_user_id}", None),
            ("GET", f"{hook}/messages/@original", None),
            ("POST", f"{hook}?wait=true", {"content": "more"}),
            ("PATCH", f"{hook}/messages/@original", {"content": "edited"}),
            ("PUT", f"/applications/{app}/commands", []),
            # Unknown things answer Discord's errors, which must match the spec too.
            ("GET", "/channels/1/messages", None),
            ("GET", "/guilds/1", None),
            ("GET", "/users/1", None),
        ]
        for method, path, body in calls:
            status, _ = await call(fake, method, path, body)
            assert status < 500, (method, path, status)
        status, sent = await call(fake, "POST", f"/channels/{channel}/messages", {"content": "x"})
        mid = sent["id"]
        assert (await call(fake, "PATCH", f"/channels/{channel}/messages/{mid}", {"content": "y"}))[
            0
        ] == 200
        assert (await call(fake, "DELETE", f"/channels/{channel}/messages/{mid}"))[0] == 204
        assert (await call(fake, "DELETE", f"{hook}/messages/@original"))[0] == 204
    assert fake.violations == [], "\n".join(map(str, fake.violations))
    assert fake.unhandled == []


async def test_a_multipart_payload_json_is_checked_like_a_json_body(fake: FakeDiscord) -> None:
    form = aiohttp.FormData()
    form.add_field("payload_json", json.dumps({"content": "x", "tts": "yes"}))
    form.add_field("files[0]", b"data", filename="a.txt", content_type="text/plain")
    url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers=headers) as r,
    ):
        assert r.status == 400
        body = await r.json()
    assert body["code"] == 50035 and "tts" in body["errors"]
    [violation] = fake.take_violations()
    assert violation.kind == "request" and violation.errors[0].startswith("tts: ")
    assert fake.messages() == []
