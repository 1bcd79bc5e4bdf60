"""Figures 1 and 2: how fast the real bot answers `/r2v generate`, and what it costs itself,
each against a bare bot (`bench.bare_bot`) on the same fakes in the same run.

The real `R2VBot` (`open_bot` + `run_bot`) talks to the loopback FakeDiscord and FakeBailian,
all in this one process and event loop; so does the bare bot, in sessions of its own that
alternate with ours (bare, ours, ours, bare, …), so that a change in the machine's load
weighs on both. Times come from FakeDiscord's clock (monotonic):
`FakeInteraction.created_at` is taken just before INTERACTION_CREATE is written to the gateway,
and each callback/webhook request is stamped (`at`) when the fake receives it.

- Ack latency: first callback (the defer) `at` − `created_at`.
- Per-command work: (the follow-up that shows the task ID) `at` − `created_at`, minus the time
  the fake API spent inside its submit handler, which includes a simulated proxy latency.
  Commands are sent one at a time for this figure, so nothing else shares the loop: the next
  one is sent once the bot has settled, i.e. has also done what it does after showing the task
  ID (our bot posts the status message in the channel, records it and starts tracking).
- The same with two cast members (ours only, against the bare bot's plain command): each such
  command also reads the cast and asks Discord for fresh links of their kept files
  (`POST /attachments/refresh-urls`), and rewrites their names in the prompt.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from bench.bare_bot import BareBot
from bench.common import Row, median, percentile, until, without_user_limits
from bot.api.settings import ApiSettings
from bot.app import open_bot
from bot.config import Config, DiscordSettings
from bot.store.settings import StoreSettings
from bot.tracking.settings import TrackerSettings
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.fake_discord import FakeDiscord, FakeInteraction, run_bot
from fakes.media import make_image

# Ours against the bare bot: ack p99 with BURST commands at once, and per-command work.
ACK_RATIO_TARGET = 1.3
WORK_RATIO_TARGET = 2.0
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
    cast_cost_ms: list[float] = field(default_factory=list)
    answered: int = 0
    sent: int = 0
    burst_size: int = 0

    def extend(self, other: InteractionResults) -> None:
        for name in (
            "ack_single_ms",
            "ack_burst_ms",
            "handling_ms",
            "api_ms",
            "cost_ms",
            "cast_cost_ms",
        ):
            getattr(self, name).extend(getattr(other, name))
        self.answered += other.answered
        self.sent += other.sent
        self.burst_size = other.burst_size


@dataclass
class PairedResults:
    """Our bot and the bare bot, measured the same way in the same run."""

    ours: InteractionResults = field(default_factory=InteractionResults)
    bare: InteractionResults = field(default_factory=InteractionResults)

    def rows(self) -> list[Row]:
        ours, bare = self.ours, self.bare
        burst, peer = ours.burst_size, "bare bot"
        ack99 = percentile(ours.ack_burst_ms, 99)
        bare_ack99 = percentile(bare.ack_burst_ms, 99)
        work, bare_work = median(ours.cost_ms), median(bare.cost_ms)
        n_single, n_burst = len(ours.ack_single_ms), len(ours.ack_burst_ms)
        return [
            Row(
                f"ack latency p50, 1 at once (n={n_single})",
                percentile(ours.ack_single_ms, 50),
                "ms",
                percentile(bare.ack_single_ms, 50),
                peer,
            ),
            Row(
                "ack latency p99, 1 at once",
                percentile(ours.ack_single_ms, 99),
                "ms",
                percentile(bare.ack_single_ms, 99),
                peer,
            ),
            Row(
                f"ack latency p50, {burst} at once (n={n_burst})",
                percentile(ours.ack_burst_ms, 50),
                "ms",
                percentile(bare.ack_burst_ms, 50),
                peer,
            ),
            Row(
                f"ack latency p99, {burst} at once",
                ack99,
                "ms",
                bare_ack99,
                peer,
                f"≤ {ACK_RATIO_TARGET}× bare",
                ack99 <= ACK_RATIO_TARGET * bare_ack99,
            ),
            Row(
                f"command → task ID shown, median (n={len(ours.handling_ms)})",
                median(ours.handling_ms),
                "ms",
                median(bare.handling_ms),
                peer,
            ),
            Row(
                "  of it in the fake API (50 ms simulated proxy)",
                median(ours.api_ms),
                "ms",
                median(bare.api_ms),
                peer,
            ),
            Row(
                "per-command work (task ID shown − fake API), median",
                work,
                "ms",
                bare_work,
                peer,
                f"≤ {WORK_RATIO_TARGET:.0f}× bare",
                work <= WORK_RATIO_TARGET * bare_work,
            ),
            Row(
                f"  the same with 2 cast members, median (n={len(ours.cast_cost_ms)})",
                median(ours.cast_cost_ms),
                "ms",
                bare_work,
                peer,
            ),
            Row(
                "commands answered with a task ID (ours; bare)",
                f"{ours.answered}/{ours.sent}; {bare.answered}/{bare.sent}",
                target="all",
                met=ours.answered == ours.sent and bare.answered == bare.sent,
            ),
        ]


def _first(it: FakeInteraction, kind: str, method: str | None = None) -> dict[str, Any] | None:
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


async def _generate_with_cast(fake: FakeDiscord, seed: int) -> FakeInteraction:
    image = fake.add_attachment("ref.png", "image/png", 50_000, width=800, height=600)
    return await fake.invoke(
        "r2v generate",
        {"prompt": "Mia hands Robot a cup; character1 waves", "cast": "Mia, Robot", "seed": seed},
        attachments={"ref1": image},
    )


async def _add_cast(fake: FakeDiscord, names: tuple[str, ...]) -> None:
    data = make_image(640, 640).read_bytes()
    for name in names:
        ref = fake.add_attachment(
            f"{name}.png", "image/png", len(data), width=640, height=640, data=data
        )
        it = await fake.invoke("r2v cast add", {"name": name}, attachments={"ref": ref})
        await it.wait_private(30)


async def _answered(fake: FakeDiscord, interactions: list[FakeInteraction]) -> None:
    """Wait until every interaction got its task-ID follow-up (bounded)."""
    await fake.wait_for(
        lambda: all(_first(it, "webhook", "PATCH") for it in interactions),
        timeout=30,
        what="every follow-up",
    )


async def run(*, single: int = 100, burst: int = 50, rounds: int = 6) -> PairedResults:
    """`single` commands one at a time, then `rounds` bursts of `burst`, for each bot. The
    machine's load drifts, so the work is cut into `rounds` sessions per bot (each one burst
    and its share of the single commands, after 3 single commands and one burst of warm-up),
    run in pairs that alternate which bot goes first: bare, ours, ours, bare, bare, ours…"""
    results = PairedResults()
    for session in range(rounds):
        share = single // rounds + (1 if session < single % rounds else 0)
        order: tuple[Literal["ours", "bare"], ...] = ("bare", "ours")
        if session % 2:
            order = ("ours", "bare")
        for side in order:
            measured = await _session(side, share, burst)
            (results.ours if side == "ours" else results.bare).extend(measured)
    return results


async def _session(side: Literal["ours", "bare"], single: int, burst: int) -> InteractionResults:
    results = InteractionResults(burst_size=burst)
    plan = TaskPlan(pending_s=3600, running_s=60)  # tasks stay pending: no tracking noise
    api = TimedBailian(submit_latency_s=SUBMIT_LATENCY_S, default_plan=plan)
    with tempfile.TemporaryDirectory(prefix="r2v-bench-") as tmp:
        # The spec checks cost the fake ~4 ms a request, which would count as the bot's time;
        # the test suite runs them, the bench measures the bot.
        async with api, FakeDiscord(check_spec=False) as fake:
            if side == "bare":
                bare = BareBot(guild_id=fake.guild_id, api_base=api.base_url, api_key=api.api_key)
                async with run_bot(bare, fake):
                    await _measure(fake, api, results, single, burst, _done_at_answer)
                return results
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

                async def tracking(commands: int) -> None:
                    # A command goes on after its follow-up: it posts the status message,
                    # records it and hands the task to the tracker, last.
                    await until(
                        lambda: bot.tracker.active_count >= commands,
                        30,
                        f"{commands} commands never all tracked",
                        0.001,
                    )

                await _measure(fake, api, results, single, burst, tracking)
                await _add_cast(fake, ("Mia", "Robot"))
                await _measure_cast(fake, api, results, single, tracking)
    return results


async def _done_at_answer(commands: int) -> None:
    """The bare bot's command ends with its answer."""


