"""Refusals of `/r2v generate` input, in the member's language. Pure.

`describe_problem` words one `Problem` (catalog message `problem_key(code)`, e.g.
`problem-prompt-too-long`, in `validation.ftl`); `refusal` words a whole `InputError` so that it
always fits one Discord message, however many problems there are. User text echoed back is
shortened and shown literally (code spans, escaped markdown, no mentions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.generation.problems import ParamValue, Problem, ProblemCode
from bot.generation.text import inline_code, megabytes, plain, shorten
from bot.messages.catalog import Arg, listed, text

DISCORD_MESSAGE_LIMIT = 2000

# Params holding user text, and how many characters of each are echoed.
_ECHOED = {
    "link": 80,
    "host": 80,
    "filename": 60,
    "model": 40,
    "size": 40,
    "shot_type": 40,
    "cast_name": 40,
    "around": 40,
}


def problem_key(code: ProblemCode) -> str:
    """The catalog message that words a problem code."""
    return "problem-" + code.value.replace("_", "-")


def describe_problem(locale: str | None, problem: Problem) -> str:
    """The sentence for one problem or notice."""
    return text(locale, problem_key(problem.code), **_fields(locale, problem.params))


def more_problems(locale: str | None, count: int) -> str:
    """The line that stands for problems left out of a refusal."""
    return text(locale, "more-problems", count=count)


def problem_list(
    locale: str | None, problems: Sequence[Problem], budget: int = DISCORD_MESSAGE_LIMIT
) -> str:
    """One bullet per problem, as many as fit in `budget` characters, then a line saying how
    many were left out."""
    lines = [f"• {describe_problem(locale, problem)}" for problem in problems]
    for shown in range(len(lines), -1, -1):
        listed = "\n".join(lines[:shown])
        if shown < len(lines):
            listed = "\n".join(filter(None, (listed, more_problems(locale, len(lines) - shown))))
        if len(listed) <= budget:
            return listed
    return shorten(more_problems(locale, len(lines)), budget)


def refusal(
    locale: str | None, problems: Sequence[Problem], budget: int = DISCORD_MESSAGE_LIMIT
) -> str:
    """The whole reply to input that cannot be submitted: a heading and the problems, within
    `budget` characters (one Discord message by default)."""
    heading = text(locale, "refusal-heading", count=len(problems))
    listed = problem_list(locale, problems, max(budget - len(heading) - 1, 1))
    return shorten(heading + "\n" + listed, budget)  # a budget smaller than the heading


def _fields(locale: str | None, params: Mapping[str, ParamValue]) -> dict[str, Arg]:
    """The message variables of a problem: its params, with user text made literal and the
    phrases derived from them (labels, amounts over a limit, lists of names)."""
    fields: dict[str, Arg] = {k: v for k, v in params.items() if isinstance(v, str | int)}
    for key, echo_limit in _ECHOED.items():
        value = params.get(key)
        if isinstance(value, str):
            fields[key] = inline_code(value, echo_limit)
    if "link" in params:
        fields["label"] = text(
            locale, "label-link", number=str(params.get("number")), link=fields["link"]
        )
    if "slot" in params:
        fields["label"] = text(
            locale, "label-ref", slot=str(params.get("slot")), filename=fields.get("filename", "")
        )
    elif "filename" in params and "link" not in params:
        # A file checked outside /r2v generate (a cast member's): named by its file name.
        fields["label"] = text(locale, "label-file", filename=fields["filename"])
    kind, code_point = params.get("kind"), params.get("code_point")
    if isinstance(kind, str) and isinstance(code_point, str):
        fields["character"] = text(locale, f"unstorable-{kind}", code_point=code_point)
    content_type = params.get("content_type")
    if isinstance(content_type, str):
        fields["content_type"] = plain(shorten(content_type, 60)) or text(locale, "type-unknown")
    models, sizes = params.get("models"), params.get("sizes")
    if isinstance(models, tuple):
        fields["models"] = _either(locale, [str(model) for model in models])
    if isinstance(sizes, tuple):
        fields["sizes"] = listed(locale, (inline_code(str(size)) for size in sizes))
    size_bytes, limit_bytes = params.get("size_bytes"), params.get("limit_bytes")
    if isinstance(size_bytes, int) and isinstance(limit_bytes, int):
        shown = megabytes(size_bytes)
        if shown == megabytes(limit_bytes):  # exact where rounding would make the two look equal
            shown = text(locale, "size-exact", size=size_bytes, limit=limit_bytes)
        fields["file_size"] = shown
        fields["limit_size"] = megabytes(limit_bytes)
    limit = params.get("limit")
    for amount_key in ("length", "given", "videos"):
        amount = params.get(amount_key)
        if isinstance(amount, int) and isinstance(limit, int):
            fields["over"] = amount - limit
    given = params.get("given", params.get("references"))
    if isinstance(given, int):
        fields["available"] = "character1" if given == 1 else f"character1–character{given}"
    cast_names = params.get("cast_names")
    if isinstance(cast_names, tuple):
        fields["cast_names"] = listed(locale, (inline_code(str(n), 40) for n in cast_names))
        fields["cast_count"] = len(cast_names)
    tenths = params.get("tenths")
    if isinstance(tenths, int):
        fields["seconds"] = f"{tenths / 10:.1f}"
    characters = params.get("characters")
    if isinstance(characters, tuple):
        fields["names"] = listed(locale, (f"character{n}" for n in characters))
        fields["unnamed"] = len(characters)
    return fields


def _either(locale: str | None, items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return text(locale, "list-or", head=listed(locale, items[:-1]), last=items[-1])
