"""Small pure helpers for showing text that comes from members or from the API back to people.

`plain` is the one way such text enters a message, an embed or a note: shown exactly as written,
whatever markdown it holds (a masked link, a heading, a fence), and pinging nobody. Two places
cannot take backslash escapes, so they have their own guard: a code span (`inline_code`: only a
backtick can end it) and a link's target (`link_target`: only a bracket or a space can)."""

from __future__ import annotations

import re
import unicodedata

# Characters Discord markdown gives a meaning anywhere in a line, escaped with a backslash
# (Discord honours `\` before any punctuation).
_MARKDOWN_ANYWHERE = re.compile(r"([\\*_~`|\[\]<>])")
# Markers that only count at the start of a line: quotes, headings, subtext, lists.
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(?:([>#+-])|(\d+)(\.))", re.MULTILINE)
# A zero-width space after `@` stops `@everyone`, `@here` and `<@123>` from resolving.
_ZERO_WIDTH_SPACE = "\u200b"
# Letters and symbols fonts draw as nothing, though Unicode does not call them spaces.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


def inline_code(text: str, limit: int = 80) -> str:
    """Wrap user text in backticks so Discord shows it literally, whatever it contains."""
    # A backtick inside would end the code span early and let markdown through.
    cleaned = text.replace("`", "ˋ").replace("\n", " ")
    return f"`{_without_mentions(shorten(cleaned, limit))}`"


def plain(text: str) -> str:
    """Text from a member or the API that Discord shows as written: no markdown
    (`1920*1080 … 1280*720` stays unitalicised), no masked links, no headings, quotes, lists or
    fences, no mentions or pings. Line breaks are kept."""
    escaped = _MARKDOWN_ANYWHERE.sub(r"\\\1", text)
    escaped = _MARKDOWN_LINE_START.sub(_escape_line_marker, escaped)
    return _without_mentions(escaped)


def one_line(text: str) -> str:
    """`text` with every run of white space (line breaks included) as one space: for text from
    outside shown within a line of ours (a quote, a list item)."""
    return " ".join(text.split())


# What would end a link's target early or change where it points, as %-escapes (which mean the
# same to a web server as the characters themselves).
_LINK_UNSAFE = re.compile(r"[\s()<>\[\]`\\\"|]")


def link_target(url: str) -> str:
    """A URL from outside (the API's video link) fit to stand as a link's target, in a masked
    link `[text](…)` or between `<…>`: nothing in it can close the link and let the rest of it
    render as markdown."""
    return _LINK_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _escape_line_marker(match: re.Match[str]) -> str:
    indent, marker, number, dot = match.groups()
    # `\1.` would show the backslash: Discord escapes punctuation only, so the dot is escaped.
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\{dot}"


def _without_mentions(text: str) -> str:
    return text.replace("@", "@" + _ZERO_WIDTH_SPACE)


def has_visible_text(text: str) -> bool:
    """Whether `text` shows anything at all: a letter, digit, punctuation mark or symbol, not
    only white space, zero-width and format characters, or combining marks with no base."""
    return any(
        unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_GLYPHS for char in text
    )


def megabytes(size_bytes: int) -> str:
    """Bytes as MB with one decimal, the way Discord shows file sizes."""
    return f"{size_bytes / (1024 * 1024):.1f} MB"
