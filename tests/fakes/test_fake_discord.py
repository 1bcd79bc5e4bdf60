"""Self-test of FakeDiscord with a real discord.py bot (no mocks of discord.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from fakes.fake_discord import FakeDiscord, FakeDiscordError, run_bot


@dataclass
class Probe:
    """What the demo bot saw, so tests can assert on the bot side too."""

    errors: list[Exception] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    clicked: list[int] = field(default_factory=list)
    modal_values: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)


def make_bot(fake: FakeDiscord, probe: Probe) -> commands.Bot:
    demo = app_commands.Group(name="demo", description="Demo commands")

    @demo.command(name="echo", description="Echo text (and a file) back")
    async def echo(
        interaction: discord.Interaction, text: str, file: discord.Attachment | None = None
    ) -> None:
        await interaction.response.defer()
        files = [await file.to_file()] if file else []
        try:
            await interaction.followup.send(
                text, files=files, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            probe.errors.append(exc)

    @demo.command(name="slow", description="Answers only when the test opens the gate")
    async def slow(interaction: discord.Interaction) -> None:
        probe.entered.set()
        await probe.gate.wait()
        try:
            await interaction.response.defer()
        except discord.NotFound as exc:
            probe.errors.append(exc)

    @demo.command(name="long", description="Defers, then delivers after the gate opens")
    async def long(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        probe.entered.set()
        await probe.gate.wait()
        try:
            await interaction.followup.send("done")
        except discord.HTTPException as exc:
            probe.errors.append(exc)
            assert interaction.channel is not None
            await interaction.channel.send("done (channel)")  # type: ignore[union-attr]

    @demo.command(name="steps", description="Ephemeral defer, edits, follow-up edit/delete")
    async def steps(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="step 1")
        follow = await interaction.followup.send("step 2", wait=True)
        await follow.edit(content="step 2b")
        probe.seen.append((await interaction.original_response()).content)
        probe.seen.append(str(follow.id))
        await follow.delete()

    class DemoView(discord.ui.View):
        @discord.ui.button(label="OK", custom_id="demo:ok")
        async def ok(
            self, interaction: discord.Interaction, button: discord.ui.Button[DemoView]
        ) -> None:
            probe.clicked.append(interaction.user.id)
            await interaction.response.edit_message(
                content=f"clicked by {interaction.user.name}", view=None
            )

    @demo.command(name="buttons", description="Shows a button")
    async def buttons(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=DemoView())

    class DemoModal(discord.ui.Modal, title="Describe"):
        name_input: discord.ui.TextInput[DemoModal] = discord.ui.TextInput(
            label="Name", custom_id="name"
        )
        # Label-wrapped input: discord.py 2.6+ sends it as a type 18 component.
        notes: discord.ui.Label[DemoModal] = discord.ui.Label(
            text="Notes",
            component=discord.ui.TextInput(
                custom_id="notes", style=discord.TextStyle.paragraph, required=False
            ),
        )

        async def on_submit(self, interaction: discord.Interaction) -> None:
            notes = self.notes.component
            assert isinstance(notes, discord.ui.TextInput)
            probe.modal_values = {"name": self.name_input.value, "notes": notes.value}
            await interaction.response.send_message(f"saved {self.name_input.value}")

    @demo.command(name="form", description="Opens a modal")
    async def form(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(DemoModal())

    async def ping(interaction: discord.Interaction, count: int = 1, loud: bool = False) -> None:
        await interaction.response.send_message(f"pong x{count} loud={loud}", ephemeral=True)

    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"> {message.content}")

    class DemoBot(commands.Bot):
        async def setup_hook(self) -> None:
            guild = discord.Object(fake.guild_id)
            self.tree.add_command(demo, guild=guild)
            self.tree.add_command(
                app_commands.Command(name="ping", description="Ping", callback=ping), guild=guild
            )
            menu = app_commands.ContextMenu(name="Quote", callback=quote)
            self.tree.add_command(menu, guild=guild)
            await self.tree.sync(guild=guild)

    return DemoBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        help_command=None,
        guild_ready_timeout=0.05,
    )


@pytest.fixture
async def probe() -> Probe:
    return Probe()


@pytest.fixture
async def bot(fake: FakeDiscord, probe: Probe) -> AsyncIterator[commands.Bot]:
    async with run_bot(make_bot(fake, probe), fake) as running:
        yield running  # type: ignore[misc]
    assert fake.unhandled == [], [(r.method, r.path) for r in fake.unhandled]


async def http_get(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.read()


def channel(bot: commands.Bot, fake: FakeDiscord) -> discord.TextChannel:
    found = bot.get_channel(fake.channel_id)
    assert isinstance(found, discord.TextChannel)
    return found


async def test_login_sync_and_echo_follow_up(fake: FakeDiscord, bot: commands.Bot) -> None:
    assert fake.identify_payloads and fake.identify_payloads[0]["token"] == fake.bot_token
    demo = next(c for c in fake.registered_commands if c["name"] == "demo")
    echo = next(o for o in demo["options"] if o["name"] == "echo")
    assert {o["name"]: o["type"] for o in echo["options"]} == {"text": 3, "file": 11}

    png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    att = fake.add_attachment("ref.png", "image/png", len(png), width=4, height=4, data=png)
    it = await fake.invoke("demo echo", {"text": "hi @everyone"}, attachments={"file": att})

    first = await it.wait_response()
    assert first["type"] == 5 and first["status"] == 200
    assert it.deferred and not it.ephemeral
    message = await it.wait_followup()
    assert message["content"] == "hi @everyone"
    assert message["interaction_id"] == it.id
    assert message["allowed_mentions"] == {"parse": []}
    assert fake.pinged(message) == {"everyone": False, "users": set(), "roles": set()}
    # The first follow-up after a defer becomes @original.
    assert it.original_message is message
    assert [m["id"] for m in fake.messages(fake.channel_id)] == [message["id"]]
    [uploaded] = message["attachments"]
    assert uploaded["filename"] == "ref.png" and uploaded["size"] == len(png)
    assert "?ex=" in uploaded["url"] and "&hm=" in uploaded["url"]
    assert await http_get(uploaded["url"]) == (200, png)


async def test_edits_and_deletes_through_the_interaction_webhook(
    fake: FakeDiscord, bot: commands.Bot, probe: Probe
) -> None:
    it = await fake.invoke("demo steps", {})
    await fake.wait_for(lambda: len(probe.seen) == 2)
    assert it.deferred and it.ephemeral
    original = await it.wait_followup()
    assert original["content"] == "step 1" and original["flags"] & 64
    assert original in fake.ephemeral_messages and probe.seen[0] == "step 1"
    follow = fake.get_message(probe.seen[1])
    assert follow is not None and follow["content"] == "step 2b"
    assert [e["before"]["content"] for e in follow["edits"]] == ["step 2"]
    await fake.wait_for(lambda: follow.get("deleted"))
    assert fake.messages(fake.channel_id) == []
    methods = [r["method"] for r in it.responses]
    assert methods == ["POST", "PATCH", "POST", "PATCH", "GET", "DELETE"]


async def test_top_level_command_option_types(fake: FakeDiscord, bot: commands.Bot) -> None:
    it = await fake.invoke("ping", {"count": 3, "loud": True})
    response = await it.wait_response()
    assert response["json"]["data"]["content"] == "pong x3 loud=True"
    assert it.ephemeral
    assert fake.messages(fake.channel_id) == []
    assert fake.ephemeral_messages[0]["content"] == "pong x3 loud=True"
    with pytest.raises(FakeDiscordError):
        await fake.invoke("ping", {"count": "3"})  # wrong type: Discord's client won't send it
    with pytest.raises(FakeDiscordError):
        await fake.invoke("demo echo", {})  # missing required option


async def test_late_first_response_is_unknown_interaction(
    fake: FakeDiscord, bot: commands.Bot, probe: Probe
) -> None:
    it = await fake.invoke("demo slow", {})
    await asyncio.wait_for(probe.entered.wait(), 5)
    fake.advance(4)
    probe.gate.set()
    response = await it.wait_response()
    assert response["status"] == 404 and response["error"]["code"] == 10062
    await fake.wait_for(lambda: probe.errors)
    [error] = probe.errors
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert not it.deferred


async def test_second_callback_is_already_acknowledged(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    it = await fake.invoke("demo echo", {"text": "x"})
    await it.wait_followup()
    url = f"{fake.api_base}/interactions/{it.id}/{it.token}/callback?with_response=1"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 5}) as resp:
        assert resp.status == 400
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["code"] == 40060


async def test_token_expiry_falls_back_to_channel_post(
    fake: FakeDiscord, bot: commands.Bot, probe: Probe
) -> None:
    it = await fake.invoke("demo long", {})
    await asyncio.wait_for(probe.entered.wait(), 5)
    fake.advance(901)
    probe.gate.set()
    await fake.wait_for(lambda: fake.messages(fake.channel_id))
    [error] = probe.errors
    assert isinstance(error, discord.HTTPException)
    assert error.status == 401 and error.code == 50027
    [delivered] = fake.messages(fake.channel_id)
    assert delivered["content"] == "done (channel)" and delivered["interaction_id"] is None
    assert it.original_message is None


async def test_allowed_mentions_decide_who_is_pinged(fake: FakeDiscord, bot: commands.Bot) -> None:
    bob, carol = fake.make_user(name="bob"), fake.make_user(name="carol")
    bob_id, carol_id = int(bob["user"]["id"]), int(carol["user"]["id"])
    ch = channel(bot, fake)

    muted = await ch.send("@everyone <@&42> look", allowed_mentions=discord.AllowedMentions.none())
    assert fake.pinged(fake.get_message(muted.id)) == {  # type: ignore[arg-type]
        "everyone": False,
        "users": set(),
        "roles": set(),
    }

    asked = fake.post_user_message(fake.channel_id, "make a video", user=carol)
    target = await ch.fetch_message(int(asked["id"]))
    only_bob = discord.AllowedMentions(
        everyone=False, roles=False, users=[discord.Object(bob_id)], replied_user=False
    )
    reply = await target.reply(f"<@{bob_id}> <@!{carol_id}> @here", allowed_mentions=only_bob)
    stored = fake.get_message(reply.id)
    assert stored is not None and stored["message_reference"]["message_id"] == asked["id"]
    assert fake.pinged(stored) == {"everyone": False, "users": {bob_id}, "roles": set()}

    reply2 = await target.reply("done", allowed_mentions=discord.AllowedMentions(replied_user=True))
    stored = fake.get_message(reply2.id)
    assert stored is not None and fake.pinged(stored)["users"] == {carol_id}


async def test_nonce_deduplicates_channel_posts(fake: FakeDiscord, bot: commands.Bot) -> None:
    ch = channel(bot, fake)
    first = await ch.send("video ready", nonce=123456)
    second = await ch.send("video ready", nonce=123456)
    third = await ch.send("video ready", nonce=654321)
    assert first.id == second.id != third.id
    assert len(fake.messages(fake.channel_id)) == 2
    history = [m.id async for m in ch.history(limit=10)]
    assert history == [third.id, first.id]


async def test_button_click_reaches_the_view(
    fake: FakeDiscord, bot: commands.Bot, probe: Probe
) -> None:
    it = await fake.invoke("demo buttons", {})
    assert (await it.wait_response())["type"] == 4
    shown = it.original_message
    assert shown is not None and shown["content"] == "pick one"
    alice_id = int(fake.default_user["user"]["id"])

    click = await fake.click(int(shown["id"]), "demo:ok")
    response = await click.wait_response()
    assert response["type"] == 7 and response["status"] == 200
    assert probe.clicked == [alice_id]
    assert shown["content"] == "clicked by alice" and shown["components"] == []
    assert shown["edits"][0]["before"]["content"] == "pick one"
    with pytest.raises(FakeDiscordError):
        await fake.click(int(shown["id"]), "demo:ok")  # the button is gone now


async def test_modal_round_trip(fake: FakeDiscord, bot: commands.Bot, probe: Probe) -> None:
    it = await fake.invoke("demo form", {})
    assert (await it.wait_response())["type"] == 9
    assert it.modal is not None and it.modal["title"] == "Describe"
    assert {c["type"] for c in it.modal["components"]} == {1, 18}

    submitted = await fake.submit_modal(it, {"name": "sunset", "notes": "slow pan"})
    response = await submitted.wait_response()
    assert response["json"]["data"]["content"] == "saved sunset"
    assert probe.modal_values == {"name": "sunset", "notes": "slow pan"}
    with pytest.raises(FakeDiscordError):
        await fake.submit_modal(it, {"nope": "x"})


async def test_upload_over_the_interaction_limit_is_413(
    fake: FakeDiscord, bot: commands.Bot, probe: Probe
) -> None:
    data = b"v" * 200
    att = fake.add_attachment("clip.mp4", "video/mp4", len(data), data=data)
    it = await fake.invoke(
        "demo echo", {"text": "big"}, attachments={"file": att}, attachment_size_limit=100
    )
    await fake.wait_for(lambda: probe.errors)
    [error] = probe.errors
    assert isinstance(error, discord.HTTPException)
    assert error.status == 413 and error.code == 40005
    assert it.responses[-1]["files"] == [("clip.mp4", 200, "video/mp4")]
    assert fake.messages(fake.channel_id) == []


async def test_content_limit_and_message_command(fake: FakeDiscord, bot: commands.Bot) -> None:
    ch = channel(bot, fake)
    with pytest.raises(discord.HTTPException) as info:
        await ch.send("x" * 2001)
    assert info.value.status == 400 and info.value.code == 50035
    [violation] = fake.take_violations()
    assert violation.kind == "request" and violation.errors[0].startswith("content: ")

    asked = fake.post_user_message(fake.channel_id, "quote me")
    it = await fake.invoke_message_command("Quote", asked)
    assert (await it.wait_response())["status"] == 200
    assert it.original_message is not None
    assert it.original_message["content"] == "> quote me"


async def test_attachment_urls_expire_and_refresh(fake: FakeDiscord, bot: commands.Bot) -> None:
    att = fake.add_attachment("a.png", "image/png", 3, data=b"abc")
    assert await http_get(att["url"]) == (200, b"abc")
    fake.advance(24 * 3600 + 1)
    assert (await http_get(att["url"]))[0] == 404

    body = {"attachment_urls": [att["url"]]}
    headers = {"Authorization": f"Bot {fake.bot_token}"}
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/attachments/refresh-urls"
        async with session.post(url, json=body, headers=headers) as resp:
            [entry] = (await resp.json())["refreshed_urls"]
    assert entry["original"] == att["url"] and entry["refreshed"] != att["url"]
    assert await http_get(entry["refreshed"]) == (200, b"abc")


async def test_wrong_token_and_unknown_route(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()

    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/nope") as resp:
        assert resp.status == 404
    assert [r.path for r in fake.unhandled] == ["/api/v10/nope"]


async def test_state_survives_a_bot_restart(fake: FakeDiscord) -> None:
    original_base = discord.http.Route.BASE
    async with run_bot(make_bot(fake, Probe()), fake) as first:
        sent = await channel(first, fake).send("before restart")  # type: ignore[arg-type]
    async with run_bot(make_bot(fake, Probe()), fake) as second:
        again = await channel(second, fake).fetch_message(sent.id)  # type: ignore[arg-type]
        it = await fake.invoke("demo echo", {"text": "after restart"})
        assert (await it.wait_followup())["content"] == "after restart"
    assert again.content == "before restart"
    assert fake.gateway_connections == 2 and len(fake.identify_payloads) == 2
    # run_bot restores the class attributes it pointed at the fake.
    assert discord.http.Route.BASE == original_base != fake.api_base
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY.host == "gateway.discord.gg"
    assert fake.unhandled == []


async def test_dropped_gateway_connection_resumes(fake: FakeDiscord, bot: commands.Bot) -> None:
    await fake.drop_connection()
    await fake.wait_for(lambda: any(f["op"] == 6 for f in fake.gateway_received), what="RESUME")
    await fake.wait_for(lambda: fake.connected, what="the resumed connection")
    it = await fake.invoke("demo echo", {"text": "still here"})
    assert (await it.wait_followup())["content"] == "still here"
    assert fake.gateway_connections == 2 and len(fake.identify_payloads) == 1


async def test_a_held_gateway_keeps_the_bot_disconnected_until_released(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.hold_gateway()
    await fake.drop_connection()
    await fake.wait_for(lambda: fake.gateway_connections == 2, what="the bot to reconnect")
    assert not fake.connected and bot.ws is not None and not bot.ws.open
    with pytest.raises(FakeDiscordError, match="no bot shard is connected"):
        await fake.invoke("demo echo", {"text": "nobody hears this"})

    fake.release_gateway()
    await fake.wait_for(lambda: fake.connected, what="the resumed connection")
    it = await fake.invoke("demo echo", {"text": "back"})
    assert (await it.wait_followup())["content"] == "back"
    assert len(fake.identify_payloads) == 1, "resumed, not identified again"


async def test_a_member_can_hold_only_roles_their_server_has(fake: FakeDiscord) -> None:
    with pytest.raises(FakeDiscordError, match="add_role first"):
        fake.make_user(name="lead", roles=[4242])
    fake.add_role(4242, "leads")
    assert fake.make_user(name="lead", roles=[4242])["roles"] == ["4242"]
