"""Sentences of stories: Export story and `/r2v story`. Words in `locales/*/stories.ftl`;
prompts are shown literally (no markdown, no mentions)."""

from __future__ import annotations

from bot.generation.text import inline_code, plain, shorten
from bot.messages.catalog import text
from bot.messages.limits import money
from bot.store.records import TaskRecord
from bot.store.types import Spend

Locale = str | None


def not_a_story(locale: Locale) -> str:
    return text(locale, "story-not-a-story")


def joining(locale: Locale, count: int) -> str:
    return text(locale, "story-joining", count=count)


def nothing_kept(locale: Locale) -> str:
    return text(locale, "story-nothing-kept")


def failed(locale: Locale) -> str:
    return text(locale, "story-failed")


def posted(locale: Locale) -> str:
    return text(locale, "story-posted")


def heading(locale: Locale, count: int, member: int, *, fitted: bool, gone: int) -> str:
    """The post's words: whose story, and what was left out or re-encoded."""
    lines = [text(locale, "story-heading", count=count, member=member)]
    if gone:
        lines.append(text(locale, "story-gone-note", count=gone))
    if fitted:
        lines.append(text(locale, "story-fitted"))
    return "\n".join(lines)


def title(locale: Locale, count: int) -> str:
    return text(locale, "story-title", count=count)


def shot_line(
    locale: Locale, number: int, record: TaskRecord, *, kept: bool, prompt_chars: int
) -> str:
    """One shot: its number, task id and prompt (as sent); a shot no longer kept says so."""
    prompt = plain(shorten(record.request.prompt, max(prompt_chars, 10)))
    key = "story-shot" if kept else "story-shot-gone"
    return text(locale, key, number=number, task_id=inline_code(record.task_id, 100), prompt=prompt)


def cost_name(locale: Locale) -> str:
    return text(locale, "story-cost")


def cost(locale: Locale, spent: Spend, currency: str) -> str:
    return text(
        locale,
        "story-cost-value",
        amount=money(spent.amount),
        currency=currency,
        seconds=spent.seconds,
    )
