"""How one query answer moves a task along: pure, so every transition is tested by a table.

`observe` turns the API's answer into the next record and says what the tracker must do with it
(save it, show it, deliver it, or nothing); `after_failed_query` says what a query the service
did not answer (5xx, 404, no connection) means; `give_up` ends a task the service has not
finished. Time comes in as an argument; nothing here does I/O.

The deadline holds whether or not the service answers: past it, a task the service says is
still running is given up; a task it says nothing about is `Silent`: its requester is told
since when the service has not answered, and the bot keeps asking for as long as a video could
still be had (its link lives a day), so a later answer still delivers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import assert_never

from bot.api.models import TaskResult, TaskStatus
from bot.generation.pricing import actual_cost
from bot.store.records import Ending, Phase, TaskRecord
from bot.tracking.delivery import LINK_LIFETIME_S


@dataclass(frozen=True)
class Unchanged:
    """Nothing worth writing down: keep polling."""

    record: TaskRecord


@dataclass(frozen=True)
class Progressed:
    """Still running, with something new to keep (a status or the API's timings)."""

    record: TaskRecord
    previous_status: str
    status_changed: bool


@dataclass(frozen=True)
class Ended:
    """The service finished the task: deliver its result."""

    record: TaskRecord
    previous_status: str


Step = Unchanged | Progressed | Ended


def ending_for(status: TaskStatus) -> Ending:
    """The ending of a task the service finished with `status` (a terminal one)."""
    match status:
        case TaskStatus.SUCCEEDED:
            return Ending.SUCCEEDED
        case TaskStatus.FAILED:
            return Ending.FAILED
        case TaskStatus.CANCELED:
            return Ending.CANCELED
        case TaskStatus.UNKNOWN:
            return Ending.EXPIRED
        case TaskStatus.PENDING | TaskStatus.RUNNING | TaskStatus.OTHER:
            raise ValueError(f"{status} is not a terminal status")
        case _:
            assert_never(status)


def observe(record: TaskRecord, result: TaskResult, now: float) -> Step:
    """The record after the API answered `result` at `now`, and what that answer means."""
    times = api_times(record, result, now)
    changed = result.raw_status != record.raw_status
    updated = replace(
        record,
        status=result.status,
        raw_status=result.raw_status,
        api_times=times,
        updated_at=now,
    )
    if result.status.is_terminal:
        ending = ending_for(result.status)
        if ending is Ending.SUCCEEDED and not _usable_video_url(result.video_url):
            ending = Ending.NO_VIDEO
        ended = replace(
            updated,
            phase=Phase.DELIVERING,
            ending=ending,
            video_url=result.video_url,
            error_code=result.code,
            error_message=result.message,
            finished_at=now,
        )
        return Ended(with_actual_cost(ended, result.billed_seconds), record.raw_status)
    # Most polls change nothing worth keeping; writing only real changes keeps the store's
    # single writer free for submissions (a restart recomputes the running time anyway).
    if changed or set(times) != set(record.api_times):
        return Progressed(updated, record.raw_status, changed)
    return Unchanged(updated)


def with_actual_cost(record: TaskRecord, billed_s: float | None) -> TaskRecord:
    """The record counting what the service billed instead of the estimate, when it said;
    the estimate is kept beside it."""
    estimate = record.estimate
    if billed_s is None or estimate is None or not estimate.billed_seconds or record.actual:
        return record
    return replace(record, actual=actual_cost(estimate, billed_s))


def give_up(record: TaskRecord, ending: Ending, now: float) -> TaskRecord:
    """End a task the service has not finished. An untracked task needs no message (an admin
    chose it); the others are delivered as their ending's explanation."""
    phase = Phase.DONE if ending is Ending.UNTRACKED else Phase.DELIVERING
    return replace(record, phase=phase, ending=ending, finished_at=now, updated_at=now)


@dataclass(frozen=True)
class KeepAsking:
    """The service did not answer this time: ask again later."""


@dataclass(frozen=True)
class Silent:
    """Past its deadline, the service has not answered about the task since `since` (its last
    answer, else the submission): say so, and keep asking until `until`."""

    since: float
    until: float


@dataclass(frozen=True)
class Unreachable:
    """A day has passed: the service has forgotten the task. End it (Ending.UNREACHABLE)."""


AfterFailure = KeepAsking | Silent | Unreachable


def after_failed_query(record: TaskRecord, now: float) -> AfterFailure:
    """What it means that the service did not answer a query of `record` at `now`."""
    if beyond_service_memory(record, now):
        return Unreachable()
    return silence(record, now) or KeepAsking()


def silence(record: TaskRecord, now: float) -> Silent | None:
    """A task still followed past its deadline is one the service has not answered about (an
    answer past the deadline either ends it or gives it up): since its last answer."""
    if record.phase is not Phase.TRACKING or not past_deadline(record, now):
        return None
    return Silent(record.updated_at or record.created_at, record.created_at + LINK_LIFETIME_S)


def past_deadline(record: TaskRecord, now: float) -> bool:
    return now >= record.deadline_at


def beyond_service_memory(record: TaskRecord, now: float) -> bool:
    """The service forgets tasks a day after they were made: nothing more can be learnt."""
    return now >= record.created_at + LINK_LIFETIME_S


def api_times(record: TaskRecord, result: TaskResult, now: float) -> dict[str, float]:
    """Queue and generation times from the API's own timestamps. The offset between its clock
    and ours is estimated from the submit time, so a running task's age is known."""
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


def _usable_video_url(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("https://", "http://"))
