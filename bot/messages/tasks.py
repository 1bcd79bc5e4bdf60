"""Sentences about tasks: answers to a submission, how a task ended, `/r2v status` and
`/r2v history` lines, the buttons' refusals."""

from __future__ import annotations

from typing import assert_never

from bot.api.models import TaskResult
from bot.generation import limits
from bot.generation.cast import cast_id_of
from bot.generation.request import PREVIOUS_VIDEO_SOURCE
from bot.generation.text import inline_code, link_target, one_line, plain, shorten
from bot.messages.catalog import Arg, listed, text
from bot.messages.errors import describe_task_failure
from bot.store.records import Ending, TaskRecord


def no_files_in_message(locale: str | None) -> str:
    return text(locale, "no-files-in-message")


def bad_menu_duration(locale: str | None) -> str:
    return text(locale, "bad-menu-duration", low=limits.DURATION_MIN_S, high=limits.DURATION_MAX_S)


def not_in_records(locale: str | None) -> str:
    return text(locale, "not-in-records")


def starting_up(locale: str | None) -> str:
    return text(locale, "starting-up")


def stopping(locale: str | None) -> str:
    return text(locale, "stopping")


def links_refused(locale: str | None, status: int) -> str:
    """Discord refused to renew the links of a task's files (Re-roll, Edit, Continue)."""
    return text(locale, "links-refused", status=status)


def links_unavailable(locale: str | None) -> str:
    """Discord did not answer the renewal of a task's links: later it may."""
    return text(locale, "links-unavailable")


def links_missing(locale: str | None, names: tuple[str, ...]) -> str:
    """Discord gave no fresh link for these files of the task."""
    shown = listed(locale, (inline_code(name, 60) for name in names))
    return text(locale, "links-missing", names=shown, count=len(names))


def no_history(locale: str | None) -> str:
    return text(locale, "no-history")


def already_answered(locale: str | None) -> str:
    return text(locale, "already-answered")


def cancelled(locale: str | None) -> str:
    return text(locale, "cancelled")


def confirmed(locale: str | None) -> str:
    return text(locale, "confirmed")


def not_in_guild(locale: str | None) -> str:
    return text(locale, "not-in-guild")


def submitted(locale: str | None, record: TaskRecord) -> str:
    return text(locale, "submitted", task_id=record.task_id)


def unrecorded(locale: str | None, task_id: str) -> str:
    return text(locale, "unrecorded", task_id=task_id)


def not_yours(locale: str | None, requester_id: int) -> str:
    return text(locale, "not-yours", requester_id=requester_id)


def confirm_timed_out(locale: str | None, timeout_s: float) -> str:
    return text(locale, "confirm-timed-out", timeout=f"{timeout_s:g}")


def cannot_post_here(locale: str | None, missing: list[str]) -> str:
    return text(locale, "cannot-post-here", missing=listed(locale, missing))


def ending_text(locale: str | None, record: TaskRecord) -> str:
    """What the result message says after the requester's mention, by how the task ended."""
    ending = record.ending
    if ending is None:
        return text(locale, "ending-unknown", status=plain(record.raw_status))
    task_id = record.task_id
    match ending:
        case Ending.SUCCEEDED:
            return text(locale, "ending-succeeded")
        case Ending.FAILED:
            return (
                text(locale, "ending-failed")
                + "\n"
                + describe_task_failure(locale, record.error_code, record.error_message)
            )
        case Ending.CANCELED if record.cancelled_by is not None:
            return text(locale, "ending-canceled-by", member=record.cancelled_by)
        case Ending.CANCELED:
            return text(locale, "ending-canceled")
        case Ending.EXPIRED:
            return text(locale, "ending-expired")
        case Ending.DEADLINE:
            minutes = round((record.deadline_at - record.created_at) / 60)
            return text(locale, "ending-deadline", minutes=minutes, task_id=task_id)
        case Ending.UNREACHABLE:
            return text(locale, "ending-unreachable", task_id=task_id)
        case Ending.UNTRACKED:
            return text(locale, "ending-untracked")
        case Ending.NO_VIDEO:
            return text(locale, "ending-no-video", task_id=task_id)
        case Ending.BAD_VIDEO:
            return text(locale, "ending-bad-video")
        case Ending.VIDEO_GONE:
            return text(locale, "ending-video-gone")
        case _:
            assert_never(ending)


