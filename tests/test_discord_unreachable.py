"""Start-up that waits for Discord: `python -m bot` started while Discord cannot be reached
(nothing listening, then HTTP 503, for about fifteen seconds in all, then the gateway still
answering 503) says so in one line per attempt, never exits, and serves a command once Discord
is back. A refused token still stops it with one line and exit 2.

Discord (its REST API and its gateway) is reached through a small stand-in in front of the
fake Discord: first no port at all (connection refused), then a server answering 503 to
everything, then a plain pass-through, for the REST API first and then for the gateway."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from fakes.fake_discord import FakeDiscord
from tests.common import png
from tests.conftest import eventually
from tests.test_process import bot_env, bot_process, wait_ready

# Hop-by-hop headers, and those aiohttp sets itself for the body it sends.
NOT_PASSED = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class DiscordFront:
    """What the bot takes for Discord: while `rest_failing` (`gateway_failing`) a REST request
    (a gateway connection) is answered 503, else it goes to `upstream` and back unchanged."""

    upstream: str
    rest_failing: bool = True
    gateway_failing: bool = True
    answered_503: int = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        gateway = request.headers.get("Upgrade", "").lower() == "websocket"
        if self.gateway_failing if gateway else self.rest_failing:
            self.answered_503 += 1
            return web.Response(status=503, text="upstream connect error")
        if gateway:
            return await self._gateway(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in NOT_PASSED}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                self.upstream + request.path_qs,
                headers=headers,
                data=await request.read(),
            ) as answer,
        ):
            body = await answer.read()
            back = {k: v for k, v in answer.headers.items() if k.lower() not in NOT_PASSED}
            return web.Response(status=answer.status, body=body, headers=back)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        bot_side = web.WebSocketResponse(max_msg_size=0)
        await bot_side.prepare(request)
        upstream = "ws" + self.upstream.removeprefix("http") + request.path_qs
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(upstream, max_msg_size=0) as fake_side,
        ):
            pumps = [
                asyncio.create_task(_pump(bot_side, fake_side)),
                asyncio.create_task(_pump(fake_side, bot_side)),
            ]
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for pump in pumps:
                pump.cancel()
            await fake_side.close()
        await bot_side.close(code=fake_side.close_code or 1000)
        return bot_side


async def _pump(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    sink: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
) -> None:
    async for message in source:
        if message.type is aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        elif message.type is aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)


@asynccontextmanager
async def listening(front: DiscordFront, port: int) -> AsyncIterator[None]:
    app = web.Application(client_max_size=1024**3)
    app.router.add_route("*", "/{tail:.*}", front.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield
    finally:
        await runner.cleanup()


@dataclass
class Output:
    """The bot process's log, line by line, as it comes."""

    lines: list[str] = field(default_factory=list)

    async def follow(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            self.lines.append(line.decode())

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


async def until(check: Callable[[], bool], what: str) -> None:
    await eventually(lambda: asyncio.sleep(0, check()), timeout=60, what=what)


RETRY = "Discord cannot be reached ("


async def test_discord_unreachable_at_start_is_waited_for_and_then_a_command_is_served(
    tmp_path, fake_api, fake_discord: FakeDiscord
):
    port = free_port()
    front = DiscordFront(upstream=fake_discord.base_url)
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    env["DISCORD_API_BASE"] = f"http://127.0.0.1:{port}/api/v10"
    env["DISCORD_GATEWAY_URL"] = f"ws://127.0.0.1:{port}/"
    output = Output()
    async with bot_process(env, tmp_path) as process:
        reading = asyncio.create_task(output.follow(process))
        # Nothing listens: every attempt is refused.
        await until(lambda: output.count(RETRY) >= 2, "two refused attempts")
        async with listening(front, port):
            # Listening, answering 503 to everything.
            await until(lambda: output.count(RETRY) >= 4, "two attempts answered 503")
            front.rest_failing = False  # the REST API is back: the log-in goes through
            await until(lambda: output.count("WSServerHandshakeError") >= 2, "two gateway 503s")
            refused = output.count(RETRY)
            front.gateway_failing = False  # the gateway is back too
            await wait_ready(fake_discord, process)
            interaction = await fake_discord.invoke(
                "r2v generate",
                {"prompt": "character1 waves"},
                attachments={"ref1": png(fake_discord)},
            )
            answer = await interaction.wait_public()
            assert fake_api.submits[0].task_id in str(answer["embeds"])
            await fake_discord.wait_for(
                lambda: any(m["attachments"] for m in fake_discord.messages()), 30, what="video"
            )
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 60) == 0
        await reading

    text = "".join(output.lines)
    assert "Traceback" not in text
    assert process.returncode == 0, text
    retries = [line for line in output.lines if RETRY in line]
    assert len(retries) == refused, "no attempt after Discord came back"
    refusals, answers_503, gateway_503s = (
        sum(cause in line for line in retries)
        for cause in ("ClientConnectorError", "Discord answered HTTP 503", "WSServerHandshakeError")
    )
    assert refusals >= 2 and answers_503 >= 2 and gateway_503s >= 2
    assert refusals + answers_503 + gateway_503s == len(retries)
    assert front.answered_503 >= 4
    # One line per attempt: discord.py's own lines about the attempts are not repeated.
    assert output.count("logging in using static token") == 1
    assert output.count("reconnecting in") == 0
    waits = [int(line.split("trying again in ")[1].split(" s")[0]) for line in retries]
    assert waits[:4] == [1, 2, 4, 8], "a backoff that grows"
    assert waits[-gateway_503s:][:2] == [1, 2], "and again for the gateway"


async def test_a_refused_token_still_stops_start_up_with_one_line(
    tmp_path, fake_api, fake_discord: FakeDiscord
):
    env = bot_env(fake_api, fake_discord, tmp_path / "tasks.sqlite3")
    env["DISCORD_TOKEN"] = "not-the-fake-token"
    async with bot_process(env, tmp_path) as process:
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    text = output.decode()
    assert process.returncode == 2, text
    assert "Traceback" not in text and RETRY not in text
    assert "r2v-bot: Discord refused DISCORD_TOKEN" in text
