"""Video tests: a traced HTTP session (in place of the plain `http` of tests/conftest.py), a
resolver that answers from a table, and a task finished on the fake API."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from fakes.fake_bailian import FakeBailian, ManualClock, TaskPlan
from tests.common import AUTH

PAYLOAD: dict[str, Any] = {
    "model": "wan2.6-r2v-flash",
    "input": {"prompt": "character1 waves", "reference_urls": ["https://example.com/a.png"]},
    "parameters": {"size": "1920*1080", "duration": 10},
}


@dataclass
class Traffic:
    """Every request and new connection the session made, to prove a refusal sent nothing."""

    requests: list[str] = field(default_factory=list)
    connections: int = 0


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
async def http(traffic: Traffic) -> AsyncIterator[aiohttp.ClientSession]:
    trace = aiohttp.TraceConfig()

    async def on_request(_: Any, __: Any, params: aiohttp.TraceRequestStartParams) -> None:
        traffic.requests.append(str(params.url))

    async def on_connection(_: Any, __: Any, ___: Any) -> None:
        traffic.connections += 1

    trace.on_request_start.append(on_request)
    trace.on_connection_create_start.append(on_connection)
    # Like the bot's own session: a User-Agent only; the API client adds its key per request.
    async with aiohttp.ClientSession(
        headers={"User-Agent": "r2v-bot-test"}, trace_configs=[trace]
    ) as session:
        yield session


class MapResolver(AbstractResolver):
    """Answers names from a table, as a hostile or odd DNS server might; records questions."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"no such host: {host}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        pass


async def finished_task(
    api: FakeBailian, http: aiohttp.ClientSession, clock: ManualClock, plan: TaskPlan
) -> tuple[str, str]:
    """Submit a task that follows `plan`, let it succeed; its id and video URL."""
    api.plan_next(plan)
    async with http.post(f"{api.base_url}/task/bailian/ref2video", json=PAYLOAD, headers=AUTH) as r:
        task_id = (await r.json())["output"]["task_id"]
    clock.advance(plan.pending_s + plan.running_s + 0.5)
    async with http.get(f"{api.base_url}/task/{task_id}", headers=AUTH) as r:
        url = (await r.json())["output"]["video_url"]
    return task_id, url
