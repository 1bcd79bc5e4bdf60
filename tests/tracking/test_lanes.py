"""The delivery lane's shares, seen through the tracker's notifier seam: one slow video host
holds only its share of the delivery slots, and a video on another host goes at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import aiohttp

from bot.api.client import BailianClient
from bot.store.records import TaskRecord
from bot.store.sqlite import SqliteTaskStore
from bot.tracking.delivery import Delivered, Place
from bot.tracking.progress import Progress
from bot.tracking.tracker import RecordAttempt, Tracker
from fakes.fake_bailian import FakeBailian, TaskPlan
from tests.conftest import FAST_TRACKING, eventually
from tests.tracking.test_tracker import submit

SLOW = "slow.example"


@dataclass
class HostGatedNotifier:
    """Posts at once, except videos on the slow host, which wait until `release` (a host that
    accepted and stalled); counts the deliveries running at once, by host and in all."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    running: Counter[str] = field(default_factory=Counter)
    most: Counter[str] = field(default_factory=Counter)
    most_in_all: int = 0
    delivered: list[str] = field(default_factory=list)

    async def status_changed(self, record: TaskRecord, progress: Progress) -> TaskRecord:
        return record

    async def deliver(self, record: TaskRecord, record_attempt: RecordAttempt) -> Delivered:
        host = urlsplit(record.video_url or "").netloc
        self.running[host] += 1
        self.most[host] = max(self.most[host], self.running[host])
        self.most_in_all = max(self.most_in_all, self.running.total())
        try:
            if host == SLOW:
                await self.release.wait()
            self.delivered.append(record.task_id)
            return Delivered(replace(record, result_message_id=1), Place.CHANNEL)
        finally:
            self.running[host] -= 1


async def test_a_slow_host_holds_only_its_share_and_another_hosts_video_goes_at_once(tmp_path):
    settings = replace(FAST_TRACKING, delivery_concurrency=4, deliveries_per_host=2)
    notifier = HostGatedNotifier()
    async with FakeBailian() as api, aiohttp.ClientSession() as session:
        store = await SqliteTaskStore.open(tmp_path / "t.sqlite3")
        client = BailianClient(session, api.base_url, api.api_key)
        tracker = Tracker(client, store, notifier, settings)
        await tracker.start()
        try:
            api.plan_next(
                *(
                    TaskPlan(pending_s=0, running_s=0, video_link=f"https://{SLOW}/{n}.mp4")
                    for n in range(8)
                )
            )
            slow = [await submit(client, store) for _ in range(8)]
            for record in slow:
                tracker.track(record, delay=0)
            await eventually(
                lambda: asyncio.sleep(0, notifier.running[SLOW] == 2), what="the slow host's share"
            )
            api.plan_next(TaskPlan(pending_s=0, running_s=0, video_link="https://quick.example/v"))
            quick = await submit(client, store)
            tracker.track(quick, delay=0)

            await eventually(lambda: asyncio.sleep(0, quick.task_id in notifier.delivered))
            assert notifier.running[SLOW] == 2 and notifier.delivered == [quick.task_id]

            notifier.release.set()
            await eventually(lambda: asyncio.sleep(0, len(notifier.delivered) == 9))
        finally:
            await tracker.stop()
            await store.close()
    assert notifier.most[SLOW] == 2 and notifier.most_in_all <= 4
    assert sorted(notifier.delivered[1:]) == sorted(r.task_id for r in slow)
