"""The tracker against the fake API and a real store; the notifier is the documented seam
(a small recorder here), so these tests see exactly what the tracker hands to Discord."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

import aiohttp
import pytest

from bot.api.client import BailianClient
from bot.api.models import TaskStatus
from bot.generation.files import Reference
from bot.generation.request import GenerationRequest
from bot.store.protocol import TaskStore
from bot.store.records import Ending, Origin, Phase, TaskRecord
from bot.store.sqlite import SqliteTaskStore
from bot.tracking.ownership import SharedLease
from bot.tracking.schedule import schedule_key
from bot.tracking.tracker import Tracker
from fakes.fake_bailian import FakeBailian, Reply, TaskPlan
from fakes.recording import RecordingNotifier
from tests.common import stored
from tests.conftest import FAST_TRACKING, eventually

REQUEST = GenerationRequest(
    model="wan2.6-r2v-flash",
    prompt="character1 waves",
    references=(Reference("https://example.com/a.png", "image", "PNG", "link 1", "a.png"),),
    size="1280*720",
    duration=5,
)


@pytest.fixture
async def parts(tmp_path):
    plan = TaskPlan(pending_s=0.1, running_s=0.1)
    async with FakeBailian(default_plan=plan) as api, aiohttp.ClientSession() as session:
        store = await SqliteTaskStore.open(tmp_path / "t.sqlite3")
        client = BailianClient(session, api.base_url, api.api_key)
        yield api, client, store
        await store.close()


async def submit(
    client: BailianClient, store: TaskStore, owner: str | None = None, **changes
) -> TaskRecord:
    submitted = await client.submit(REQUEST.to_payload())
    now = time.time()
    record = TaskRecord(
        task_id=submitted.task_id,
        origin=Origin(requester_id=1, guild_id=2, channel_id=3),
        request=REQUEST,
        created_at=now,
        deadline_at=now + 60,
        **changes,
    )
    await store.add(record, owner=owner)
    return record


async def closed(store: SqliteTaskStore, task_id: str) -> TaskRecord:
    async def check():
        record = await stored(store, task_id)
        return record if record.phase is Phase.DONE else None

    return await eventually(check, what=f"task {task_id} to close")


async def test_a_task_is_followed_to_its_end_and_delivered_once(parts):
    _, client, store = parts
    notifier = RecordingNotifier()
    tracker = Tracker(client, store, notifier, FAST_TRACKING)
    await tracker.start()
    record = await submit(client, store)
    tracker.track(record, delay=0)
    done = await closed(store, record.task_id)
    await tracker.stop()
    assert done.status is TaskStatus.SUCCEEDED and done.result_message_id == 99
    assert [r.task_id for r in notifier.delivered] == [record.task_id]
    assert "RUNNING" in notifier.statuses
    assert not tracker.is_tracking(record.task_id)


async def test_api_faults_are_retried_and_do_not_stop_other_tasks(parts):
    api, client, store = parts
    notifier = RecordingNotifier()
    tracker = Tracker(client, store, notifier, FAST_TRACKING)
    first = await submit(client, store)
    second = await submit(client, store)
    api.script_query(Reply(500, "InternalError", "boom"), task_id=first.task_id)
    api.script_query(Reply(429, "Throttling", "slow down", retry_after=0.05))
    await tracker.start()
    tracker.track(first, delay=0)
    tracker.track(second, delay=0)
    await closed(store, first.task_id)
    await closed(store, second.task_id)
    await tracker.stop()
    assert {r.task_id for r in notifier.delivered} == {first.task_id, second.task_id}


async def test_a_delivery_that_keeps_failing_ends_when_its_result_can_no_longer_be_had(parts):
    _, client, store = parts
    notifier = RecordingNotifier(failures=10_000)
    settings = replace(FAST_TRACKING, delivery_retry_first_s=0.01, delivery_retry_max_s=0.04)
    tracker = Tracker(client, store, notifier, settings)
    await tracker.start()
    record = await submit(client, store)
    tracker.track(record, delay=0)
    done = await closed(store, record.task_id)
    await tracker.stop()
    assert notifier.delivered == [] and done.result_message_id is None
    assert notifier.attempts == done.delivery_attempts > 6, "retried past the old give-up"
    assert done.video_url, "the result stays in the store for /r2v status"


async def test_restart_resumes_active_tasks_from_the_store(parts):
    _, client, store = parts
    record = await submit(client, store)
    notifier = RecordingNotifier()
    tracker = Tracker(client, store, notifier, FAST_TRACKING)
    await tracker.start()  # picks up the stored task by itself
    await closed(store, record.task_id)
    await tracker.stop()
    assert [r.task_id for r in notifier.delivered] == [record.task_id]


async def test_an_admin_untrack_wins_over_a_poll_in_progress(parts):
    api, client, store = parts
    api.default_plan = TaskPlan(pending_s=30, running_s=30)
    record = await submit(client, store)
    notifier = RecordingNotifier()
    tracker = Tracker(client, store, notifier, FAST_TRACKING)
    await tracker.start()
    await asyncio.gather(tracker.refresh(record.task_id), tracker.forget(record.task_id))
    # A quiet point: a task submitted afterwards is followed to its end, so the tracker has
    # polled past any moment the forgotten task could have come back.
    api.default_plan = TaskPlan(pending_s=0.05, running_s=0.05)
    later = await submit(client, store)
    tracker.track(later)
    await closed(store, later.task_id)
    await tracker.stop()
    stored = await store.get(record.task_id)
    assert stored.phase is Phase.DONE and not tracker.is_tracking(record.task_id)
    assert stored.ending is Ending.UNTRACKED
    assert [r.task_id for r in notifier.delivered] == [later.task_id]


async def test_an_untrack_arriving_after_delivery_keeps_the_result(parts):
    _, client, store = parts
    record = await submit(client, store)
    notifier = RecordingNotifier()
    tracker = Tracker(client, store, notifier, FAST_TRACKING)
    await tracker.start()
    await closed(store, record.task_id)
    assert await tracker.forget(record.task_id) is None
    await tracker.stop()
    stored = await store.get(record.task_id)
    assert stored.status is TaskStatus.SUCCEEDED and stored.result_message_id == 99
    assert stored.error_message is None and stored.ending is Ending.SUCCEEDED


async def test_a_dead_processes_tasks_move_at_its_timeout_not_a_claim_interval_later(
    parts, tmp_path
):
    _, client, store = parts
    # Another process on the same database: it submitted a task, sent one heartbeat, and died.
    await store.heartbeat("dead", time.time())
    orphan = await submit(client, store, owner="dead")
    second = await SqliteTaskStore.open(tmp_path / "t.sqlite3")
    settings = replace(FAST_TRACKING, worker_timeout_s=1.0, claim_interval_s=60.0)
    notifier = RecordingNotifier()
    lease = SharedLease(second, "alive", settings)
    tracker = Tracker(client, second, notifier, settings, lease=lease)
    try:
        await tracker.start()
        assert not tracker.is_tracking(orphan.task_id), "its owner was still live"
        # With a claim every 60 s only, the finished video would wait a minute for anyone.

        async def delivered() -> bool:
            return [r.task_id for r in notifier.delivered] == [orphan.task_id]

        await eventually(delivered, 5, what="the take-over at the timeout")
    finally:
        await tracker.stop()
        await second.close()


async def test_a_lost_database_is_retried_calmly_not_in_a_loop(parts, tmp_path, caplog):
    _, client, _ = parts
    second = await SqliteTaskStore.open(tmp_path / "t.sqlite3")
    settings = replace(FAST_TRACKING, worker_timeout_s=0.4, claim_interval_s=0.1)
    lease = SharedLease(second, "alive", settings)
    tracker = Tracker(client, second, RecordingNotifier(), settings, lease=lease)
    await tracker.start()
    try:
        caplog.set_level(logging.DEBUG, "bot.tracking.ownership")
        await second.close()  # every heartbeat and claim fails from now on
        caplog.clear()
        await asyncio.sleep(0.6)
        failures = [r for r in caplog.records if "heartbeat failed" in r.getMessage()]
        # One retry every 0.1 s (a quarter of the timeout): a handful, not thousands ...
        assert 1 <= len(failures) <= 20, len(failures)
        # ... and only the first of them logged above DEBUG (with its traceback: a closed
        # aiosqlite connection raises ValueError, no outage error a driver raises).
        assert len([r for r in failures if r.levelno > logging.DEBUG]) == 1
    finally:
        await tracker.stop()


async def test_at_start_the_schedule_learns_the_latest_finished_tasks_most(parts):
    _, client, store = parts
    # Yesterday the service took 300 s; for the last 70 tasks it has taken 60 s.
    for number, running_s in enumerate([300.0] * 100 + [60.0] * 70):
        await store.add(
            TaskRecord(
                f"done-{number}",
                Origin(1, 2, 3),
                REQUEST,
                created_at=1_000.0 + number,
                deadline_at=9_999.0,
                status=TaskStatus.SUCCEEDED,
                raw_status="SUCCEEDED",
                phase=Phase.DONE,
                api_times={"running_s": running_s, "queued_s": 5.0},
            )
        )
    tracker = Tracker(client, store, RecordingNotifier(), FAST_TRACKING)
    await tracker.start()
    try:
        typical = tracker.schedule.typical_total(schedule_key(REQUEST))
    finally:
        await tracker.stop()
    assert typical is not None and typical.median_s == pytest.approx(65, rel=0.1)
