"""The bot's own small web server (R2V_HTTP_ADDR): `GET /healthz` and `GET /metrics`.

It runs in the bot's event loop on aiohttp, which the bot already depends on; nothing else is
served, and nothing it answers names a member, a task or a secret.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
from aiohttp import web

from bot import operator_text
from bot.observe.health import probe
from bot.observe.metrics import Metrics
from bot.observe.settings import HttpAddress, ObserveSettings
from bot.redaction import Redactor
from bot.store.protocol import TaskStore
from bot.version import version

log = logging.getLogger(__name__)


class CannotServe(Exception):
    """The address in R2V_HTTP_ADDR cannot be listened on; the message says so in one sentence."""


class ObserveServer:
    def __init__(
        self,
        address: HttpAddress,
        client: discord.Client,
        store: TaskStore,
        metrics: Metrics,
        *,
        store_timeout_s: float,
        redactor: Redactor,
    ) -> None:
        self._address = address
        self._client = client
        self._store = store
        self._metrics = metrics
        self._store_timeout_s = store_timeout_s
        self._redactor = redactor
        self._runner: web.AppRunner | None = None
        self.port = address.port

    @property
    def url(self) -> str:
        """http://host:port, with the port actually taken."""
        return f"http://{HttpAddress(self._address.host, self.port)}"

    async def start(self) -> None:
        """Listen; raises OSError when the address cannot be taken."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self._address.host, self._address.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        health = await probe(
            self._client,
            self._store.ping,
            timeout_s=self._store_timeout_s,
            redactor=self._redactor,
        )
        body = {**health.body(), "version": version()}
        return web.json_response(body, status=health.http_status)

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body, content_type = self._metrics.exposition(request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})


@asynccontextmanager
async def observing(
    settings: ObserveSettings,
    client: discord.Client,
    store: TaskStore,
    metrics: Metrics,
    redactor: Redactor,
) -> AsyncIterator[ObserveServer | None]:
    """The server while the block runs, or None when R2V_HTTP_ADDR is not set. Raises
    CannotServe when its address cannot be taken."""
    if settings.http_addr is None:
        yield None
        return
    server = ObserveServer(
        settings.http_addr,
        client,
        store,
        metrics,
        store_timeout_s=settings.store_timeout_s,
        redactor=redactor,
    )
    try:
        await server.start()
    except OSError as error:
        sentence = operator_text.http_addr_unusable(str(settings.http_addr), error)
        raise CannotServe(sentence) from None
    log.info("serving %s/healthz and %s/metrics", server.url, server.url)
    try:
        yield server
    finally:
        await server.stop()
