"""Figures 1 and 2: how fast the real bot answers `/r2v generate`, and what it costs itself.

The real `R2VBot` (`open_bot` + `run_bot`) talks to the loopback FakeDiscord and FakeBailian,
all in this one process and event loop. Times come from FakeDiscord's clock (monotonic):
`FakeInteraction.created_at` is taken just before INTERACTION_CREATE is written to the gateway,
and each callback/webhook request is stamped (`at`) when the fake receives it.

- Ack latency: first callback (the defer) `at` − `created_at`.
- Bot-side cost: (the follow-up that shows the task ID) `at` − `created_at`, minus the time the
  fake API spent inside its submit handler, which includes a simulated proxy latency. Commands
  are sent one at a time for this figure, so nothing else shares the loop.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.common import Row, median, percentile, without_user_limits
from bot.api.settings import ApiSettings
from bot.app import open_bot
from bot.config import Config, DiscordSettings
from bot.store.settings import StoreSettings
from bot.tracking.settings import TrackerSettings
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeInteraction, run_bot

ACK_TARGET_MS = 50.0
COST_TARGET_MS = 5.0
# Simulated proxy time per submit (the real proxy forwards to Alibaba: hundreds of ms).
SUBMIT_LATENCY_S = 0.05


class TimedBailian(FakeBailian):
    """FakeBailian that waits `submit_latency_s` in each submit and records, per task ID, how long
    its submit handler took (real seconds)."""

    def __init__(self, *, submit_latency_s: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.submit_latency_s = submit_latency_s
        self.submit_handling: dict[str, float] = {}

    async def _handle_submit(self, request: web.Request) -> web.StreamResponse:
        start = time.monotonic()
        if self.submit_latency_s:
            await asyncio.sleep(self.submit_latency_s)
        response = await super()._handle_submit(request)
        body = getattr(response, "body", None)
        if isinstance(body, bytes | bytearray):
            task_id = (json.loads(body).get("output") or {}).get("task_id")
            if task_id:
                self.submit_handling[task_id] = time.monotonic() - start
        return response


@dataclass
class InteractionResults:
    ack_single_ms: list[float] = field(default_factory=list)
    ack_burst_ms: list[float] = field(default_factory=list)
    handling_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    cost_ms: list[float] = field(default_factory=list)
    answered: int = 0
    sent: int = 0
    burst_size: int = 0

    def rows(self) -> list[Row]:
        p99_burst = percentile(self.ack_burst_ms, 99)
        single = f"1 at once (n={len(self.ack_single_ms)})"
        return [
            Row(
                f"ack latency p50, {self.burst_size} at once (n={len(self.ack_burst_ms)})",
                percentile(self.ack_burst_ms, 50),
                "ms",
                peer=percentile(self.ack_single_ms, 50),
                peer_name=single,
            ),
            Row(
                f"ack latency p99, {self.burst_size} at once",
                p99_burst,
                "ms",
                peer=percentile(self.ack_single_ms, 99),
                peer_name="1 at once",
                target=f"< {ACK_TARGET_MS:.0f} ms",
                met=p99_burst < ACK_TARGET_MS,
            ),
            Row(
                f"command → task ID shown, median (n={len(self.handling_ms)})",
                median(self.handling_ms),
                "ms",
                peer=median(self.api_ms),
                peer_name="of it in fake API",
            ),
            Row(
                "bot-side cost per submission, median",
                median(self.cost_ms),
                "ms",
                target=f"< {COST_TARGET_MS:.0f} ms",
                met=median(self.cost_ms) < COST_TARGET_MS,
            ),
            Row(
                "commands answered with a task ID",
                f"{self.answered}/{self.sent}",
                met=self.answered == self.sent,
                target="all",
            ),
        ]


def _first(it: FakeInteraction, kind: str, method: str | None = None) -> dict | None:
    for response in it.responses:
        if response["kind"] != kind or (method and response["method"] != method):
            continue
        if response["status"] is not None and response["status"] < 300:
            return response
    return None


async def _generate(fake: FakeDiscord, seed: int) -> FakeInteraction:
    image = fake.add_attachment("ref.png", "image/png", 50_000, width=800, height=600)
    return await fake.invoke(
        "r2v generate", {"prompt": "character1 waves", "seed": seed}, attachments={"ref1": image}
    )


async def _answered(fake: FakeDiscord, interactions: list[FakeInteraction]) -> None:
    """Wait until every interaction got its task-ID follow-up (bounded)."""
    await fake.wait_for(
        lambda: all(_first(it, "webhook", "PATCH") for it in interactions),
        timeout=30,
        what="every follow-up",
    )


async def run(*, single: int = 100, burst: int = 50, rounds: int = 4) -> InteractionResults:
    results = InteractionResults(burst_size=burst)
    plan = TaskPlan(pending_s=3600, running_s=60)  # tasks stay pending: no tracking noise
    api = TimedBailian(submit_latency_s=SUBMIT_LATENCY_S, default_plan=plan)
    with tempfile.TemporaryDirectory(prefix="r2v-bench-") as tmp:
        async with api, FakeDiscord() as fake:
            config = Config(
                discord=DiscordSettings(token=fake.bot_token, guild_ids=(fake.guild_id,)),
                api=ApiSettings(api_key=api.api_key, base_url=api.base_url),
                store=StoreSettings(Path(tmp) / "tasks.sqlite3"),
                tracker=TrackerSettings(),
                log_level="WARNING",
            )
            config = without_user_limits(config)
            async with (
                open_bot(config, guild_ready_timeout=0.05) as bot,
                run_bot(bot, fake),
            ):
                await _measure(fake, api, results, single, burst, rounds)
    return results


async def _measure(
    fake: FakeDiscord,
    api: TimedBailian,
    results: InteractionResults,
    single: int,
    burst: int,
    rounds: int,
) -> None:
    seed = 0
    # Warm-up: first calls pay for imports, connection set-up and SQLite's first writes.
    for _ in range(3):
        seed += 1
        await _answered(fake, [await _generate(fake, seed)])
    # One at a time: ack latency alone, and the full handling time for the cost figure.
    for _ in range(single):
        seed += 1
        it = await _generate(fake, seed)
        await _answered(fake, [it])
        results.sent += 1
        ack = _first(it, "callback")
        followup = _first(it, "webhook", "PATCH")
        assert ack is not None and followup is not None
        results.ack_single_ms.append((ack["at"] - it.created_at) * 1000)
        handling = followup["at"] - it.created_at
        task_id = _task_id(api, followup)
        api_time = api.submit_handling.get(task_id or "")
        if api_time is not None:
            results.answered += 1
            results.handling_ms.append(handling * 1000)
            results.api_ms.append(api_time * 1000)
            results.cost_ms.append((handling - api_time) * 1000)
    # Bursts: `burst` commands written to the gateway at once.
    for _ in range(rounds):
        batch = []
        for _ in range(burst):
            seed += 1
            batch.append(_generate(fake, seed))
        interactions = await asyncio.gather(*batch)
        await _answered(fake, interactions)
        for it in interactions:
            results.sent += 1
            ack = _first(it, "callback")
            followup = _first(it, "webhook", "PATCH")
            assert ack is not None and followup is not None
            if _task_id(api, followup) in api.submit_handling:
                results.answered += 1
            results.ack_burst_ms.append((ack["at"] - it.created_at) * 1000)


def _task_id(api: TimedBailian, followup: dict) -> str | None:
    """The task ID the follow-up (the status message) shows, among those the fake created."""
    text = json.dumps(followup["json"])
    return next((task_id for task_id in api.submit_handling if task_id in text), None)
