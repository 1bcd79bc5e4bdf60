"""Small pure helpers for showing user-supplied text back to people."""

from __future__ import annotations

import re


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


def inline_code(text: str, limit: int = 80) -> str:
    """Wrap user text in backticks so Discord shows it literally, whatever it contains."""
    # A backtick inside would end the code span early and let markdown through.
    cleaned = text.replace("`", "ˋ").replace("\n", " ")
    return f"`{shorten(cleaned, limit)}`"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 reference', '3 references'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def megabytes(size_bytes: int) -> str:
    """Bytes as MB with one decimal, the way Discord shows file sizes."""
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def size_over_limit(size_bytes: int, limit_bytes: int) -> str:
    """A size next to its limit, exact where rounding would make the two look equal."""
    shown = megabytes(size_bytes)
    if shown == megabytes(limit_bytes):
        shown = f"{size_bytes:,} bytes (limit {limit_bytes:,})"
    return shown


_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#-])")


def plain(text: str) -> str:
    """User text shown as typed: markdown characters escaped (so `1920*1080 … 1280*720` stays
    literal and `[label](url)` is no live masked link) and mentions defused."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return escaped.replace("@", "@\u200b")
