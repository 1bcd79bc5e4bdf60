"""The delivery lane: finished tasks are delivered here, beside the polling, never in a poll slot.

A delivery may download a video and re-encode it, which on a bad day takes as long as the
download and ffmpeg limits allow; meanwhile every other task must still be polled. So the
tracker hands each finished task to this lane, which runs its deliveries as tasks of their own:
at most `delivery_concurrency` at once, and at most `deliveries_per_host` of them for videos on
one host, so a host that accepts and then stalls holds only its own share. A delivery waiting
for its host's turn holds no lane slot.

One call of the notifier is one attempt; what an attempt came to and when to try again are
decided by the pure `delivery` module, and the lane saves the outcome's record whole. A delivery
that can still succeed is tried again after a backoff that grows with each failure, through the
tracker's schedule (`LaneOwner.deliver_at`), across restarts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Final, Protocol, assert_never
from urllib.parse import urlsplit

from bot.observe.failure_log import FailureLog
from bot.observe.metrics import Metrics, Route
from bot.store.records import Ending, TaskRecord
from bot.tracking import delivery
from bot.tracking.delivery import (
    Backoff,
    Delivered,
    DeliveryOutcome,
    NotYet,
    OutOfTime,
    Place,
    Redirected,
    RetryAt,
    Undeliverable,
)
from bot.tracking.progress import Progress
from bot.tracking.settings import TrackerSettings

log = logging.getLogger(__name__)

# How a delivered video counts in the metrics, by where it went.
ROUTES: Final = {Place.CHANNEL: Route.CHANNEL, Place.DM: Route.DM, Place.FOLLOWUP: Route.FOLLOWUP}

# Saves a delivery attempt before the notifier posts; returns the record as saved.
RecordAttempt = Callable[[TaskRecord], Awaitable[TaskRecord]]


class Notifier(Protocol):
    """Shows tasks to people. Implemented by the Discord layer."""

    async def status_changed(self, record: TaskRecord, progress: Progress) -> TaskRecord:
        """Show the new status and what it can promise; returns the record with any new
        message id."""
        ...

    async def deliver(self, record: TaskRecord, record_attempt: RecordAttempt) -> DeliveryOutcome:
        """One attempt to post the final message (video, link or explanation of the ending),
        exactly once: `record_attempt` is awaited just before anything is posted."""
        ...


@dataclass(eq=False)
class Tracked:
    """Everything the tracker holds about one task. Its lock is held by whoever acts on the
    task (a poll, a delivery attempt, an admin's untrack), one at a time."""

    record: TaskRecord
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_edit_at: float | None = None
    # A status change not shown yet because the last edit was too recent.
    status_stale: bool = False
    last_polled_at: float | None = None
    # The service's silence past the deadline has been shown (see lifecycle.silence).
    silence_shown: bool = False


class LaneOwner(Protocol):
    """The tracker, as the lane sees it."""

    @property
    def fenced(self) -> bool:
        """True when the tasks may be another process's by now: act on none of them."""
        ...

    def follows(self, tracked: Tracked) -> bool:
        """Whether this task is still followed (not forgotten, delivered or taken over)."""
        ...

    async def save(self, tracked: Tracked, record: TaskRecord) -> bool:
        """Write the record while the task is still ours; False (and the task forgotten) when
        another process has taken it over."""
        ...

    async def close(self, record: TaskRecord) -> None:
        """The task is done: save it so and stop following it."""
        ...

    def deliver_at(self, task_id: str, at: float) -> None:
        """Hand the task back to the lane at `at`."""
        ...


class _TakenOver(Exception):
    """The fenced save of a delivery attempt found the task owned by another process."""


def video_host(record: TaskRecord) -> str | None:
    """The host a delivery of this record may download from (its video link's host and port);
    None when it has no video to fetch."""
    if record.ending is not Ending.SUCCEEDED or not record.video_url:
        return None
    return urlsplit(record.video_url).netloc.lower() or None


class Slots:
    """At most `total` holders at once, and at most `per_host` of them for one host. A holder
    waits for its host's turn first, so waiting on a busy host takes none of the `total`."""

    def __init__(self, total: int, per_host: int) -> None:
        if total < 1 or per_host < 1:
            raise ValueError("slots need total ≥ 1 and per_host ≥ 1")
        self._total = asyncio.Semaphore(total)
        self._per_host = per_host
        self._hosts: dict[str, _HostSlots] = {}

    @asynccontextmanager
    async def slot(self, host: str | None) -> AsyncIterator[None]:
        if host is None:
            async with self._total:
                yield
            return
        # A host's entry lives while someone holds or awaits it, so the map does not grow.
        entry = self._hosts.setdefault(host, _HostSlots(asyncio.Semaphore(self._per_host)))
        entry.users += 1
        try:
            async with entry.free, self._total:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._hosts.pop(host, None)


@dataclass
class _HostSlots:
    free: asyncio.Semaphore
    users: int = 0


class DeliveryLane:
    def __init__(
        self,
        owner: LaneOwner,
        notifier: Notifier,
        settings: TrackerSettings,
        *,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._owner = owner
        self._notifier = notifier
        self._settings = settings
        self._metrics = metrics
        self._failures = FailureLog(log, "delivering tasks")
        self._clock = clock
        self._backoff = Backoff(
            first_s=settings.delivery_retry_first_s, max_s=settings.delivery_retry_max_s
        )
        self._slots = Slots(settings.delivery_concurrency, settings.deliveries_per_host)
        # Deliveries waiting for a slot or running, by task id: one per task at a time.
        self._running: dict[str, asyncio.Task[None]] = {}

    @property
    def busy(self) -> int:
        """Deliveries waiting for their turn or running now."""
        return len(self._running)

    def start(self, tracked: Tracked) -> None:
        """Deliver this task when its turn comes (at once if a slot is free); a task already in
        the lane is left as it is."""
        task_id = tracked.record.task_id
        if task_id in self._running:
            return
        task = asyncio.create_task(self._deliver_in_turn(tracked), name=f"deliver {task_id}")
        self._running[task_id] = task
        task.add_done_callback(lambda _: self._running.pop(task_id, None))

    async def stop(self) -> None:
        running = list(self._running.values())
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def _deliver_in_turn(self, tracked: Tracked) -> None:
        task_id = tracked.record.task_id
        try:
            async with self._slots.slot(video_host(tracked.record)), tracked.lock:
                if not self._owner.follows(tracked):
                    return  # forgotten, delivered or taken over while it waited
                if self._owner.fenced:
                    # Not sure the task is still ours: no post until the lease is re-read.
                    self._owner.deliver_at(task_id, self._clock() + self._settings.min_interval_s)
                    return
                await self._attempt(tracked)
        except Exception as error:
            # One broken delivery must never stop the others: count it and try again later.
            self._failures.failed(error, about=f"task {task_id}")
            if self._owner.follows(tracked):
                self._owner.deliver_at(task_id, self._clock() + self._settings.max_interval_s)

    async def _attempt(self, tracked: Tracked) -> None:
        """One delivery attempt; the outcome's record is saved whole, and a delivery that can
        still succeed is tried again after a backoff that grows with each failure."""
        record = tracked.record

        async def record_attempt(attempt: TaskRecord) -> TaskRecord:
            if not await self._owner.save(tracked, attempt):
                raise _TakenOver(attempt.task_id)  # nothing is posted: its new owner posts
            return attempt

        try:
            outcome = await self._notifier.deliver(record, record_attempt)
        except _TakenOver:
            return  # forgotten by the fenced save
        except Exception as error:
            # A bug or the store down, not Discord's refusal: keep the task and try again later,
            # like trouble that passes, while the result can still be had.
            self._failures.failed(error, about=f"task {record.task_id}")
            current = tracked.record
            outcome = NotYet(current, "unexpected error", delivery.link_expires_at(current))
        now = self._clock()
        match outcome:
            case Delivered(delivered, place, as_link):
                await self._owner.close(delivered)
                self._count_delivery(delivered, place, as_link, now)
                log.info(
                    "task %s delivered (%s) %s, message %s",
                    record.task_id,
                    delivered.ending or delivered.raw_status,
                    place.value,
                    delivered.result_message_id,
                )
            case Redirected(redirected, reason):
                await self._owner.close(redirected)
                log.warning(
                    "task %s not delivered (%s); its status message says where to fetch it",
                    record.task_id,
                    reason,
                )
            case Undeliverable(failed, reason):
                await self._owner.close(failed)
                log.error("task %s could not be delivered anywhere: %s", record.task_id, reason)
            case NotYet(pending, reason, until):
                await self._not_yet(tracked, pending, reason, until, now)
            case _:
                assert_never(outcome)

    async def _not_yet(
        self, tracked: Tracked, pending: TaskRecord, reason: str, until: float, now: float
    ) -> None:
        failures = pending.delivery_attempts + 1
        step = delivery.next_attempt(failures, now, until, self._backoff)
        match step:
            case RetryAt(at):
                waiting = replace(pending, delivery_attempts=failures, next_delivery_at=at)
                if not await self._owner.save(tracked, waiting):
                    return
                log.warning(
                    "delivery of task %s failed (%s), attempt %d; next in %.1f s",
                    pending.task_id,
                    reason,
                    failures,
                    at - now,
                )
                self._owner.deliver_at(pending.task_id, at)
            case OutOfTime():
                await self._owner.close(replace(pending, delivery_attempts=failures))
                log.error(
                    "task %s not delivered: %s, and its result can no longer be had",
                    pending.task_id,
                    reason,
                )
            case _:
                assert_never(step)

    def _count_delivery(self, record: TaskRecord, place: Place, as_link: bool, now: float) -> None:
        """A delivered video counts by its route, with the time since SUCCEEDED was seen."""
        if record.ending is not Ending.SUCCEEDED:
            return  # an explanation of an ending, not a video
        route = Route.LINK if as_link else ROUTES[place]
        since = now - record.finished_at if record.finished_at is not None else None
        self._metrics.delivered(route, since)