async def _measure(
    fake: FakeDiscord,
    api: TimedBailian,
    results: InteractionResults,
    single: int,
    burst: int,
    settled: Callable[[int], Awaitable[None]],
) -> None:
    """`settled(n)` returns once the bot has finished all it does for its first n commands."""
    seed = 0
    # Warm-up: first calls pay for imports, connection set-up and SQLite's first writes.
    for _ in range(3):
        seed += 1
        await _answered(fake, [await _generate(fake, seed)])
        await settled(seed)
    # One at a time: ack latency alone, and the full handling time for the cost figure.
    for _ in range(single):
        seed += 1
        it = await _generate(fake, seed)
        await _answered(fake, [it])
        await settled(seed)
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
    # The first burst pays for opening a connection per concurrent request to the API.
    warm_burst = []
    for _ in range(burst):
        seed += 1
        warm_burst.append(_generate(fake, seed))
    await _answered(fake, list(await asyncio.gather(*warm_burst)))
    await settled(seed)
    # The burst: `burst` commands written to the gateway at once. It starts from a fresh
    # garbage collection: a full one takes 35-50 ms in this process (both bots, the fakes and
    # all they recorded), and whether it falls inside the burst or not would decide the p99.
    gc.collect()
    batch = []
    for _ in range(burst):
        seed += 1
        batch.append(_generate(fake, seed))
    interactions = await asyncio.gather(*batch)
    await _answered(fake, interactions)
    await settled(seed)
    for it in interactions:
        results.sent += 1
        ack = _first(it, "callback")
        followup = _first(it, "webhook", "PATCH")
        assert ack is not None and followup is not None
        if _task_id(api, followup) in api.submit_handling:
            results.answered += 1
        results.ack_burst_ms.append((ack["at"] - it.created_at) * 1000)


