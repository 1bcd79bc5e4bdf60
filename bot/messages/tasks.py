"""Sentences about tasks: answers to a submission, how a task ended, `/r2v status` and
`/r2v history` lines, the buttons' refusals."""

from __future__ import annotations

from typing import assert_never

from bot.api.models import TaskResult
from bot.generation import limits
from bot.generation.text import inline_code, plain, shorten
from bot.messages.errors import describe_task_failure
from bot.store.records import Ending, TaskRecord

NO_FILES_IN_MESSAGE = "That message has no attached images or clips to use as references."
BAD_MENU_DURATION = (
    "**Nothing was submitted.** Duration must be a whole number of seconds from "
    f"{limits.DURATION_MIN_S} to {limits.DURATION_MAX_S}."
)
NOT_IN_RECORDS = "This task is not in the bot's records any more."
STARTING_UP = "The bot is starting up; try the button again in a moment."
STOPPING = "**Nothing was submitted.** The bot is restarting; try again in a minute."
LINKS_EXPIRED = (
    "**Nothing was submitted.** The attached files' links have expired and Discord would not "
    "renew them. Run `/r2v generate` again with the files attached."
)
NO_HISTORY = "You have no video tasks yet. Start one with `/r2v generate`."
ALREADY_ANSWERED = "This request was already answered."
CANCELLED = "Cancelled. Nothing was submitted or charged."
CONFIRMED = "✅ Confirmed."


def submitted(record: TaskRecord) -> str:
    return f"✅ Submitted as task `{record.task_id}`; its status is posted in the channel."


def unrecorded(task_id: str) -> str:
    return (
        f"⚠️ Your video was submitted as task `{task_id}`, but the bot could not record it and "
        f"will not follow it. Check it with `/r2v status task_id:{task_id}`."
    )


def not_yours(requester_id: int) -> str:
    return (
        f"Only <@{requester_id}>, who asked for this video, can use its buttons. "
        "Start your own with `/r2v generate`."
    )


def confirm_timed_out(timeout_s: float) -> str:
    return f"No answer within {timeout_s:g} s, so nothing was submitted or charged."


def cannot_post_here(missing: list[str]) -> str:
    return (
        "**Nothing was submitted.** The bot could not post the video in this channel: "
        f"it lacks {', '.join(missing)} here. Ask an admin to grant them, or use another channel."
    )


def ending_text(record: TaskRecord) -> str:
    """What the result message says after the requester's mention, by how the task ended."""
    ending = record.ending
    if ending is None:
        return f"your task ended with status {record.raw_status}."
    match ending:
        case Ending.SUCCEEDED:
            return "your video is ready."
        case Ending.FAILED:
            return "your video could not be made.\n" + describe_task_failure(
                record.error_code, record.error_message
            )
        case Ending.CANCELED:
            return "your video task was canceled by the service; nothing was charged."
        case Ending.EXPIRED:
            return (
                "the service no longer knows this task (task IDs expire after 24 h), so its "
                "result cannot be fetched."
            )
        case Ending.DEADLINE:
            minutes = round((record.deadline_at - record.created_at) / 60)
            return (
                f"no result arrived (no result after {minutes} min); the bot stopped waiting. "
                f"Use `/r2v status task_id:{record.task_id}` to check it later."
            )
        case Ending.UNREACHABLE:
            return (
                "the video service could not be reached for a day, so the result of this task "
                f"is unknown. `/r2v status task_id:{record.task_id}` can try again."
            )
        case Ending.UNTRACKED:
            return "an admin stopped following this task, so its result is not posted."
        case Ending.NO_VIDEO:
            return (
                "the service says your video is done but gave no video to fetch. "
                f"`/r2v status task_id:{record.task_id}` may show it later."
            )
        case Ending.BAD_VIDEO:
            return (
                "the service sent an empty file or something that is not a video instead of "
                "your video, so there is nothing to post."
            )
        case Ending.VIDEO_GONE:
            return (
                "your video was made, but the bot could not fetch its file while the link "
                "lived (the host refused it or it was gone), so it cannot be posted."
            )
        case _:
            assert_never(ending)


def ending_title(record: TaskRecord) -> str | None:
    """A title for the result embed where the status alone would mislead."""
    match record.ending:
        case Ending.DEADLINE:
            return "⌛ Stopped waiting"
        case Ending.UNREACHABLE:
            return "⌛ Unknown"
        case Ending.UNTRACKED:
            return "🚫 Not followed"
        case Ending.NO_VIDEO | Ending.BAD_VIDEO | Ending.VIDEO_GONE:
            return "⚠️ No video"
        case None | Ending.SUCCEEDED | Ending.FAILED | Ending.CANCELED | Ending.EXPIRED:
            return None
        case _:
            assert_never(record.ending)


def foreign_status(result: TaskResult) -> str:
    lines = [f"Task {inline_code(result.task_id, 100)}: **{result.raw_status}**"]
    lines += _result_details(result)
    lines.append("This task was not made through this bot, so only its status is shown.")
    return "\n".join(lines)


def known_status(result: TaskResult) -> str:
    lines = [f"Task {inline_code(result.task_id, 100)}: **{result.raw_status}**"]
    return "\n".join(lines + _result_details(result))


def no_such_task(task_id: str) -> str:
    return (
        f"No task {inline_code(task_id, 100)} is known to the bot or the video service. Check "
        "the ID (tasks are forgotten 24 h after they end)."
    )


def history_heading() -> str:
    return "**Your recent tasks**"


def history_line(record: TaskRecord) -> str:
    prompt = record.request.prompt.replace("\n", " ")
    request = record.request
    return (
        f"<t:{int(record.created_at)}:R> `{record.task_id}` **{record.raw_status}** "
        f"{request.model} {plain(request.size)} {request.duration}s — {plain(shorten(prompt, 60))}"
    )


def untracked(task_id: str) -> str:
    return (
        f"Stopped following task `{task_id}`. The service may still finish it; "
        "`/r2v status` can look it up."
    )


def already_ended(task_id: str) -> str:
    return f"Task `{task_id}` has already ended."


NOT_IN_GUILD = "No task with that ID was made in this server."


def _result_details(result: TaskResult) -> list[str]:
    lines = []
    if result.code or result.message:
        lines.append(shorten(f"{result.code or ''} {result.message or ''}".strip(), 400))
    if result.video_url:
        lines.append(f"<{result.video_url}> (links expire 24 h after the task ends)")
    return lines
