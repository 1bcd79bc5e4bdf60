"""Frozen models of the API's answers, parsed leniently: unknown fields are ignored and
missing optional ones are None."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeGuard


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    UNKNOWN = "UNKNOWN"
    # Anything the contract does not name; treated as still running until the deadline.
    OTHER = "OTHER"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @classmethod
    def parse(cls, raw: str | None) -> TaskStatus:
        try:
            return cls((raw or "").upper())
        except ValueError:
            return cls.OTHER


# A task id as the bot keeps and shows it (the API's are UUIDs): it goes into custom_ids, file
# names and code spans, so a backtick, a space or markdown in one would break them.
_TASK_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.:-]{0,127}")


def is_task_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _TASK_ID.fullmatch(value) is not None


TERMINAL_STATUSES = frozenset(
    {TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELED, TaskStatus.UNKNOWN}
)


@dataclass(frozen=True)
class SubmitResult:
    task_id: str
    status: TaskStatus
    request_id: str | None


@dataclass(frozen=True)
class TaskResult:
    task_id: str
    status: TaskStatus
    raw_status: str
    request_id: str | None = None
    video_url: str | None = None
    submit_time: datetime | None = None
    scheduled_time: datetime | None = None
    end_time: datetime | None = None
    code: str | None = None
    message: str | None = None
    # Seconds the service billed, from `usage` when it says (see `billed_seconds_of`).
    billed_seconds: float | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any], task_id: str) -> TaskResult:
        output = body.get("output")
        if not isinstance(output, Mapping):
            raise ValueError("no `output` object")
        raw_status = str(output.get("task_status") or "")
        if not raw_status:
            raise ValueError("no `output.task_status`")
        return cls(
            task_id=str(output.get("task_id") or task_id),
            status=TaskStatus.parse(raw_status),
            raw_status=raw_status,
            request_id=_str(body.get("request_id")),
            video_url=_str(output.get("video_url")),
            submit_time=parse_api_time(output.get("submit_time")),
            scheduled_time=parse_api_time(output.get("scheduled_time")),
            end_time=parse_api_time(output.get("end_time")),
            code=_str(output.get("code")),
            message=_str(output.get("message")),
            billed_seconds=billed_seconds_of(body.get("usage")),
        )


def billed_seconds_of(usage: Any) -> float | None:
    """The billed seconds in a `usage` object, which comes in two shapes: DashScope's
    `duration` (input clips plus output, the billed total) with `input_video_duration` and
    `output_video_duration`, and the proxy's `video_duration`. Numbers may come as strings;
    anything unreadable is None (the estimate then stands)."""
    if not isinstance(usage, Mapping):
        return None
    total = _number(usage.get("duration"))
    if total is None:
        output = _number(usage.get("output_video_duration"))
        if output is not None:
            total = output + (_number(usage.get("input_video_duration")) or 0.0)
    if total is None:
        total = _number(usage.get("video_duration"))
    if total is None or total < 0 or not math.isfinite(total):
        return None
    return total


def parse_api_time(value: Any) -> datetime | None:
    """`"YYYY-MM-DD HH:MM:SS.mmm"` as documented. DashScope reports Beijing time (UTC+8) in
    these strings; the offset does not matter here since only differences are shown."""
    if not isinstance(value, str) or not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
