"""Is the bot well, for `GET /healthz`: what is checked, and what each answer means.

    ok        200  every gateway connection of this process is up and the store answers.
    degraded  503  the store answers, but a gateway connection is down (at start, or lost and
                   being re-made by discord.py): members' commands do not arrive meanwhile,
                   while tasks already submitted are still followed and delivered (over
                   Discord's REST API, which needs no gateway).
    down      503  the store does not answer, or its file was deleted or replaced while the
                   bot runs (SQLite; the log says what to do), or the bot is stopping: nothing
                   new can be recorded; a restart may be needed.

`assess` decides from plain values; `probe` reads them from the running bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import discord

from bot.redaction import Redactor


class State(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class GatewayLinks:
    """This process's gateway connections: how many are up of how many it should hold."""

    up: int
    expected: int

    @property
    def all_up(self) -> bool:
        return self.expected > 0 and self.up >= self.expected


@dataclass(frozen=True)
class Health:
    state: State
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return 200 if self.state is State.OK else 503

    def body(self) -> dict[str, Any]:
        """The JSON answer: `status`, the `reason` when not ok, and what was seen."""
        answer: dict[str, Any] = {"status": self.state.value}
        if self.reasons:
            answer["reason"] = "; ".join(self.reasons)
        return {**answer, **self.details}


def assess(links: GatewayLinks, store_problem: str | None, *, stopping: bool = False) -> Health:
    """The health from what was seen: the gateway connections, and why the store did not
    answer (None when it did)."""
    reasons: list[str] = []
    if stopping:
        reasons.append("the bot is stopping")
    if store_problem is not None:
        reasons.append(f"the task store is down: {store_problem}")
    if not links.all_up:
        reasons.append(
            f"Discord gateway: {links.up} of {max(links.expected, 1)} connection(s) up "
            "(discord.py reconnects by itself)"
        )
    details = {
        "gateway": {"up": links.up, "expected": links.expected},
        "store": "ok" if store_problem is None else "down",
    }
    if stopping or store_problem is not None:
        state = State.DOWN
    elif reasons:
        state = State.DEGRADED
    else:
        state = State.OK
    return Health(state, tuple(reasons), details)


def gateway_links(client: discord.Client) -> GatewayLinks:
    """The gateway connections `client` holds now. A socket closed by a drop counts as down
    until discord.py has made a new one and sent IDENTIFY or RESUME on it."""
    if isinstance(client, discord.AutoShardedClient):
        shards = client.shards
        expected = len(client.shard_ids) if client.shard_ids else client.shard_count or 0
        up = sum(1 for shard in shards.values() if not shard.is_closed())
        return GatewayLinks(up, max(expected, len(shards)))
    ws = client.ws
    return GatewayLinks(1 if ws is not None and ws.open else 0, 1)


Ping = Callable[[], Awaitable[None]]


async def probe(
    client: discord.Client, ping: Ping, *, timeout_s: float, redactor: Redactor
) -> Health:
    """Ask the store (for at most `timeout_s`) and look at the gateway."""
    problem: str | None = None
    try:
        async with asyncio.timeout(timeout_s):
            await ping()
    except TimeoutError:
        problem = f"no answer within {timeout_s:g} s"
    # Any driver's error, or the store's own StoreFileGone: the store is what is down.
    except Exception as error:
        problem = redactor.text(f"{type(error).__name__}: {error}")
    return assess(gateway_links(client), problem, stopping=client.is_closed())