def service_silent(locale: str | None, since: float, until: float) -> str:
    """A task past its deadline that the service has not answered about: since when, and
    until when the bot keeps asking."""
    return text(locale, "service-silent", since=int(since), until=int(until))


def ending_title(locale: str | None, record: TaskRecord) -> str | None:
    """A title for the result embed where the status alone would mislead."""
    match record.ending:
        case Ending.DEADLINE:
            return text(locale, "ending-title-deadline")
        case Ending.UNREACHABLE:
            return text(locale, "ending-title-unreachable")
        case Ending.UNTRACKED:
            return text(locale, "ending-title-untracked")
        case Ending.NO_VIDEO | Ending.BAD_VIDEO | Ending.VIDEO_GONE:
            return text(locale, "ending-title-no-video")
        case None | Ending.SUCCEEDED | Ending.FAILED | Ending.CANCELED | Ending.EXPIRED:
            return None
        case _:
            assert_never(record.ending)


def foreign_status(locale: str | None, result: TaskResult) -> str:
    return known_status(locale, result) + "\n" + text(locale, "status-foreign")


def known_status(locale: str | None, result: TaskResult) -> str:
    return "\n".join([_status_line(locale, result), *_result_details(locale, result)])


def no_such_task(locale: str | None, task_id: str) -> str:
    return text(locale, "no-such-task", task_id=inline_code(task_id, 100))


def history_heading(locale: str | None) -> str:
    return text(locale, "history-heading")


def history_line(locale: str | None, record: TaskRecord) -> str:
    prompt = record.request.prompt.replace("\n", " ")
    request = record.request
    return text(
        locale,
        "history-line",
        created_at=int(record.created_at),
        task_id=record.task_id,
        status=plain(record.raw_status),
        model=request.model,
        size=plain(request.size),
        duration=request.duration,
        prompt=plain(shorten(prompt, 60)),
    )


def untracked(locale: str | None, task_id: str) -> str:
    return text(locale, "untracked", task_id=task_id)


def already_ended(locale: str | None, task_id: str) -> str:
    return text(locale, "already-ended", task_id=task_id)


def reference_source(locale: str | None, source: str) -> str:
    """Where a reference came from, as recorded (`ref2`, `link 1`, `cast:7`, `previous video`),
    in `locale`."""
    kind, _, number = source.partition(" ")
    if kind == "link" and number.isdecimal():
        return text(locale, "source-link", number=int(number))
    if cast_id_of(source) is not None:
        return text(locale, "source-cast")
    if source == PREVIOUS_VIDEO_SOURCE:
        return text(locale, "source-previous-video")
    return source  # `ref1`…`ref5` name the command's options, the same in every language


def size_label_args(size: str) -> dict[str, Arg]:
    """The variables of catalog message `size-label` for a documented size."""
    tier, aspect = limits.SIZES[size]
    ratio, shape = aspect.split(" ")
    return {"size": size.replace("*", "×"), "tier": tier, "ratio": ratio, "shape": shape}


def size_name(locale: str | None, size: str) -> str:
    """'1920×1080 · 1080P · 16:9 landscape' in `locale`; an undocumented size as it is."""
    if size not in limits.SIZES:
        return plain(size)
    return text(locale, "size-label", **size_label_args(size))


def _status_line(locale: str | None, result: TaskResult) -> str:
    return text(
        locale,
        "status-line",
        task_id=inline_code(result.task_id, 100),
        status=plain(result.raw_status),
    )


def _result_details(locale: str | None, result: TaskResult) -> list[str]:
    lines = []
    if result.code or result.message:
        said = one_line(f"{result.code or ''} {result.message or ''}")
        lines.append(plain(shorten(said, 400)))
    if result.video_url:
        lines.append(text(locale, "status-video-link", url=link_target(result.video_url)))
    return lines
