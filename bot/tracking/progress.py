"""What a status message can promise about a task still running: when tasks of its kind are
usually ready (once the schedule has learnt it), and its place among this bot's tasks waiting for
the account. Pure: the tracker hands in what it follows and the time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.api.models import TaskStatus
from bot.store.records import TaskRecord
from bot.tracking.lifecycle import Silent, silence
from bot.tracking.schedule import PollSchedule, poll_context


@dataclass(frozen=True)
class Progress:
    usually_ready_at: float | None = None
    place_in_queue: int | None = None
    # Past its deadline, the service has not answered about it (since when, asked until when).
    silence: Silent | None = None


NO_PROGRESS = Progress()


def progress_of(
    record: TaskRecord,
    schedule: PollSchedule,
    followed: Iterable[TaskRecord],
    account_concurrency: int,
    now: float,
) -> Progress:
    """Progress of a task still running; nothing for one that has ended."""
    if record.finished_at is not None:
        return NO_PROGRESS
    return Progress(
        usually_ready_at(record, schedule, now),
        place_in_queue(record, followed, account_concurrency),
        silence(record, now),
    )


def usually_ready_at(record: TaskRecord, schedule: PollSchedule, now: float) -> float | None:
    """When tasks of this kind usually end, once the schedule has learnt it: for a running task
    from how long it has run, for a queued one from its submission."""
    context = poll_context(record, now)
    if context.status is TaskStatus.RUNNING and context.running_for_s is not None:
        remaining = schedule.typical_remaining(context)
        return now + remaining if remaining is not None else None
    typical = schedule.typical_total(context.key)
    if typical is None:
        return None
    return max(now, record.created_at + typical.median_s)


def place_in_queue(
    record: TaskRecord, followed: Iterable[TaskRecord], account_concurrency: int
) -> int | None:
    """The account runs `account_concurrency` tasks of a model at once; this bot's later ones
    wait, oldest first. None when this task is not among the waiting."""
    if record.status is not TaskStatus.PENDING:
        return None
    # One pass, no sort: a status is rendered for every change of every queued task. A task
    # being announced is not followed yet: it counts as itself.
    model, place = record.request.model, (record.created_at, record.task_id)
    ahead = sum(
        1
        for other in followed
        if other.task_id != record.task_id
        and other.request.model == model
        and other.finished_at is None
        and (other.created_at, other.task_id) < place
    )
    if ahead < account_concurrency:
        return None
    return ahead - account_concurrency + 1
