"""Embeds that show a task. Built from the stored record, so the command's answer, the
tracker's edits and `/r2v status` all look the same."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import discord

from bot.api.models import TaskStatus
from bot.generation.limits import size_label
from bot.generation.request import GenerationRequest
from bot.generation.text import inline_code, plain, shorten
from bot.messages import features as features_text
from bot.messages.tasks import ending_title
from bot.messages.validation import describe_problem
from bot.service import Progress
from bot.store.records import TaskRecord

STATUS_STYLE: dict[TaskStatus, tuple[str, discord.Colour]] = {
    TaskStatus.PENDING: ("⏳ Queued", discord.Colour.light_grey()),
    TaskStatus.RUNNING: ("🎬 Generating", discord.Colour.blue()),
    TaskStatus.SUCCEEDED: ("✅ Done", discord.Colour.green()),
    TaskStatus.FAILED: ("❌ Failed", discord.Colour.red()),
    TaskStatus.CANCELED: ("🚫 Canceled", discord.Colour.dark_grey()),
    TaskStatus.UNKNOWN: ("⌛ Expired", discord.Colour.dark_grey()),
    TaskStatus.OTHER: ("⏳ In progress", discord.Colour.light_grey()),
}


def reference_lines(request: GenerationRequest) -> str:
    """`character1 → ref1 cat.png (PNG image)`, one line per reference, in order."""
    lines = []
    for number, ref in enumerate(request.references, start=1):
        kind = "image" if ref.kind == "image" else "clip"
        lines.append(
            f"**character{number}** → {ref.source} {inline_code(ref.name, 48)} "
            f"({ref.file_format} {kind})"
        )
    return "\n".join(lines)


def parameter_lines(request: GenerationRequest) -> str:
    lines = [
        f"**Model** {request.model}",
        f"**Size** {size_label(request.size)}",
        f"**Duration** {request.duration} s",
        f"**Shot** {request.shot_type or 'single (default)'}",
        f"**Audio** {'on' if request.has_audio else 'off'}",
    ]
    if request.seed is not None:
        chosen = " (random)" if request.seed_is_random else ""
        lines.append(f"**Seed** {request.seed}{chosen}")
    return "\n".join(lines)


def task_embed(record: TaskRecord, progress: Progress | None = None) -> discord.Embed:
    """The status embed of a task at this moment."""
    title, colour = STATUS_STYLE[record.status]
    if record.status is TaskStatus.OTHER:
        title = f"⏳ {record.raw_status.title()}"
    request = record.request
    embed = discord.Embed(
        title=title,
        description=shorten(plain(request.prompt), 4096),
        colour=colour,
        timestamp=datetime.fromtimestamp(record.created_at, UTC),
    )
    embed.add_field(name="Task ID", value=f"`{record.task_id}`", inline=False)
    embed.add_field(name="Status", value=_status_value(record, progress), inline=True)
    embed.add_field(name="Parameters", value=parameter_lines(request), inline=True)
    if record.actual_cost_known:
        embed.add_field(name=features_text.COST_FIELD, value=_actual_cost(record), inline=True)
    elif record.cost_text:
        embed.add_field(name="Estimated cost", value=record.cost_text, inline=True)
    embed.add_field(name="References", value=reference_lines(request) or "—", inline=False)
    if request.negative_prompt:
        embed.add_field(
            name="Negative prompt",
            value=shorten(plain(request.negative_prompt), 1024),
            inline=False,
        )
    _add_lineage(embed, record)
    notes = [describe_problem(warning) for warning in request.warnings]
    if notes:
        embed.add_field(
            name="Notes", value=shorten("\n".join(f"⚠️ {n}" for n in notes), 1024), inline=False
        )
    embed.set_footer(text="Requested")
    return embed


def task_preview(request: GenerationRequest) -> discord.Embed:
    """What would be submitted, shown before a confirmation click."""
    embed = discord.Embed(
        title="Ready to generate", description=shorten(plain(request.prompt), 4096), colour=0xF1C40F
    )
    embed.add_field(name="Parameters", value=parameter_lines(request), inline=True)
    embed.add_field(name="References", value=reference_lines(request) or "—", inline=True)
    if request.warnings:
        notes = "\n".join(f"⚠️ {describe_problem(note)}" for note in request.warnings)
        embed.add_field(name="Notes", value=shorten(notes, 1024), inline=False)
    return embed


# The currency is the one the estimate was written in (`CostEstimate.describe`).
_CURRENCY_IN_ESTIMATE = re.compile(r"\d\s+([^\s(]+)")


def _actual_cost(record: TaskRecord) -> str:
    found = _CURRENCY_IN_ESTIMATE.search(record.cost_text or "")
    currency = found.group(1) if found else ""
    amount = record.cost_amount if record.cost_amount is not None else Decimal(0)
    return features_text.actual_cost(amount, record.estimated_amount, currency)


def _add_lineage(embed: discord.Embed, record: TaskRecord) -> None:
    """A re-roll, re-run or continuation says what it came from."""
    if record.parent_task_id:
        embed.add_field(
            name=features_text.LINEAGE_FIELD,
            value=features_text.lineage(record.parent_task_id, record.parent_result_url),
            inline=False,
        )


def _status_value(record: TaskRecord, progress: Progress | None) -> str:
    lines = [f"**{record.raw_status}**"]
    started = record.api_times.get("scheduled_at")
    if record.finished_at is not None:
        lines.append(f"took {format_duration(record.finished_at - record.created_at)}")
    # Relative timestamps keep counting in everyone's client without any edit.
    elif record.status is TaskStatus.PENDING:
        lines.append(features_text.queued_since(record.created_at))
    elif record.status is TaskStatus.RUNNING and started is not None:
        lines.append(features_text.generating_since(started))
    else:
        lines.append(f"submitted <t:{int(record.created_at)}:R>")
    if progress is not None and progress.usually_ready_at is not None:
        lines.append(features_text.usually_ready(progress.usually_ready_at))
    if progress is not None and progress.place_in_queue is not None:
        lines.append(features_text.place_in_queue(progress.place_in_queue))
    if record.finished_at is None:
        return "\n".join(lines)
    queued = record.api_times.get("queued_s")
    running = record.api_times.get("running_s")
    if queued is not None:
        lines.append(f"queued {format_duration(queued)}")
    if running is not None:
        lines.append(f"generating {format_duration(running)}")
    return "\n".join(lines)


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def result_embed(record: TaskRecord, *, note: str | None = None) -> discord.Embed:
    """The final post: what was asked for, so the video can be found and redone."""
    title, colour = STATUS_STYLE.get(record.status, STATUS_STYLE[TaskStatus.OTHER])
    title = ending_title(record) or title
    request = record.request
    embed = discord.Embed(
        title=title, description=shorten(plain(request.prompt), 4096), colour=colour
    )
    embed.add_field(name="Parameters", value=parameter_lines(request), inline=True)
    embed.add_field(name="References", value=reference_lines(request) or "—", inline=True)
    if request.negative_prompt:
        embed.add_field(
            name="Negative prompt",
            value=shorten(plain(request.negative_prompt), 1024),
            inline=False,
        )
    if record.actual_cost_known:
        embed.add_field(name=features_text.COST_FIELD, value=_actual_cost(record), inline=True)
    _add_lineage(embed, record)
    if note:
        embed.add_field(name="Note", value=shorten(note, 1024), inline=False)
    # The task ID in the footer lets a restarted bot recognise its own earlier delivery.
    embed.set_footer(text=f"Task {record.task_id}")
    return embed
