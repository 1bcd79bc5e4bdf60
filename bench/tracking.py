"""Figure 3: detection lag (done → noticed) and queries per task, our tracker against the
DashScope SDK's documented `wait()` schedule, on the same fake API in the same run.

Time is compressed: every duration (task plans, the SDK's sleeps, our TrackerSettings) is
divided by `scale`; lags are multiplied back and reported in "real" seconds.

Task durations: generation time depends on (model, size tier, duration) — a per-key median
times a per-task lognormal factor — plus a lognormal queue time. Both factors are derived from
the payload (parameters and seed) by the fake's `plan_factory`, so the SDK's copy and our copy of
the same request get the same plan: the two sides are paired task by task.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    HTTP_TIMEOUT,
    Row,
    make_request,
    make_service,
    median,
    percentile,
    submit_tracked,
    until,
)
from bench.workloads import generation_median_s, sdk_sleep_s
from bot.api.client import BailianClient
from bot.service import GenerationService
from bot.store.sqlite import SqliteTaskStore
from bot.tracking.ownership import SharedLease
from bot.tracking.rate_limit import Cap, QueryShare
from bot.tracking.settings import TrackerSettings
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan
from fakes.recording import RecordingNotifier

# The workload (real seconds).
KEYS = [
    (model, size, duration)
    for model in ("wan2.6-r2v-flash", "wan2.6-r2v")
    for size in ("1280*720", "1920*1080")
    for duration in (5, 10)
]
GENERATION_SIGMA = 0.12  # per-task spread of generation time around its key's median
QUEUE_MEDIAN_S = 15.0
QUEUE_SIGMA = 0.8
QUERIES_RATIO_TARGET = 0.40
# DashScope allows 20 queries/s per account; our cap is set there so it never decides the lag.
QUERY_CAP_PER_S = 20.0
_LATE = "the tracker did not finish in time"


def _normal(seed: int, stream: str) -> float:
    """A standard normal number fixed by (seed, stream)."""
    digest = hashlib.blake2b(f"{seed}/{stream}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big")).gauss(0.0, 1.0)


def durations_s(payload: dict[str, Any]) -> tuple[float, float]:
    """(queue, generation) seconds for a submitted payload, in real (uncompressed) seconds."""
    params = payload["parameters"]
    seed = int(params.get("seed", 0))
    key_median = generation_median_s(payload["model"], params["size"], params.get("duration", 5))
    generation = key_median * math.exp(GENERATION_SIGMA * _normal(seed, "generation"))
    queue = QUEUE_MEDIAN_S * math.exp(QUEUE_SIGMA * _normal(seed, "queue"))
    return queue, generation


def plan_factory(scale: float) -> Callable[[dict[str, Any]], TaskPlan]:
    def plan(payload: dict[str, Any]) -> TaskPlan:
        queue, generation = durations_s(payload)
        return TaskPlan(pending_s=queue / scale, running_s=generation / scale)

    return plan


def compressed(settings: TrackerSettings, scale: float) -> TrackerSettings:
    return replace(
        settings,
        max_queries_per_second=QUERY_CAP_PER_S * scale,
        min_interval_s=settings.min_interval_s / scale,
        max_interval_s=settings.max_interval_s / scale,
        deadline_s=settings.deadline_s / scale,
        status_edit_interval_s=settings.status_edit_interval_s / scale,
    )


@dataclass(frozen=True)
class Pipeline:
    """Our real tracking stack against one fake API: client, store, tracker and service."""

    http: aiohttp.ClientSession
    service: GenerationService
    tracker: Tracker
    notifier: RecordingNotifier


@asynccontextmanager
async def tracking_pipeline(
    fake: FakeBailian, settings: TrackerSettings
) -> AsyncIterator[Pipeline]:
    """Starts `fake` and a running tracker on a temporary store; stops and closes all on exit."""
    async with fake, aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        with tempfile.TemporaryDirectory(prefix="r2v-bench-") as tmp:
            store = await SqliteTaskStore.open(Path(tmp) / "tasks.sqlite3")
            try:
                # The cap as the bot holds it: a share of it granted through the store.
                share = QueryShare(Cap.per_second(settings.max_queries_per_second))
                lease = SharedLease.for_this_process(store, settings, share=share)
                api = BailianClient(http, fake.base_url, fake.api_key, query_limiter=share)
                notifier = RecordingNotifier()
                tracker = Tracker(api, store, notifier, settings, lease=lease)
                service = make_service(api, store, tracker, settings.deadline_s)
                await tracker.start()
                try:
                    yield Pipeline(http, service, tracker, notifier)
                finally:
                    await tracker.stop()
            finally:
                await store.close()


async def sdk_wait(api: BailianClient, task_id: str, scale: float, deadline_s: float) -> None:
    """The SDK's wait(): the documented sleeps, then a query, until a terminal status."""
    give_up = time.monotonic() + deadline_s / scale
    step = 0
    while time.monotonic() < give_up:
        sleep = sdk_sleep_s(step)
        step += 1
        await asyncio.sleep(sleep / scale)
        result = await api.get_task(task_id)
        if result.status.is_terminal:
            return


