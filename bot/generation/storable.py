"""Text the task store can keep, on either backend: every character but NUL (PostgreSQL's text
and JSONB refuse it) and the surrogate code points, halves of a UTF-16 pair that arrive alone or
split (both drivers write text as UTF-8, which has no such characters). Pure."""

from __future__ import annotations

import re
from typing import Final

from bot.generation.problems import ParamValue

UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
# Shown in place of an unstorable character where text is echoed or kept as a label.
REPLACEMENT: Final = "\ufffd"


def as_label(text: str) -> str:
    """Text that is only a label (a file name, a description): kept, each unstorable character
    shown as REPLACEMENT, rather than refused for it."""
    return UNSTORABLE.sub(REPLACEMENT, text)


def unstorable_kind(char: str) -> dict[str, ParamValue]:
    """Which character it is, for the problem that names it."""
    return {"kind": "nul" if char == "\x00" else "surrogate", "code_point": f"U+{ord(char):04X}"}


def unstorable_at(typed: str, index: int) -> dict[str, ParamValue]:
    """Where the unstorable character at `index` of `typed` is (1-based, as typed), which it
    is, and the text around it with every such character shown as REPLACEMENT."""
    around = typed[max(0, index - 12) : index + 12]
    return {**unstorable_kind(typed[index]), "position": index + 1, "around": as_label(around)}
