"""What `r2v-bot check` and `r2v-bot status` print for the operator: one line per finding."""

from __future__ import annotations

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
