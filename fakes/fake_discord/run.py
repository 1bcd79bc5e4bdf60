"""run_bot: a real discord.py client pointed at the fake for the length of a block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import discord
import yarl

from fakes.fake_discord.common import (
    FakeDiscordError,
)

if TYPE_CHECKING:
    from fakes.fake_discord.server import FakeDiscord


@contextlib.asynccontextmanager
async def run_bot(
    bot: discord.Client,
    fake: FakeDiscord,
    *,
    timeout: float = 10,
) -> AsyncIterator[discord.Client]:
    """Point discord.py at `fake`, start `bot`, wait for on_ready; close and restore on exit."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    task = asyncio.create_task(bot.start(fake.bot_token), name="fake-discord-bot")
    try:
        # A dead task (bad token, malformed event) must fail the test now, not time out.
        await fake.wait_for(lambda: task.done() or bot.is_ready(), timeout, what="bot ready")
        if task.done():
            task.result()
            raise FakeDiscordError("bot.start() returned before the bot became ready")
        yield bot
        if task.done():
            task.result()  # surface a crash that happened during the test
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
