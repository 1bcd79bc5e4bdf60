"""`characterN` in a prompt: the model's names for the references, in order. Pure.

A `characterN` is a whole word: no letter or digit of a spaced script (Latin, Cyrillic, Greek,
…) directly before or after it (`character1's` counts, `xcharacter1` does not). Scripts written
without spaces (Chinese, Japanese, Korean, Thai, …) have no word edges, so `给character1一杯`
names character1. The cast's names are matched by the same rule (bot/generation/cast.py).
"""

from __future__ import annotations

import re
from typing import Final

from bot.generation.problems import Problem, ProblemCode, problem

# Letters and digits of scripts written without spaces between words: no word edges there.
UNSPACED: Final = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\U0010ffff"  # CJK and everything after it
)
# A letter, digit or underscore that joins a word in a spaced script.
JOINING: Final = rf"[^\W{UNSPACED}]"
CHARACTER_TOKEN: Final = rf"(?<!{JOINING})character(\d+)(?!{JOINING})"
_CHARACTER_PATTERN: Final = re.compile(CHARACTER_TOKEN, re.IGNORECASE)
_CHARACTER_WITH_SPACE = re.compile(r"\bcharacter\s+(\d+)\b", re.IGNORECASE)


def character_numbers(text: str) -> set[int]:
    """The N of every `characterN` in a text."""
    return {int(number) for number in _CHARACTER_PATTERN.findall(text)}


def check_mentions(
    prompt: str, own: int, problems: list[Problem], *, cast_count: int = 0
) -> list[Problem]:
    """The member's characterN name their own `own` references: refuse one beyond them, warn
    about a reference the prompt never names. With a cast (`cast_count` members sent first) N is
    still as the member wrote it, but an unnamed reference is reported by the number it is sent
    as, after the cast's members, as the shown mapping numbers it."""
    mentioned = character_numbers(prompt or "")
    beyond = sorted(n for n in mentioned if n < 1 or n > own)
    if beyond:
        code = (
            ProblemCode.CAST_CHARACTER_OUT_OF_RANGE
            if cast_count
            else ProblemCode.CHARACTER_OUT_OF_RANGE
        )
        problems.append(problem(code, characters=tuple(beyond), references=own))
    warnings = spacing_warnings(prompt)
    unnamed = [cast_count + n for n in range(1, own + 1) if n not in mentioned]
    if unnamed and prompt and prompt.strip():
        warnings.append(problem(ProblemCode.CHARACTERS_NEVER_NAMED, characters=tuple(unnamed)))
    return warnings


def spacing_warnings(prompt: str) -> list[Problem]:
    if _CHARACTER_WITH_SPACE.search(prompt or ""):
        return [problem(ProblemCode.CHARACTER_NAME_SPACED)]
    return []
