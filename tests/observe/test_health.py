"""GET /healthz: 200 while the gateway is up and the store answers; 503 `degraded` while a
gateway connection is down, `down` while the store does not answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest

from bot.observe.health import GatewayLinks, State, assess
from bot.observe.settings import HttpAddress, ObserveSettings
from bot.version import version
from tests.conftest import eventually, make_config, running
from tests.pg import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # fixtures

LOOPBACK = ObserveSettings(http_addr=HttpAddress("127.0.0.1", 0), store_timeout_s=1.0)


@pytest.mark.parametrize(
    ("links", "store_problem", "stopping", "state", "says"),
    [
        (GatewayLinks(1, 1), None, False, State.OK, None),
        (GatewayLinks(3, 3), None, False, State.OK, None),
        (GatewayLinks(0, 1), None, False, State.DEGRADED, "Discord gateway: 0 of 1"),
        (GatewayLinks(2, 3), None, False, State.DEGRADED, "Discord gateway: 2 of 3"),
        # Before discord.py knows its shards: nothing up is not health.
        (GatewayLinks(0, 0), None, False, State.DEGRADED, "Discord gateway: 0 of 1"),
        (GatewayLinks(1, 1), "no answer within 2 s", False, State.DOWN, "no answer within 2 s"),
        (GatewayLinks(0, 1), "OSError: gone", False, State.DOWN, "store is down: OSError"),
        (GatewayLinks(1, 1), None, True, State.DOWN, "the bot is stopping"),
    ],
)
def test_what_each_answer_means(links, store_problem, stopping, state, says):
    health = assess(links, store_problem, stopping=stopping)

    assert health.state is state
    assert health.http_status == (200 if state is State.OK else 503)
    body = health.body()
    assert body["status"] == state.value
    assert body["gateway"] == {"up": links.up, "expected": links.expected}
    if says is None:
        assert "reason" not in body
    else:
        assert says in body["reason"]


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_healthz_turns_503_while_the_gateway_is_down_and_200_once_it_is_back(
    tmp_path, fake_api, fake_discord
):
    config = make_config(tmp_path, fake_api, fake_discord, observe=LOOPBACK)
    async with running(config, fake_discord) as bot:
        assert bot.observer is not None
        healthz = f"{bot.observer.url}/healthz"
        status, body = await get(healthz)
        assert (status, body["status"]) == (200, "ok"), body
        assert body["version"] == version() and body["store"] == "ok"

        fake_discord.hold_gateway()
        await fake_discord.drop_connection(4000)

        async def degraded() -> tuple[int, dict[str, Any]] | None:
            answer = await get(healthz)
            return answer if answer[1]["status"] != "ok" else None

        seen = await eventually(degraded, what="/healthz to see the lost gateway")
        assert seen is not None
        status, body = seen
        assert status == 503 and body["status"] == "degraded", body
        assert "Discord gateway: 0 of 1 connection(s) up" in body["reason"]
        assert body["store"] == "ok"

        fake_discord.release_gateway()

        async def healthy() -> bool:
            return (await get(healthz))[0] == 200

        await eventually(healthy, what="/healthz to see the gateway back")
        status, body = await get(healthz)
        assert body == {
            "status": "ok",
            "gateway": {"up": 1, "expected": 1},
            "store": "ok",
            "version": version(),
        }


async def test_healthz_says_down_while_the_store_refuses_connections(
    tmp_path, fake_api, fake_discord, postgres_server, postgres_url
):
    config = make_config(tmp_path, fake_api, fake_discord, observe=LOOPBACK)
    config = replace(config, store=replace(config.store, database_url=postgres_url))
    database = urlsplit(postgres_url).path.lstrip("/")

    async def store_outage(on: bool) -> None:
        admin = await asyncpg.connect(postgres_server.url())
        try:
            allow = "false" if on else "true"
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {allow}')
            if on:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    database,
                )
        finally:
            await admin.close()

    async with running(config, fake_discord) as bot:
        assert bot.observer is not None
        healthz = f"{bot.observer.url}/healthz"
        assert (await get(healthz))[0] == 200

        await store_outage(True)
        status, body = await get(healthz)
        assert status == 503 and body["status"] == "down", body
        assert body["reason"].startswith("the task store is down: ")
        assert body["store"] == "down" and body["gateway"] == {"up": 1, "expected": 1}
        assert "password" not in body["reason"].lower()

        await store_outage(False)

        async def healthy() -> bool:
            return (await get(healthz))[0] == 200

        await eventually(healthy, what="/healthz to see the store back")
