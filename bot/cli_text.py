"""What `r2v-bot check`, `status` and `backup` log for the operator: one line per finding."""

from __future__ import annotations

from pathlib import Path

from bot.api.models import TaskResult

DISCORD_REFUSED = (
    "Discord token: refused (401). Reset it in the developer portal (Bot → Reset Token) and put "
    "it in DISCORD_TOKEN."
)


def discord_accepted(name: str, user_id: str) -> str:
    return f"Discord token: accepted, the bot is {name} ({user_id})."


def discord_answered(status: int) -> str:
    return f"Discord token: not confirmed, Discord answered HTTP {status}."


def discord_unreachable(base: str, reason: str) -> str:
    return f"Discord token: not checked, {base} could not be reached ({reason})."


def api_key_accepted(base_url: str) -> str:
    return f"API key: accepted by {base_url}."


def api_key_refused(status: int | None) -> str:
    return f"API key: refused ({status or 'auth error'}). Check R2V_API_KEY."


def api_failed(base_url: str, reason: str) -> str:
    return f"API: {base_url} did not answer usefully: {reason}"


def no_answer_within(seconds: float) -> str:
    return f"no answer within {seconds:g} s"


def unknown_task(task_id: str) -> str:
    return (
        f"task {task_id}: the API does not know it (a wrong id, or it ended more than 24 h ago; "
        "the bot's own record stays in its store)."
    )


BACKUP_WITH_PG_DUMP = (
    "backup: the task store is PostgreSQL (R2V_DATABASE_URL), which r2v-bot does not copy "
    "itself; nothing was written. Back it up with pg_dump, for example:"
)


def backup_failed(reason: str) -> str:
    return f"backup: nothing written: {reason}."


def backed_up(source: Path, target: Path, tasks: int, size_bytes: int) -> str:
    return (
        f"backup: {source} copied to {target} ({tasks} task(s), {size_bytes / 1e6:.1f} MB, "
        "checked)."
    )


def task_lines(result: TaskResult) -> list[str]:
    lines = [f"task {result.task_id}: {result.raw_status}"]
    for label, moment in (
        ("submitted", result.submit_time),
        ("started", result.scheduled_time),
        ("ended", result.end_time),
    ):
        if moment is not None:
            lines.append(f"  {label}: {moment:%Y-%m-%d %H:%M:%S} (service time)")
    if result.code or result.message:
        lines.append(f"  {result.code or ''} {result.message or ''}".rstrip())
    if result.billed_seconds is not None:
        lines.append(f"  billed: {result.billed_seconds:g} s")
    if result.video_url:
        lines.append(f"  video: {result.video_url}")
    return lines
