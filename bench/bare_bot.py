"""The peer of figures 1 and 2: the least a discord.py bot can do for `/r2v generate`.

It defers at once, submits one fixed request to the API (the same fake, the same simulated
proxy latency) and answers with a fixed follow-up naming the task ID: no validation, no
limits, no store, no embed. Its timings are what discord.py, the loopback HTTP and the fakes
cost by themselves, so our bot's figures are divided by them.
"""

from __future__ import annotations

import aiohttp
import discord
from discord import app_commands

from bench.common import make_request


class BareBot(discord.Client):
    def __init__(self, *, guild_id: int, api_base: str, api_key: str) -> None:
        super().__init__(intents=discord.Intents(guilds=True))
        self.tree = app_commands.CommandTree(self)
        self._guild = discord.Object(guild_id)
        self._submit_url = f"{api_base}/task/bailian/ref2video"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._payload = make_request().to_payload()
        self._session: aiohttp.ClientSession | None = None
        group = app_commands.Group(name="r2v", description="Reference-to-video")
        group.command(name="generate", description="Make a video")(self._generate)
        self.tree.add_command(group, guild=self._guild)

    async def setup_hook(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        await self.tree.sync(guild=self._guild)

    async def close(self) -> None:
        await super().close()
        if self._session is not None:
            await self._session.close()

    async def _generate(
        self,
        interaction: discord.Interaction,
        prompt: str,
        ref1: discord.Attachment | None = None,
        seed: int | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        assert self._session is not None
        async with self._session.post(
            self._submit_url, json=self._payload, headers=self._headers
        ) as response:
            body = await response.json()
        await interaction.edit_original_response(
            content=f"Submitted: task {body['output']['task_id']}"
        )
