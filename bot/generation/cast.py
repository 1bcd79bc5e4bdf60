"""A server's cast as the prompt sees it: names, and how a prompt that calls characters by
their names becomes the request the API wants. Pure.

`cast:"Mia, Robot"` puts those members first among the references: Mia is character1, Robot
character2, then the member's own references (`ref1`…`ref5`, then `links`). The prompt may call
the chosen members by name, and `plan_cast` writes what the API wants: `Mia hands Robot a cup`
becomes `character1 hands character2 a cup`. A `characterN` the member wrote still means their
own Nth reference, as the option descriptions say (`ref1` → character1): it is shifted past the
cast members (`character1` becomes `character3` with two of them).

Names are matched as whole words, case ignored, longest first (so `Mia Rose` wins over `Mia`),
with any run of white space matching a space. "Whole word" means no letter or digit of a
spaced script (Latin, Cyrillic, Greek, …) directly before or after a name that starts or ends
with one: `Mia's` matches, `Miami` does not. Scripts written without spaces (Chinese,
Japanese, Korean, Thai, …) have no word edges, so `给Mia一杯` and `小明递给机器人` match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from bot.generation import limits
from bot.generation.characters import CHARACTER_TOKEN, JOINING
from bot.generation.problems import Problem, ProblemCode, problem
from bot.generation.storable import as_label
from bot.generation.text import has_visible_text

NAME_MAX_CHARS: Final = 32
DESCRIPTION_MAX_CHARS: Final = 200
# Reference clips the API takes (the contract's model rules).
CLIP_MIN_S: Final = 1.0
CLIP_MAX_S: Final = 30.0

# Separators of the names in `cast:"Mia, Robot"` (a Chinese keyboard types the other two).
_SEPARATORS: Final = re.compile(r"[,，、]")
_RESERVED: Final = re.compile(r"^character\s*\d+$", re.IGNORECASE)


def name_key(name: str) -> str:
    """What makes two cast names the same name: case and compatibility forms folded (`Mia`,
    `MIA` and `ｍｉａ` are one name), surrounding and repeated spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_name(name: str) -> str:
    """A name as kept: trimmed, inner runs of white space made one space."""
    return " ".join(name.split())


def check_name(name: str) -> str | Problem:
    """The name as it will be kept, or why it cannot name a cast member: 1–32 characters, a
    letter or digit among them, no commas (they separate names in `cast:`), no control
    characters, not `characterN` (the API's own word)."""
    cleaned = clean_name(name)
    if not cleaned or not has_visible_text(cleaned):
        return problem(ProblemCode.CAST_NAME_MISSING)
    if len(cleaned) > NAME_MAX_CHARS:
        return problem(ProblemCode.CAST_NAME_TOO_LONG, length=len(cleaned), limit=NAME_MAX_CHARS)
    if _SEPARATORS.search(cleaned):
        return problem(ProblemCode.CAST_NAME_COMMA, cast_name=cleaned)
    # Cs: half of a UTF-16 pair, which no store can keep (bot.generation.storable).
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in cleaned):
        return problem(ProblemCode.CAST_NAME_INVISIBLE, cast_name=cleaned)
    if not any(char.isalnum() for char in cleaned):
        return problem(ProblemCode.CAST_NAME_NO_LETTER, cast_name=cleaned)
    if _RESERVED.match(cleaned):
        return problem(ProblemCode.CAST_NAME_RESERVED, cast_name=cleaned)
    return cleaned


def check_description(description: str | None) -> str | Problem | None:
    """The description as kept (None when there is none), or why it cannot be one."""
    cleaned = as_label((description or "").strip())
    if not cleaned or not has_visible_text(cleaned):
        return None
    if len(cleaned) > DESCRIPTION_MAX_CHARS:
        return problem(
            ProblemCode.CAST_DESCRIPTION_TOO_LONG,
            length=len(cleaned),
            limit=DESCRIPTION_MAX_CHARS,
        )
    return cleaned


def check_clip_length(seconds: float, filename: str) -> Problem | None:
    """A reference clip runs 1–30 s (the contract's model rules)."""
    if CLIP_MIN_S <= seconds <= CLIP_MAX_S:
        return None
    return problem(
        ProblemCode.CLIP_LENGTH,
        filename=filename,
        tenths=round(seconds * 10),
        low=int(CLIP_MIN_S),
        high=int(CLIP_MAX_S),
    )


def split_names(text: str | None) -> list[str]:
    """The names in a `cast:` option, in order: `Mia, Robot` → ["Mia", "Robot"]."""
    return [name for part in _SEPARATORS.split(text or "") if (name := clean_name(part))]


# The `source` of a reference that is a cast member's copy: `cast:<id>` (its id in the store),
# so a Re-roll, Edit or Continue can ask for a fresh link of the same member.
CAST_SOURCE_PREFIX: Final = "cast:"


def cast_source(cast_id: int) -> str:
    return f"{CAST_SOURCE_PREFIX}{cast_id}"


def cast_id_of(source: str) -> int | None:
    """The cast member a reference's `source` names, or None for any other reference."""
    number = source.removeprefix(CAST_SOURCE_PREFIX)
    if number == source or not number.isdecimal():
        return None
    return int(number)


def split_last(text: str) -> tuple[list[str], str]:
    """`cast:` as it is being typed: the names before the last separator, and what follows it
    (the name being typed): `Mia, Ro` → (["Mia"], "Ro")."""
    parts = _SEPARATORS.split(text)
    return split_names(",".join(parts[:-1])), parts[-1].strip()


@dataclass(frozen=True)
class CastEntry:
    """A member of the server's cast as the prompt sees it."""

    name: str  # as kept
    kind: limits.Kind


