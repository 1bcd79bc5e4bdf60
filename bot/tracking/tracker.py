"""The tracker: a background service that polls every active task until it ends, hands the
result to the notifier and never stops because one task fails.

It knows nothing of Discord: it talks to a `Notifier`. What one answer of the API means is
decided by the pure `lifecycle` module; this module schedules, saves whole records and retries.
Every task has a deadline; statuses the contract does not name count as still running until
then. `start()` learns typical generation times from finished tasks and resumes every active
task its lease gives it (a delivery waiting out its backoff at its recorded time).

A finished task is handed to the delivery lane (`lane`), which delivers it beside the polling,
never in a poll slot: a slow video host or a stuck re-encode holds no other member's task.

Which tasks are its own is its lease's business (`ownership`): a process alone on its store
resumes every active task; processes sharing one store each follow the tasks they submitted and
those their lease claims, save through the lease (a save that changes nothing means another
process took the task over, and the task is forgotten here), and act on none while the lease is
fenced.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import assert_never

from bot.api.client import API_DOWN, BailianClient
from bot.api.errors import ApiError, AuthenticationError
from bot.api.models import TaskStatus
from bot.observe.failure_log import FailureLog
from bot.observe.metrics import Metrics
from bot.store.protocol import TaskStore
from bot.store.records import Ending, Phase, TaskRecord
from bot.tracking import delivery, lifecycle
from bot.tracking.lane import DeliveryLane, Notifier, RecordAttempt, Tracked
from bot.tracking.lifecycle import Ended, KeepAsking, Progressed, Silent, Unchanged, Unreachable
from bot.tracking.ownership import Lease, SoleLease
from bot.tracking.progress import Progress, progress_of
from bot.tracking.schedule import PollContext, PollSchedule, poll_context
from bot.tracking.settings import TrackerSettings

log = logging.getLogger(__name__)

__all__ = ["Notifier", "RecordAttempt", "Tracker"]

# Finished tasks the schedule learns from at start.
HISTORY_SAMPLES = 500
# How often the backlog of due polls is ranked again when it exceeds the free slots.
RANK_EVERY_S = 0.5
# Tasks one process follows per poll slot: a poll takes a fraction of a second and a task is
# polled every few seconds at most, so a slot serves hundreds. Claims stop at this capacity.
TASKS_PER_POLL_SLOT = 1000


class Tracker:
    def __init__(
        self,
        api: BailianClient,
        store: TaskStore,
        notifier: Notifier,
        settings: TrackerSettings,
        *,
        schedule: PollSchedule | None = None,
        clock: Callable[[], float] = time.time,
        lease: Lease | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._api = api
        self._metrics = metrics or Metrics()
        self._store = store
        self._notifier = notifier
        self._settings = settings
        self.schedule = schedule or PollSchedule(
            min_interval_s=settings.min_interval_s,
            max_interval_s=settings.max_interval_s,
            jitter=settings.jitter,
        )
        self._clock = clock
        self._lease = lease if lease is not None else SoleLease(store)
        self._lane = DeliveryLane(self, notifier, settings, metrics=self._metrics, clock=clock)
        self._tasks: dict[str, Tracked] = {}
        self._due: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False
        # An outage fails every poll of every task: a few lines with counts, not one each.
        self._poll_failures = FailureLog(log, "following tasks")
        self._status_failures = FailureLog(log, "showing tasks' status messages")
        self._query_failures = FailureLog(log, "querying the API for tasks", expected=API_DOWN)

    @property
    def active_count(self) -> int:
        return len(self._tasks)

    @property
    def owner(self) -> str | None:
        """This process's owner id in the store, or None when it does not share the store."""
        return self._lease.owner

    @property
    def capacity(self) -> int:
        """How many tasks this tracker takes on by claiming."""
        return self._settings.concurrency * TASKS_PER_POLL_SLOT

    async def start(self) -> None:
        """Learn from finished tasks, take the active tasks the lease gives this process to
        follow, start polling."""
        # Oldest first: the schedule weighs its latest samples most.
        for record in reversed(await self._store.recent_finished(limit=HISTORY_SAMPLES)):
            self.schedule.learn_from(record)
        await self._lease.start(self)
        self._runner = asyncio.create_task(self._run(), name="r2v-tracker")

    async def stop(self) -> None:
        # A flag, not only cancel(): the loop checks it between waits, so a cancellation that
        # lands while the loop is between awaits cannot leave it running.
        self._stopping = True
        self._wake.set()
        if self._runner:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._lane.stop()
        await self._lease.release()

    def track(self, record: TaskRecord, *, delay: float | None = None) -> None:
        """Follow a task (already in the store) from now on."""
        self._tasks[record.task_id] = Tracked(record)
        if delay is None:
            delay = self.schedule.next_delay(self._context(record))
        self._push(record.task_id, self._clock() + delay)

    def adopt(self, records: Iterable[TaskRecord]) -> None:
        """Follow tasks the lease gives this process (resumed or claimed), each from where the
        store left it; a task already followed is kept as it is."""
        for record in records:
            if record.task_id not in self._tasks:
                self.track(record, delay=delivery.resume_delay(record, self._clock()))

    def keep_only(self, task_ids: Collection[str]) -> int:
        """Stop following every task not in `task_ids` (the lease lost them); returns how many
        were dropped."""
        lost = [task_id for task_id in self._tasks if task_id not in task_ids]
        for task_id in lost:
            del self._tasks[task_id]
        return len(lost)

    def hand_over(self, count: int) -> list[TaskRecord]:
        """Stop following up to `count` tasks for another process to take (the lease gives them
        up): those polled longest ago, none being polled or delivered. A poll already launched
        for one finds it forgotten once it holds the task's lock, and does nothing."""
        idle = [
            tracked
            for tracked in self._tasks.values()
            if tracked.record.phase is Phase.TRACKING and not tracked.lock.locked()
        ]
        idle.sort(key=lambda t: t.last_polled_at or t.record.created_at)
        for tracked in idle[:count]:
            del self._tasks[tracked.record.task_id]
        return [tracked.record for tracked in idle[:count]]

    def tracked_records(self) -> list[TaskRecord]:
        """The records of every task followed now, as last seen."""
        return [tracked.record for tracked in self._tasks.values()]

    def is_tracking(self, task_id: str) -> bool:
        return task_id in self._tasks

    def progress(self, record: TaskRecord) -> Progress:
        """What the status of a task can promise, from what this tracker has learnt and
        follows."""
        return progress_of(
            record,
            self.schedule,
            (tracked.record for tracked in self._tasks.values()),
            self._settings.account_concurrency,
            self._clock(),
        )

    async def refresh(self, task_id: str) -> TaskRecord | None:
        """Query a task now (the Refresh button); returns its record afterwards. A task this
        tracker does not follow (another process owns it) is queried and shown, never saved
        nor tracked here: its owner does that."""
        tracked = self._tasks.get(task_id)
        if tracked is None:
            return await self._look_at(task_id)
        await self._poll(tracked, reschedule=False)
        current = self._tasks.get(task_id)
        return current.record if current else await self._store.get(task_id)

    async def note(
        self, task_id: str, change: Callable[[TaskRecord], TaskRecord]
    ) -> TaskRecord | None:
        """Record a fact about a followed task that polling does not see (who asked to cancel
        it), between polls, so the record delivered carries it. None when this process does
        not follow the task (its owner's copy would overwrite a write from here)."""
        tracked = self._tasks.get(task_id)
        if tracked is None:
            return None
        async with tracked.lock:
            if self._tasks.get(task_id) is not tracked:
                return None
            record = change(tracked.record)
            if not await self._save(tracked, record):
                return None
        return record

    async def forget(self, task_id: str) -> TaskRecord | None:
        """Stop following a task (an admin's choice): it ends UNTRACKED. Waits for a poll in
        progress, so that poll cannot bring the task back. Returns None when the task had
        already ended (its result is kept)."""
        tracked = self._tasks.get(task_id)
        lock = tracked.lock if tracked else asyncio.Lock()
        async with lock:
            self._tasks.pop(task_id, None)
            stored = await self._store.get(task_id)
            if stored is None or not stored.is_active:
                return None
            record = lifecycle.give_up(stored, Ending.UNTRACKED, self._clock())
            await self._store.save(record)
            await self._store.add_event(task_id, self._clock(), Ending.UNTRACKED.name)
        log.info("task %s no longer tracked", task_id)
        return record

    async def _look_at(self, task_id: str) -> TaskRecord | None:
        record = await self._store.get(task_id)
        if record is None or not record.is_active or record.phase is Phase.DELIVERING:
            return record
        try:
            result = await self._api.get_task(task_id)
        except ApiError:
            return record
        return lifecycle.observe(record, result, self._clock()).record

    def _push(self, task_id: str, due: float) -> None:
        heapq.heappush(self._due, (due, next(self._order), task_id))
        self._wake.set()

    async def _run(self) -> None:
        # Polls that are due but wait for a free slot. When more are due than the slots and
        # the query cap allow, the ones most likely to find their task ended go first.
        ready: dict[str, Tracked] = {}
        # The backlog's order, ranked at most every RANK_EVERY_S: ranking costs a priority per
        # waiting task, and a slot frees many times a second under load. Polls that became due
        # since the last ranking wait behind the ranked ones until the next.
        ranked: list[str] = []
        ranked_at = -math.inf
        while not self._stopping:
            self._wake.clear()
            now = self._clock()
            while self._due and self._due[0][0] <= now:
                _, _, task_id = heapq.heappop(self._due)
                tracked = self._tasks.get(task_id)
                if tracked is None:
                    continue
                if tracked.record.phase is Phase.DELIVERING:
                    self._to_lane(tracked)  # takes no poll slot
                else:
                    ready[task_id] = tracked
            free = self._settings.concurrency - len(self._in_flight)
            if ready and free > 0:
                order: Iterable[str]
                if len(ready) <= free:
                    order = list(ready)  # room for every one: no ranking needed
                else:
                    if now - ranked_at >= RANK_EVERY_S or not any(i in ready for i in ranked):
                        ranked = sorted(ready, key=lambda i: self._priority(ready[i]), reverse=True)
                        ranked_at = now
                    order = itertools.chain(ranked, list(ready))
                for task_id in order:
                    if self._slots.locked():
                        break
                    tracked = ready.pop(task_id, None)
                    if tracked is not None and self._tasks.get(task_id) is tracked:
                        await self._slots.acquire()  # free (not locked): returns at once
                        self._launch(tracked)
            if self._stopping:
                return
            # A freed slot wakes the loop too (see _poll_in_slot).
            timeout = self._due[0][0] - self._clock() if self._due else None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    def _launch(self, tracked: Tracked) -> None:
        task_id = tracked.record.task_id
        task = asyncio.create_task(self._poll_in_slot(tracked), name=f"poll {task_id}")
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    def _priority(self, tracked: Tracked) -> float:
        now = self._clock()
        since = now - (tracked.last_polled_at or tracked.record.created_at)
        return self.schedule.priority(self._context(tracked.record), since)

    async def _poll_in_slot(self, tracked: Tracked) -> None:
        tracked.last_polled_at = self._clock()
        try:
            await self._poll(tracked, reschedule=True)
        except Exception as error:
            # One broken task must never stop the others: count it and try again later.
            self._poll_failures.failed(error, about=f"task {tracked.record.task_id}")
            self._retry_later(tracked)
        finally:
            self._slots.release()
            self._wake.set()

    def _retry_later(self, tracked: Tracked) -> None:
        if self._tasks.get(tracked.record.task_id) is tracked:
            self._push(tracked.record.task_id, self._clock() + self._settings.max_interval_s)

    async def _poll(self, tracked: Tracked, *, reschedule: bool) -> None:
        async with tracked.lock:
            if self._tasks.get(tracked.record.task_id) is not tracked:
                return  # forgotten or delivered while this poll waited for the lock
            if self._lease.fenced:
                # Not sure the task is still ours: neither query nor deliver until re-claimed.
                if reschedule:
                    self._push(
                        tracked.record.task_id, self._clock() + self._settings.min_interval_s
                    )
                return
            if tracked.record.phase is Phase.DELIVERING:
                self._to_lane(tracked)
                return
            # Ask even past the deadline: after downtime the video may be done and still
            # downloadable, and it must not be written off unseen.
            try:
                result = await self._api.get_task(tracked.record.task_id)
            except ApiError as error:
                await self._query_failed(tracked, error, reschedule)
                return
            self._query_failures.succeeded()
            now = self._clock()
            step = lifecycle.observe(tracked.record, result, now)
            match step:
                case Unchanged(record):
                    tracked.record = record
                case Progressed(record, previous, status_changed):
                    if not await self._save(tracked, record):
                        return
                    if status_changed:
                        self._log_change(record, previous, result.request_id)
                        await self._store.add_event(record.task_id, now, record.raw_status)
                        tracked.status_stale = True
                case Ended(record, previous):
                    self.schedule.learn_from(record)
                    if not await self._save(tracked, record):
                        return
                    if (billed := record.billed) is not None:
                        self._metrics.spent(billed.seconds, billed.amount)
                    self._log_change(record, previous, result.request_id)
                    await self._store.add_event(record.task_id, now, record.raw_status)
                    self._lane.start(tracked)
                    return
                case _:
                    assert_never(step)
            if tracked.status_stale:
                await self._show_status(tracked, now)
            if lifecycle.past_deadline(tracked.record, now):
                await self._give_up(tracked, Ending.DEADLINE)
            elif reschedule:
                delay = self.schedule.next_delay(self._context(tracked.record))
                self._push(tracked.record.task_id, now + delay)

    async def _save(self, tracked: Tracked, record: TaskRecord) -> bool:
        """Write the record while the task is still this tracker's; False (and the task
        forgotten here) when another process has taken it over."""
        if not await self._lease.save(record):
            if self._tasks.get(record.task_id) is tracked:
                del self._tasks[record.task_id]
            return False
        tracked.record = record
        return True

    def _log_change(self, record: TaskRecord, previous: str, request_id: str | None) -> None:
        log.info(
            "task %s: %s -> %s (request_id=%s)",
            record.task_id,
            previous,
            record.raw_status,
            request_id,
        )
        if record.status is TaskStatus.OTHER:
            log.warning(
                "task %s has status %r, which the contract does not name; treating it as "
                "running until its deadline",
                record.task_id,
                record.raw_status,
            )

    async def _query_failed(self, tracked: Tracked, error: ApiError, reschedule: bool) -> None:
        level = logging.ERROR if isinstance(error, AuthenticationError) else logging.WARNING
        if isinstance(error, API_DOWN):
            self._query_failures.failed(error, about=f"task {tracked.record.task_id}", level=level)
        else:
            log.log(
                level,
                "query of task %s failed: %s (request_id=%s)",
                tracked.record.task_id,
                type(error).__name__,
                error.request_id,
            )
        now = self._clock()
        step = lifecycle.after_failed_query(tracked.record, now)
        match step:
            case Unreachable():
                await self._give_up(tracked, Ending.UNREACHABLE)
                return
            case Silent(since, until):
                if not tracked.silence_shown:
                    tracked.silence_shown = tracked.status_stale = True
                    log.warning(
                        "task %s is past its deadline and the service has not answered about "
                        "it for %.0f s; asking on until the end of its link's lifetime, in %.0f s",
                        tracked.record.task_id,
                        now - since,
                        until - now,
                    )
                    # The store keeps the time of the last answer, for /r2v status too.
                    if not await self._save(tracked, tracked.record):
                        return
                if tracked.status_stale:
                    await self._show_status(tracked, now)
            case KeepAsking():
                pass
            case _:
                assert_never(step)
        if reschedule:
            self._retry_later(tracked)

    async def _show_status(self, tracked: Tracked, now: float) -> None:
        last = tracked.last_edit_at
        if last is not None and now - last < self._settings.status_edit_interval_s:
            return  # still stale: shown at a later poll
        tracked.last_edit_at = now
        tracked.status_stale = False
        record = tracked.record
        try:
            shown = await self._notifier.status_changed(record, self.progress(record))
        except Exception as error:  # Discord down: a few lines with counts, not one each
            self._status_failures.failed(error, about=f"task {record.task_id}")
            return
        self._status_failures.succeeded()
        if shown.status_message_id != record.status_message_id:
            await self._save(tracked, replace(record, status_message_id=shown.status_message_id))

    async def _give_up(self, tracked: Tracked, ending: Ending) -> None:
        """End a task the service has not finished: stop polling, tell the requester."""
        log.warning("task %s given up: %s", tracked.record.task_id, ending.value)
        now = self._clock()
        if not await self._save(tracked, lifecycle.give_up(tracked.record, ending, now)):
            return
        await self._store.add_event(tracked.record.task_id, now, ending.name)
        self._lane.start(tracked)

    def _to_lane(self, tracked: Tracked) -> None:
        """A finished task's delivery, unless it waits out a backoff (then its turn in the
        schedule comes at that time)."""
        at = tracked.record.next_delivery_at
        if at is None or at <= self._clock():
            self._lane.start(tracked)

    # -- what the delivery lane asks (LaneOwner) ---------------------------------------------

    @property
    def fenced(self) -> bool:
        return self._lease.fenced

    def follows(self, tracked: Tracked) -> bool:
        return self._tasks.get(tracked.record.task_id) is tracked

    async def save(self, tracked: Tracked, record: TaskRecord) -> bool:
        return await self._save(tracked, record)

    async def close(self, record: TaskRecord) -> None:
        await self._store.save(replace(record, phase=Phase.DONE, next_delivery_at=None))
        self._tasks.pop(record.task_id, None)

    def deliver_at(self, task_id: str, at: float) -> None:
        if task_id in self._tasks:
            self._push(task_id, at)

    def _context(self, record: TaskRecord) -> PollContext:
        return poll_context(record, self._clock())
