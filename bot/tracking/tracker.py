"""The tracker: a background service that polls every active task until it ends, hands the
result to the notifier and never stops because one task fails.

It knows nothing of Discord: it talks to a `Notifier`. Every task has a deadline; statuses the
contract does not name count as still running until then. After a restart `start()` resumes
every task the store says is active.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

from bot.api.client import BailianClient
from bot.api.errors import ApiError, AuthenticationError
from bot.api.models import TaskResult, TaskStatus
from bot.store.records import Phase, TaskRecord
from bot.store.sqlite import SqliteTaskStore
from bot.tracking.schedule import PollContext, PollSchedule, schedule_key
from bot.tracking.settings import TrackerSettings

log = logging.getLogger(__name__)


# Video URLs and task ids live 24 h at the service.
RESULT_LIFETIME_S = 24 * 3600.0
MAX_DELIVERY_ATTEMPTS = 6


def _past_deadline(settings: TrackerSettings) -> tuple[str, str]:
    return ("Deadline", f"no result after {round(settings.deadline_s / 60)} min")


class Notifier(Protocol):
    """Shows tasks to people. Implemented by the Discord layer."""

    async def status_changed(self, record: TaskRecord) -> TaskRecord:
        """Show the new status; returns the record with any new message id."""
        ...

    async def deliver(self, record: TaskRecord) -> TaskRecord:
        """Post the final message (video, link or failure) exactly once; returns the record with
        `result_message_id` set. Raises to be retried later."""
        ...


class Tracker:
    def __init__(
        self,
        api: BailianClient,
        store: SqliteTaskStore,
        notifier: Notifier,
        settings: TrackerSettings,
        *,
        schedule: PollSchedule | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api = api
        self._store = store
        self._notifier = notifier
        self._settings = settings
        self.schedule = schedule or PollSchedule(
            min_interval_s=settings.min_interval_s,
            max_interval_s=settings.max_interval_s,
            jitter=settings.jitter,
        )
        self._clock = clock
        self._sleep = sleep
        self._records: dict[str, TaskRecord] = {}
        self._due: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_edit: dict[str, float] = {}
        self._stale_status: set[str] = set()
        self._delivery_failures: dict[str, int] = {}
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def active_count(self) -> int:
        return len(self._records)

    async def start(self) -> None:
        """Resume every active task from the store, learn from finished ones, start polling."""
        for record in await self._store.active():
            self.track(record, delay=0.0)
        if self._records:
            log.info("resumed tracking %d active task(s)", len(self._records))
        self._runner = asyncio.create_task(self._run(), name="r2v-tracker")

    async def stop(self) -> None:
        # A flag, not only cancel(): Python 3.11's wait_for can swallow a cancellation that
        # arrives as its inner wait completes, and the loop would then wait forever.
        self._stopping = True
        self._wake.set()
        if self._runner:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    def track(self, record: TaskRecord, *, delay: float | None = None) -> None:
        """Follow a task (already in the store) from now on."""
        self._records[record.task_id] = record
        if delay is None:
            delay = self.schedule.next_delay(self._context(record))
        self._push(record.task_id, self._clock() + delay)

    def is_tracking(self, task_id: str) -> bool:
        return task_id in self._records

    async def refresh(self, task_id: str) -> TaskRecord | None:
        """Query a tracked task now (the Refresh button); returns its record afterwards."""
        if task_id not in self._records:
            return await self._store.get(task_id)
        await self._poll(task_id, reschedule=False)
        return self._records.get(task_id) or await self._store.get(task_id)

    async def forget(self, task_id: str, reason: str) -> None:
        """Stop tracking a task (an admin's choice); its record is closed with a note. Waits
        for a poll in progress, so that poll cannot bring the task back."""
        async with self._locks.setdefault(task_id, asyncio.Lock()):
            tracked = task_id in self._records
            self._drop(task_id)
            stored = await self._store.get(task_id)
            if not tracked and (stored is None or not stored.is_active):
                return  # delivered (or forgotten) while we waited: keep its result
            await self._store.update(
                task_id, phase=Phase.DONE, error_message=reason, finished_at=self._clock()
            )
        log.info("task %s no longer tracked: %s", task_id, reason)

    def _push(self, task_id: str, due: float) -> None:
        heapq.heappush(self._due, (due, next(self._order), task_id))
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            now = self._clock()
            while self._due and self._due[0][0] <= now:
                _, _, task_id = heapq.heappop(self._due)
                if task_id not in self._records:
                    continue
                await self._slots.acquire()
                task = asyncio.create_task(self._poll_in_slot(task_id), name=f"poll {task_id}")
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            if self._stopping:
                return
            timeout = self._due[0][0] - self._clock() if self._due else None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _poll_in_slot(self, task_id: str) -> None:
        try:
            await self._poll(task_id, reschedule=True)
        except Exception:
            # One broken task must never stop the others: log it and try again later.
            log.exception("tracking task %s failed; will retry", task_id)
            if task_id in self._records:
                self._push(task_id, self._clock() + self._settings.max_interval_s)
        finally:
            self._slots.release()

    async def _poll(self, task_id: str, *, reschedule: bool) -> None:
        lock = self._locks.setdefault(task_id, asyncio.Lock())
        async with lock:
            record = self._records.get(task_id)
            if record is None:
                return
            if record.phase is Phase.DELIVERING:
                await self._deliver(record, reschedule)
                return
            # Ask even past the deadline: after downtime the video may be done and still
            # downloadable, and it must not be written off unseen.
            try:
                result = await self._api.get_task(task_id)
            except ApiError as error:
                await self._query_failed(record, error, reschedule)
                return
            record = await self._apply(record, result)
            if record.phase is Phase.DELIVERING:
                await self._deliver(record, reschedule)
            elif self._clock() >= record.deadline_at:
                await self._finish_unfinished(
                    record, _past_deadline(self._settings), reschedule=reschedule
                )
            elif reschedule:
                self._push(task_id, self._clock() + self.schedule.next_delay(self._context(record)))

    async def _query_failed(self, record: TaskRecord, error: ApiError, reschedule: bool) -> None:
        level = logging.ERROR if isinstance(error, AuthenticationError) else logging.WARNING
        log.log(
            level,
            "query of task %s failed: %s (request_id=%s)",
            record.task_id,
            type(error).__name__,
            error.request_id,
        )
        if self._clock() >= record.created_at + RESULT_LIFETIME_S:
            # The service forgets tasks after a day: nothing more can be learnt of this one.
            await self._finish_unfinished(
                record,
                ("Unreachable", "the video service could not be reached for a day"),
                reschedule=reschedule,
            )
        elif reschedule:
            self._push(record.task_id, self._clock() + self._settings.max_interval_s)

    async def _apply(self, record: TaskRecord, result: TaskResult) -> TaskRecord:
        now = self._clock()
        api_times = self._api_times(record, result, now)
        changed = result.raw_status != record.raw_status
        updated = replace(record, status=result.status, raw_status=result.raw_status)
        updated = replace(updated, api_times=api_times, updated_at=now)
        if result.status is TaskStatus.OTHER and changed:
            log.warning(
                "task %s has status %r, which the contract does not name; treating it as "
                "running until its deadline",
                record.task_id,
                result.raw_status,
            )
        if result.status.is_terminal:
            updated = replace(
                updated,
                phase=Phase.DELIVERING,
                video_url=result.video_url,
                error_code=result.code,
                error_message=result.message,
                finished_at=now,
            )
            self._learn(updated)
        if changed:
            log.info(
                "task %s: %s -> %s (request_id=%s)",
                record.task_id,
                record.raw_status,
                result.raw_status,
                result.request_id,
            )
            await self._store.add_event(record.task_id, now, result.raw_status)
        # Most polls change nothing worth keeping; writing only real changes keeps the store's
        # single writer free for submissions (a restart recomputes the running time anyway).
        if changed or result.status.is_terminal or set(api_times) != set(record.api_times):
            await self._store.update(
                record.task_id,
                status=updated.status,
                raw_status=updated.raw_status,
                api_times=updated.api_times,
                updated_at=now,
                phase=updated.phase,
                video_url=updated.video_url,
                error_code=updated.error_code,
                error_message=updated.error_message,
                finished_at=updated.finished_at,
            )
        self._records[record.task_id] = updated
        stale = record.task_id in self._stale_status
        if (changed or stale) and not result.status.is_terminal:
            updated = await self._show_status(updated, now)
        return updated

    async def _show_status(self, record: TaskRecord, now: float) -> TaskRecord:
        last = self._last_edit.get(record.task_id)
        if last is not None and now - last < self._settings.status_edit_interval_s:
            self._stale_status.add(record.task_id)  # shown at a later poll
            return record
        self._last_edit[record.task_id] = now
        self._stale_status.discard(record.task_id)
        try:
            shown = await self._notifier.status_changed(record)
        except Exception:
            log.exception("could not show the status of task %s", record.task_id)
            return record
        if shown.status_message_id != record.status_message_id:
            await self._store.update(record.task_id, status_message_id=shown.status_message_id)
        self._records[record.task_id] = shown
        return shown

    async def _deliver(self, record: TaskRecord, reschedule: bool) -> None:
        try:
            delivered = await self._notifier.deliver(record)
        except Exception:
            failures = self._delivery_failures[record.task_id] = (
                self._delivery_failures.get(record.task_id, 0) + 1
            )
            if failures < MAX_DELIVERY_ATTEMPTS:
                log.exception("delivery of task %s failed; will retry", record.task_id)
                if reschedule:
                    self._push(record.task_id, self._clock() + self._settings.max_interval_s)
                return
            # Discord keeps refusing (e.g. the bot may not post in that channel): stop trying
            # so the task does not hold the requester's running-task slot forever.
            log.exception(
                "delivery of task %s failed %d times; giving up (status %s, video_url kept)",
                record.task_id,
                failures,
                record.raw_status,
            )
            delivered = record
        await self._store.update(
            record.task_id,
            phase=Phase.DONE,
            result_message_id=delivered.result_message_id,
            status_message_id=delivered.status_message_id,
        )
        self._drop(record.task_id)
        log.info("task %s delivered (%s)", record.task_id, record.raw_status)

    def _drop(self, task_id: str) -> None:
        self._records.pop(task_id, None)
        self._locks.pop(task_id, None)
        self._last_edit.pop(task_id, None)
        self._stale_status.discard(task_id)
        self._delivery_failures.pop(task_id, None)

    async def _finish_unfinished(
        self, record: TaskRecord, reason: tuple[str, str], *, reschedule: bool = True
    ) -> None:
        """End a task the service has not finished: tell the requester, stop polling."""
        code, message = reason
        log.warning("task %s given up: %s", record.task_id, message)
        now = self._clock()
        updated = replace(
            record,
            phase=Phase.DELIVERING,
            error_code=code,
            error_message=message,
            finished_at=now,
        )
        await self._store.update(
            record.task_id,
            phase=updated.phase,
            error_code=code,
            error_message=message,
            finished_at=now,
        )
        await self._store.add_event(record.task_id, now, code.upper())
        self._records[record.task_id] = updated
        await self._deliver(updated, reschedule)

    def _api_times(self, record: TaskRecord, result: TaskResult, now: float) -> dict[str, float]:
        """Queue and generation times from the API's own timestamps. The offset between its
        clock and ours is estimated from the submit time, so a running task's age is known."""
        times = dict(record.api_times)
        submitted, scheduled, ended = result.submit_time, result.scheduled_time, result.end_time
        if submitted and scheduled:
            times["queued_s"] = (scheduled - submitted).total_seconds()
            offset = record.created_at - submitted.timestamp()
            times["scheduled_at"] = scheduled.timestamp() + offset
        if scheduled and ended:
            times["running_s"] = (ended - scheduled).total_seconds()
        elif "scheduled_at" in times and result.status is TaskStatus.RUNNING:
            times["running_s"] = max(0.0, now - times["scheduled_at"])
        return times

    def _learn(self, record: TaskRecord) -> None:
        if record.status is TaskStatus.SUCCEEDED and "running_s" in record.api_times:
            self.schedule.learn(schedule_key(record.request), float(record.api_times["running_s"]))

    def learn_from_history(self, records: list[TaskRecord]) -> None:
        for record in records:
            self._learn(record)

    def _context(self, record: TaskRecord) -> PollContext:
        now = self._clock()
        scheduled_at = record.api_times.get("scheduled_at")
        return PollContext(
            key=schedule_key(record.request),
            status=record.status,
            age_s=now - record.created_at,
            running_for_s=now - scheduled_at if scheduled_at is not None else None,
        )
