"""Notifiers that record what the tracker hands to Discord instead of posting it.

The tracker's documented seam is its `Notifier` protocol; the tracker tests and the bench use
this one so they see exactly what would be shown, when, and how often.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.store.records import TaskRecord
from bot.tracking.delivery import Delivered, NotYet, Place
from bot.tracking.progress import Progress
from bot.tracking.tracker import RecordAttempt


@dataclass
class RecordingNotifier:
    # The first `failures` deliveries answer "not yet", for `retry_for_s` after the first one.
    failures: int = 0
    retry_for_s: float = 0.5
    statuses: list[str] = field(default_factory=list)
    delivered: list[TaskRecord] = field(default_factory=list)
    # Monotonic times of every delivery, by task: a task delivered twice shows two.
    delivered_at: dict[str, list[float]] = field(default_factory=dict)
    attempts: int = 0
    until: float | None = None

    async def status_changed(self, record: TaskRecord, progress: Progress) -> TaskRecord:
        self.statuses.append(record.raw_status)
        return replace(record, status_message_id=record.status_message_id or 1)

    async def deliver(
        self, record: TaskRecord, record_attempt: RecordAttempt
    ) -> Delivered | NotYet:
        self.attempts += 1
        if self.attempts <= self.failures:
            self.until = self.until or time.time() + self.retry_for_s
            return NotYet(record, "Discord said no", until=self.until)
        self.delivered.append(record)
        self.delivered_at.setdefault(record.task_id, []).append(time.monotonic())
        return Delivered(replace(record, result_message_id=99), Place.CHANNEL)


class FileNotifier:
    """Deliveries as lines "owner task_id" in a file that several worker processes append to."""

    def __init__(self, path: Path, owner: str) -> None:
        self._path = path
        self._owner = owner

    async def status_changed(self, record: TaskRecord, progress: Progress) -> TaskRecord:
        return record

    async def deliver(self, record: TaskRecord, record_attempt: RecordAttempt) -> Delivered:
        # The attempt is recorded (a fenced save) before the post, as the Discord notifier does.
        attempt = await record_attempt(replace(record, delivery_attempt_at=time.time()))
        # O_APPEND: lines of several processes never interleave within a line.
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{self._owner} {record.task_id}\n".encode())
        finally:
            os.close(fd)
        return Delivered(replace(attempt, result_message_id=1), Place.CHANNEL)