async def _measure_cast(
    fake: FakeDiscord,
    api: TimedBailian,
    results: InteractionResults,
    single: int,
    settled: Callable[[int], Awaitable[None]],
) -> None:
    """Per-command work of commands that use two cast members, one at a time."""
    seed = 10_000
    tracked = len(api.submit_handling)
    for index in range(3 + single):  # the first 3 warm up the cast's path
        seed += 1
        it = await _generate_with_cast(fake, seed)
        await _answered(fake, [it])
        await settled(tracked + index + 1)
        followup = _first(it, "webhook", "PATCH")
        assert followup is not None
        task_id = _task_id(api, followup)
        api_time = api.submit_handling.get(task_id or "")
        if task_id is None or api_time is None:
            raise RuntimeError(f"a command with the cast got no task ID: {followup['json']}")
        sent = api.submits[-1].json["input"]
        if len(sent["reference_urls"]) != 3 or not sent["prompt"].startswith("character1 hands"):
            raise RuntimeError(f"the cast was not used as it should be: {sent}")
        if index >= 3:
            handling = followup["at"] - it.created_at
            results.cast_cost_ms.append((handling - api_time) * 1000)


def _task_id(api: TimedBailian, followup: dict[str, Any]) -> str | None:
    """The task ID the follow-up (the status message) shows, among those the fake created."""
    text = json.dumps(followup["json"])
    return next((task_id for task_id in api.submit_handling if task_id in text), None)