@dataclass
class TrackingResults:
    scale: float
    warm_tasks: int = 0
    ours_lag_s: list[float] = field(default_factory=list)
    sdk_lag_s: list[float] = field(default_factory=list)
    ours_queries: list[int] = field(default_factory=list)
    sdk_queries: list[int] = field(default_factory=list)
    durations_s: list[float] = field(default_factory=list)
    delivered_once: int = 0
    tracked: int = 0
    wall_s: float = 0.0

    @property
    def log_sigma(self) -> float:
        logs = [math.log(d) for d in self.durations_s if d > 0]
        return statistics.pstdev(logs) if len(logs) > 1 else math.nan

    def rows(self) -> list[Row]:
        sdk = "SDK wait()"
        lag50, sdk50 = median(self.ours_lag_s), median(self.sdk_lag_s)
        lag95, sdk95 = percentile(self.ours_lag_s, 95), percentile(self.sdk_lag_s, 95)
        q_ours, q_sdk = statistics.fmean(self.ours_queries), statistics.fmean(self.sdk_queries)
        n = len(self.ours_lag_s)
        return [
            Row(
                f"detection lag median (n={n} pairs)",
                lag50,
                "s",
                sdk50,
                sdk,
                "≤ SDK",
                lag50 <= sdk50,
            ),
            Row("detection lag p95", lag95, "s", sdk95, sdk, "≤ SDK", lag95 <= sdk95),
            Row(
                "queries per task (mean)",
                q_ours,
                "",
                q_sdk,
                sdk,
                f"≤ {QUERIES_RATIO_TARGET:.2f}× SDK",
                q_ours <= QUERIES_RATIO_TARGET * q_sdk,
            ),
            Row(
                "tracked tasks delivered exactly once",
                f"{self.delivered_once}/{self.tracked}",
                target="all",
                met=self.delivered_once == self.tracked,
            ),
        ]


async def run(
    *,
    warm_per_key: int = 20,
    pairs_per_key: int = 12,
    scale: float = 50.0,
    submit_window_s: float = 400.0,
) -> TrackingResults:
    """Warm our schedule with `warm_per_key` finished tasks per key, then submit
    `pairs_per_key` requests per key twice (ours, SDK's) spread over `submit_window_s`
    (real seconds), and wait for every one to be noticed."""
    results = TrackingResults(scale=scale)
    started = time.monotonic()
    api_fake = FakeBailian()
    api_fake.plan_factory = plan_factory(scale)
    settings = compressed(TrackerSettings(), scale)
    async with tracking_pipeline(api_fake, settings) as pipeline:
        service, tracker, notifier = pipeline.service, pipeline.tracker, pipeline.notifier
        sdk_api = BailianClient(pipeline.http, api_fake.base_url, api_fake.api_key)
        rng = random.Random(2026)
        warm = await _submit_ours(service, rng, warm_per_key, submit_window_s / 2 / scale)
        await until(lambda: not tracker.active_count, 120, _LATE, 0.02)
        results.warm_tasks = len(warm)
        pairs = await _submit_pairs(
            service,
            sdk_api,
            rng,
            pairs_per_key,
            submit_window_s / scale,
            scale,
            settings.deadline_s * scale,
        )
        ours_ids = [ours for ours, _ in pairs]
        await until(lambda: all(i in notifier.delivered_at for i in ours_ids), 120, _LATE, 0.02)
    for ours_id, sdk_id in pairs:
        ours_task, sdk_task = api_fake.tasks[ours_id], api_fake.tasks[sdk_id]
        for task, lags, queries in (
            (ours_task, results.ours_lag_s, results.ours_queries),
            (sdk_task, results.sdk_lag_s, results.sdk_queries),
        ):
            assert task.done_at is not None and task.first_seen_done_at is not None
            lags.append((task.first_seen_done_at - task.done_at) * scale)
            queries.append(task.queries)
        assert ours_task.done_at is not None  # checked in the loop above
        results.durations_s.append((ours_task.done_at - ours_task.submitted_at) * scale)
    tracked = list(warm) + ours_ids
    results.tracked = len(tracked)
    results.delivered_once = sum(1 for i in tracked if len(notifier.delivered_at.get(i, [])) == 1)
    results.wall_s = time.monotonic() - started
    return results


def _requests(rng: random.Random, per_key: int) -> list[Any]:
    requests = [
        make_request(model, size, duration, seed=rng.randrange(2**31))
        for model, size, duration in KEYS
        for _ in range(per_key)
    ]
    rng.shuffle(requests)
    return requests


async def _submit_ours(
    service: GenerationService, rng: random.Random, per_key: int, window_s: float
) -> list[str]:
    requests = _requests(rng, per_key)
    ids = []
    for request in requests:
        record = await submit_tracked(service, request)
        ids.append(record.task_id)
        await asyncio.sleep(rng.expovariate(len(requests) / window_s))
    return ids


async def _submit_pairs(
    service: GenerationService,
    sdk_api: BailianClient,
    rng: random.Random,
    per_key: int,
    window_s: float,
    scale: float,
    deadline_s: float,
) -> list[tuple[str, str]]:
    requests = _requests(rng, per_key)
    pairs = []
    waits: list[asyncio.Task[None]] = []
    for request in requests:
        record = await submit_tracked(service, request)
        sdk_task = await sdk_api.submit(request.to_payload())
        waits.append(asyncio.create_task(sdk_wait(sdk_api, sdk_task.task_id, scale, deadline_s)))
        pairs.append((record.task_id, sdk_task.task_id))
        await asyncio.sleep(rng.expovariate(len(requests) / window_s))
    await asyncio.wait_for(asyncio.gather(*waits), timeout=120)
    return pairs
