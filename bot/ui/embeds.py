"""Embeds that show a task. Built from the stored record, so the command's answer, the
tracker's edits and `/r2v status` all look the same."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.api.models import TaskStatus
from bot.generation.request import GenerationRequest
from bot.generation.text import inline_code, plain, shorten
from bot.messages import features as features_text
from bot.messages import stories as story_text
from bot.messages.catalog import text
from bot.messages.limits import describe_estimate
from bot.messages.tasks import ending_title, reference_source, service_silent, size_name
from bot.messages.validation import describe_problem
from bot.store.records import TaskRecord
from bot.stories import Story
from bot.tracking.progress import Progress

# The catalog key of each status's title, and its colour.
STATUS_STYLE: dict[TaskStatus, tuple[str, discord.Colour]] = {
    TaskStatus.PENDING: ("status-pending", discord.Colour.light_grey()),
    TaskStatus.RUNNING: ("status-running", discord.Colour.blue()),
    TaskStatus.SUCCEEDED: ("status-succeeded", discord.Colour.green()),
    TaskStatus.FAILED: ("status-failed", discord.Colour.red()),
    TaskStatus.CANCELED: ("status-canceled", discord.Colour.dark_grey()),
    TaskStatus.UNKNOWN: ("status-unknown", discord.Colour.dark_grey()),
    TaskStatus.OTHER: ("status-other", discord.Colour.light_grey()),
}


def reference_lines(locale: str | None, request: GenerationRequest) -> str:
    """`character1 → ref1 cat.png (PNG image)`, one line per reference, in order."""
    lines = []
    for number, ref in enumerate(request.references, start=1):
        lines.append(
            text(
                locale,
                "reference-line",
                number=number,
                source=reference_source(locale, ref.source),
                name=inline_code(ref.name, 48),
                format=ref.file_format,
                kind=ref.kind,
            )
        )
    return "\n".join(lines)


def parameter_lines(locale: str | None, request: GenerationRequest) -> str:
    lines = [
        text(locale, "param-model", model=request.model),
        text(locale, "param-size", size=size_name(locale, request.size)),
        text(locale, "param-duration", duration=request.duration),
        text(locale, "param-shot", shot=request.shot_type or text(locale, "param-shot-default")),
        text(locale, "param-audio-on" if request.has_audio else "param-audio-off"),
    ]
    if request.seed is not None:
        key = "param-seed-random" if request.seed_is_random else "param-seed"
        lines.append(text(locale, key, seed=request.seed))
    return "\n".join(lines)


def task_embed(
    locale: str | None, record: TaskRecord, progress: Progress | None = None
) -> discord.Embed:
    """The status embed of a task at this moment, in `locale`."""
    title_key, colour = STATUS_STYLE[record.status]
    title = text(locale, title_key)
    if record.status is TaskStatus.OTHER:
        title = f"⏳ {plain(record.raw_status.title())}"
    request = record.request
    embed = discord.Embed(
        title=title,
        description=shorten(plain(request.prompt), 4096),
        colour=colour,
        timestamp=datetime.fromtimestamp(record.created_at, UTC),
    )
    embed.add_field(name=text(locale, "field-task-id"), value=f"`{record.task_id}`", inline=False)
    embed.add_field(
        name=text(locale, "field-status"), value=_status_value(locale, record, progress)
    )
    embed.add_field(name=text(locale, "field-parameters"), value=parameter_lines(locale, request))
    if record.actual is not None:
        embed.add_field(name=features_text.cost_field(locale), value=_actual_cost(locale, record))
    elif record.estimate is not None:
        embed.add_field(
            name=text(locale, "field-estimated-cost"),
            value=describe_estimate(locale, record.estimate),
        )
    embed.add_field(
        name=text(locale, "field-references"),
        value=reference_lines(locale, request) or "—",
        inline=False,
    )
    if request.negative_prompt:
        embed.add_field(
            name=text(locale, "field-negative-prompt"),
            value=shorten(plain(request.negative_prompt), 1024),
            inline=False,
        )
    _add_lineage(locale, embed, record)
    notes = [describe_problem(locale, warning) for warning in request.warnings]
    if notes:
        embed.add_field(
            name=text(locale, "field-notes"),
            value=shorten("\n".join(f"⚠️ {n}" for n in notes), 1024),
            inline=False,
        )
    embed.set_footer(text=text(locale, "footer-requested"))
    return embed


def task_preview(locale: str | None, request: GenerationRequest) -> discord.Embed:
    """What would be submitted, shown before a confirmation click."""
    embed = discord.Embed(
        title=text(locale, "preview-title"),
        description=shorten(plain(request.prompt), 4096),
        colour=0xF1C40F,
    )
    embed.add_field(name=text(locale, "field-parameters"), value=parameter_lines(locale, request))
    embed.add_field(
        name=text(locale, "field-references"), value=reference_lines(locale, request) or "—"
    )
    if request.warnings:
        notes = "\n".join(f"⚠️ {describe_problem(locale, note)}" for note in request.warnings)
        embed.add_field(name=text(locale, "field-notes"), value=shorten(notes, 1024), inline=False)
    return embed


def _actual_cost(locale: str | None, record: TaskRecord) -> str:
    actual, estimate = record.actual, record.estimate
    assert actual is not None  # the caller's condition
    if estimate is None:
        return features_text.actual_cost(locale, actual.amount, None, "")
    return features_text.actual_cost(locale, actual.amount, estimate.amount, estimate.currency)


def _add_lineage(locale: str | None, embed: discord.Embed, record: TaskRecord) -> None:
    """A re-roll, re-run or continuation says what it came from."""
    lineage = record.lineage
    if lineage is not None:
        embed.add_field(
            name=features_text.lineage_field(locale),
            value=features_text.lineage(locale, lineage.parent_task_id, lineage.parent_result_url),
            inline=False,
        )


def _status_value(locale: str | None, record: TaskRecord, progress: Progress | None) -> str:
    lines = [f"**{plain(record.raw_status)}**"]
    started = record.api_times.get("scheduled_at")
    if record.finished_at is not None:
        took = format_duration(locale, record.finished_at - record.created_at)
        lines.append(text(locale, "took", duration=took))
    # Relative timestamps keep counting in everyone's client without any edit.
    elif record.status is TaskStatus.PENDING:
        lines.append(features_text.queued_since(locale, record.created_at))
    elif record.status is TaskStatus.RUNNING and started is not None:
        lines.append(features_text.generating_since(locale, started))
    else:
        lines.append(text(locale, "submitted-at", at=int(record.created_at)))
    silence = progress.silence if progress is not None else None
    if silence is not None:
        lines.append(service_silent(locale, silence.since, silence.until))
    elif progress is not None and progress.usually_ready_at is not None:
        lines.append(features_text.usually_ready(locale, progress.usually_ready_at))
    if progress is not None and progress.place_in_queue is not None:
        lines.append(features_text.place_in_queue(locale, progress.place_in_queue))
    if record.finished_at is None:
        return "\n".join(lines)
    queued = record.api_times.get("queued_s")
    running = record.api_times.get("running_s")
    if queued is not None:
        lines.append(text(locale, "queued-for", duration=format_duration(locale, queued)))
    if running is not None:
        lines.append(text(locale, "generating-for", duration=format_duration(locale, running)))
    return "\n".join(lines)


def format_duration(locale: str | None, seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    if minutes:
        return text(locale, "duration-minutes", minutes=minutes, seconds=f"{secs:02d}")
    return text(locale, "duration-seconds", seconds=secs)


def result_embed(
    locale: str | None, record: TaskRecord, *, note: str | None = None
) -> discord.Embed:
    """The final post: what was asked for, so the video can be found and redone."""
    title_key, colour = STATUS_STYLE.get(record.status, STATUS_STYLE[TaskStatus.OTHER])
    title = ending_title(locale, record) or text(locale, title_key)
    request = record.request
    embed = discord.Embed(
        title=title, description=shorten(plain(request.prompt), 4096), colour=colour
    )
    embed.add_field(name=text(locale, "field-parameters"), value=parameter_lines(locale, request))
    embed.add_field(
        name=text(locale, "field-references"), value=reference_lines(locale, request) or "—"
    )
    if request.negative_prompt:
        embed.add_field(
            name=text(locale, "field-negative-prompt"),
            value=shorten(plain(request.negative_prompt), 1024),
            inline=False,
        )
    if record.actual is not None:
        embed.add_field(name=features_text.cost_field(locale), value=_actual_cost(locale, record))
    _add_lineage(locale, embed, record)
    if note:
        embed.add_field(name=text(locale, "field-note"), value=shorten(note, 1024), inline=False)
    # The task ID in the footer lets a restarted bot recognise its own earlier delivery, in
    # whichever language it was posted.
    embed.set_footer(text=text(locale, "footer-task", task_id=record.task_id))
    return embed


def story_embed(locale: str | None, story: Story) -> discord.Embed:
    """A story's post: its shots in order with their prompts (a shot no longer kept named as
    such), and what they cost together."""
    # Every shot's line must fit the description: the prompts share what is left.
    prompt_chars = min(300, 3600 // len(story.shots) - 40)
    lines = [
        story_text.shot_line(locale, number, shot.record, kept=shot.kept, prompt_chars=prompt_chars)
        for number, shot in enumerate(story.shots, start=1)
    ]
    embed = discord.Embed(
        title=story_text.title(locale, len(story.shots)),
        description=shorten("\n".join(lines), 4096),
        colour=discord.Colour.purple(),
    )
    embed.add_field(
        name=story_text.cost_name(locale), value=story_text.cost(locale, story.cost, story.currency)
    )
    # No task footer: that is how the notifier recognises a task's own delivered result.
    return embed