@dataclass(frozen=True)
class Casting:
    """One chosen member and the character it plays in the request."""

    name: str
    character: int  # N of characterN


@dataclass(frozen=True)
class CastPlan:
    """What choosing cast members makes of a request. With `problems` nothing can be
    submitted; `warnings` are shown with an accepted request."""

    members: tuple[CastEntry, ...]  # the chosen, in order: character1, character2, …
    castings: tuple[Casting, ...]
    prompt: str
    negative_prompt: str | None
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def shift(self) -> int:
        """How far the member's own references move: their ref1 is character(shift + 1)."""
        return len(self.members)


def plan_cast(
    chosen: Sequence[str],
    found: Sequence[CastEntry],
    server_names: Collection[str],
    *,
    prompt: str,
    negative_prompt: str | None = None,
    carried: Sequence[Casting] = (),
) -> CastPlan:
    """Put the `chosen` members (names as the member typed them, in order; `found` are the
    server's members of those names, in any order) first and rewrite both prompts: each chosen
    name becomes its characterN, each `characterN` the member wrote moves past the cast. A name
    of the server's cast (`server_names`) that the prompt uses without choosing it is left as
    written, with a warning. `carried` are cast members a redone task already has (Edit,
    Continue), numbered among the member's own references: their names are written as their
    characterN too. How many references there are in all (the cast counted) is the request's
    check (`bot.generation.request.build_request`), which sees them all."""
    by_key = {name_key(entry.name): entry for entry in found}
    members: list[CastEntry] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for name in chosen:
        entry = by_key.get(name_key(name))
        if entry is None:
            unknown.append(name)
        elif entry in members:
            repeated.append(entry.name)
        else:
            members.append(entry)
    problems: list[Problem] = []
    if unknown:
        problems.append(problem(ProblemCode.CAST_UNKNOWN, cast_names=tuple(unknown)))
    if repeated:
        problems.append(problem(ProblemCode.CAST_REPEATED, cast_names=tuple(repeated)))

    castings = tuple(Casting(m.name, n) for n, m in enumerate(members, start=1))
    fixed = tuple(Casting(c.name, c.character + len(castings)) for c in carried)
    rewrite = _Rewriter(castings, server_names, fixed)
    new_prompt = rewrite(prompt)
    new_negative = rewrite(negative_prompt) if negative_prompt else negative_prompt
    # Only what the rewriting made too long: a prompt already too long is the request's check.
    if len(new_prompt.strip()) > limits.PROMPT_MAX_CHARS >= len(prompt.strip()):
        problems.append(
            problem(
                ProblemCode.CAST_PROMPT_TOO_LONG,
                length=len(new_prompt.strip()),
                limit=limits.PROMPT_MAX_CHARS,
            )
        )
    negative_length = len((new_negative or "").strip())
    if negative_length > limits.NEGATIVE_PROMPT_MAX_CHARS >= len((negative_prompt or "").strip()):
        problems.append(
            problem(
                ProblemCode.CAST_NEGATIVE_PROMPT_TOO_LONG,
                length=negative_length,
                limit=limits.NEGATIVE_PROMPT_MAX_CHARS,
            )
        )
    warnings: list[Problem] = []
    if rewrite.not_chosen:
        warnings.append(
            problem(ProblemCode.CAST_NOT_CHOSEN, cast_names=tuple(sorted(rewrite.not_chosen)))
        )
    never = [c.name for c in castings if c.character not in rewrite.named]
    if never and prompt.strip():
        warnings.append(problem(ProblemCode.CAST_NEVER_NAMED, cast_names=tuple(never)))
    return CastPlan(
        members=tuple(members),
        castings=castings,
        prompt=new_prompt,
        negative_prompt=new_negative,
        warnings=tuple(warnings),
        problems=tuple(problems),
    )


class _Rewriter:
    """One pass over a text: chosen names become their characterN, the member's own
    characterN move past the cast, other cast names are noted."""

    def __init__(
        self,
        castings: Sequence[Casting],
        server_names: Collection[str],
        carried: Sequence[Casting] = (),
    ) -> None:
        # The chosen win over a carried member of the same name.
        self._character_of = {name_key(c.name): c.character for c in (*carried, *castings)}
        self._shift = len(castings)
        self.not_chosen: set[str] = set()
        self.named: set[int] = set()
        spelled = (*server_names, *(c.name for c in (*carried, *castings)))
        names = sorted(
            {name_key(n): n for n in spelled}.values(),
            key=lambda n: (-len(name_key(n)), name_key(n)),
        )
        self._names = {name_key(n): n for n in names}
        alternatives = [CHARACTER_TOKEN, *(_name_pattern(n) for n in names)]
        self._pattern = re.compile("|".join(alternatives), re.IGNORECASE)

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        number = match.group(1)
        if number is not None:
            return f"character{int(number) + self._shift}" if self._shift else match.group(0)
        key = name_key(match.group(0))
        character = self._character_of.get(key)
        if character is None:
            self.not_chosen.add(self._names.get(key, match.group(0)))
            return match.group(0)
        self.named.add(character)
        return f"character{character}"


def _name_pattern(name: str) -> str:
    """A whole-word, any-spacing pattern for one name (see the module's docstring)."""
    body = r"\s+".join(re.escape(part) for part in name.split())
    before = f"(?<!{JOINING})" if _joins(name[0]) else ""
    after = f"(?!{JOINING})" if _joins(name[-1]) else ""
    return before + body + after


def _joins(char: str) -> bool:
    return re.fullmatch(JOINING, char) is not None
