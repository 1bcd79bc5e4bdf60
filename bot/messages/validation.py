"""Refusals of `/r2v generate` input, in English. Pure.

`describe_problem` words one `Problem`; `refusal` words a whole `InputError` so that it
always fits one Discord message, however many problems there are. User text echoed back is
shortened and shown literally (code spans, escaped markdown, no mentions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.generation.problems import ParamValue, Problem, ProblemCode
from bot.generation.text import inline_code, megabytes, plain, plural, shorten, size_over_limit

DISCORD_MESSAGE_LIMIT = 2000

_WRITE_A_PROMPT = "Write a prompt: describe the video and refer to people as character1, …"
_CHECK_IT = "check the link and paste it again."
_CANNOT_DOWNLOAD = "which Alibaba's servers cannot download; use a public link."

# One sentence per kind of problem. Fields: the problem's params, plus what `_fields` derives
# from them (`label`, `over`, `names`, …); user text arrives already made literal.
TEMPLATES: dict[ProblemCode, str] = {
    ProblemCode.PROMPT_MISSING: _WRITE_A_PROMPT,
    ProblemCode.PROMPT_INVISIBLE: (
        "Your prompt has only invisible characters (spaces, zero-width or combining marks). "
        + _WRITE_A_PROMPT
    ),
    ProblemCode.PROMPT_TOO_LONG: (
        "Your prompt is {length:,} characters; the limit is {limit:,}. Shorten it by {over:,}."
    ),
    ProblemCode.NEGATIVE_PROMPT_INVISIBLE: (
        "Your negative prompt has only invisible characters (spaces, zero-width or combining "
        "marks). Write what the video should avoid, or leave the option out."
    ),
    ProblemCode.NEGATIVE_PROMPT_TOO_LONG: (
        "Your negative prompt is {length:,} characters; the limit is {limit}. "
        "Shorten it by {over:,}."
    ),
    ProblemCode.MODEL_UNKNOWN: "Model {model} is unknown; use {models}.",
    ProblemCode.SIZE_NOT_OFFERED: "Size {size} is not offered; pick one of {sizes}.",
    ProblemCode.DURATION_OUT_OF_RANGE: "Duration must be {low}–{high} seconds, not {duration}.",
    ProblemCode.SHOT_TYPE_UNKNOWN: (
        "Shot type must be `single` (one continuous shot) or `multi` (with cuts)."
    ),
    ProblemCode.SEED_OUT_OF_RANGE: "Seed must be a whole number from {low} to {high:,}.",
    ProblemCode.SILENT_NEEDS_FLASH: (
        "`audio: False` works only with {flash_model}: {model} always generates sound. "
        "Pick {flash_model} for a silent video, or leave audio on."
    ),
    ProblemCode.REFERENCES_MISSING: (
        "Add at least one reference: attach an image or clip in ref1–ref5, or paste a "
        "direct link in `links`."
    ),
    ProblemCode.TOO_MANY_REFERENCES: (
        "You gave {given_references}; the model takes at most {limit}. Remove {over}."
    ),
    ProblemCode.TOO_MANY_VIDEOS: (
        "{videos} of your references are videos; at most {limit} may be. "
        "Replace {over} with an image."
    ),
    ProblemCode.CHARACTER_OUT_OF_RANGE: (
        "Your prompt names {names}, but you gave {given_references} ({available}). "
        "Add references or change the prompt."
    ),
    ProblemCode.ATTACHMENT_TYPE: (
        "{label} is {content_type}; use a JPEG, PNG, BMP or WEBP image, or an MP4 or MOV clip."
    ),
    ProblemCode.IMAGE_TOO_HEAVY: (
        "{label} is {file_size}; images must be at most {limit_size}. Export it smaller or as JPEG."
    ),
    ProblemCode.VIDEO_TOO_HEAVY: (
        "{label} is {file_size}; clips must be at most {limit_size}. Trim or compress it."
    ),
    ProblemCode.IMAGE_TOO_SMALL: (
        "{label} is {width}×{height} px; each side must be at least {limit} px. Use a larger image."
    ),
    ProblemCode.IMAGE_TOO_LARGE: (
        "{label} is {width}×{height} px; each side must be at most {limit} px. Scale it down."
    ),
    ProblemCode.LINK_NOT_WEB_ADDRESS: (
        "{label} is not a web address; links must start with http:// or https://."
    ),
    ProblemCode.LINK_BACKSLASH_IN_HOST: (
        "{label} has a backslash (`\\`) before its path, which servers read in different "
        "ways; write it with forward slashes (`/`)."
    ),
    ProblemCode.LINK_HAS_USER_INFO: (
        "{label} contains a user name or password (before `@`); paste the link without it."
    ),
    ProblemCode.LINK_BAD_PORT: (
        "{label} has an invalid port (after `:`); a port is a whole number from 1 to 65535, "
        "or none at all."
    ),
    ProblemCode.LINK_BAD_IPV6: (
        "{label} has a malformed IPv6 address (between `[` and `]`); " + _CHECK_IT
    ),
    ProblemCode.LINK_ZONE_ID: (
        "{label} names a network interface (`%…`) in its address, which only works on a "
        "local network; use a public link."
    ),
    ProblemCode.LINK_BAD_IPV4: (
        "{label} has a host that looks like an IP address but is not a valid one; " + _CHECK_IT
    ),
    ProblemCode.LINK_BAD_PERCENT_ENCODING: (
        "{label} has a broken %-escape in its host name; " + _CHECK_IT
    ),
    ProblemCode.LINK_BAD_HOST: (
        "{label} has a host name with characters a web address cannot contain; " + _CHECK_IT
    ),
    ProblemCode.LINK_PRIVATE_ADDRESS: "{label} points at a private or local address, "
    + _CANNOT_DOWNLOAD,
    ProblemCode.LINK_LOCAL_NAME: "{label} names {host}, a host that exists only on a local "
    "network, " + _CANNOT_DOWNLOAD,
    ProblemCode.LINK_NOT_A_FILE: (
        "{label} does not end in a known file type. Paste a direct link to the file "
        "(ending in .jpg, .png, .bmp, .webp, .mp4 or .mov), not to a page that shows it."
    ),
    ProblemCode.CHARACTER_NAME_SPACED: (
        "Write character names without a space (`character1`, not `character 1`) so the "
        "model links them to your references."
    ),
    ProblemCode.CHARACTERS_NEVER_NAMED: (
        "Your prompt never names {names}; the model may use {that_reference} loosely."
    ),
}

# Params holding user text, and how many characters of each are echoed.
_ECHOED = {"link": 80, "host": 80, "filename": 60, "model": 40, "size": 40, "shot_type": 40}


def describe_problem(problem: Problem) -> str:
    """The sentence for one problem or notice."""
    return TEMPLATES[problem.code].format_map(_fields(problem.params))


def more_problems(count: int) -> str:
    """The line that stands for problems left out of a refusal."""
    return f"…and {plural(count, 'more problem')}: fix these first, then try again."


def problem_list(problems: Sequence[Problem], budget: int = DISCORD_MESSAGE_LIMIT) -> str:
    """One bullet per problem, as many as fit in `budget` characters, then a line saying how
    many were left out."""
    lines = [f"• {describe_problem(problem)}" for problem in problems]
    for shown in range(len(lines), -1, -1):
        text = "\n".join(lines[:shown])
        if shown < len(lines):
            text = "\n".join(filter(None, (text, more_problems(len(lines) - shown))))
        if len(text) <= budget:
            return text
    return shorten(more_problems(len(lines)), budget)


def refusal(problems: Sequence[Problem], budget: int = DISCORD_MESSAGE_LIMIT) -> str:
    """The whole reply to input that cannot be submitted: a heading and the problems, within
    `budget` characters (one Discord message by default)."""
    heading = "**Nothing was submitted.** Please change " + (
        "this:" if len(problems) == 1 else "these:"
    )
    listed = problem_list(problems, max(budget - len(heading) - 1, 1))
    return shorten(heading + "\n" + listed, budget)  # a budget smaller than the heading


def _fields(params: Mapping[str, ParamValue]) -> dict[str, object]:
    """The template fields of a problem: its params, with user text made literal and the
    phrases derived from them (labels, amounts over a limit, lists of names)."""
    fields: dict[str, object] = dict(params)
    for key, echo_limit in _ECHOED.items():
        value = params.get(key)
        if isinstance(value, str):
            fields[key] = inline_code(value, echo_limit)
    if "link" in params:
        fields["label"] = f"link {params.get('number')} ({fields['link']})"
    if "slot" in params:
        fields["label"] = f"ref{params.get('slot')} ({fields.get('filename')})"
    content_type = params.get("content_type")
    if isinstance(content_type, str):
        fields["content_type"] = plain(shorten(content_type, 60)) or "of unknown type"
    models, sizes = params.get("models"), params.get("sizes")
    if isinstance(models, tuple):
        fields["models"] = " or ".join(map(str, models))
    if isinstance(sizes, tuple):
        fields["sizes"] = ", ".join(inline_code(str(size)) for size in sizes)
    size_bytes, limit_bytes = params.get("size_bytes"), params.get("limit_bytes")
    if isinstance(size_bytes, int) and isinstance(limit_bytes, int):
        fields["file_size"] = size_over_limit(size_bytes, limit_bytes)
        fields["limit_size"] = megabytes(limit_bytes)
    limit = params.get("limit")
    for amount_key in ("length", "given", "videos"):
        amount = params.get(amount_key)
        if isinstance(amount, int) and isinstance(limit, int):
            fields["over"] = amount - limit
    given = params.get("given", params.get("references"))
    if isinstance(given, int):
        fields["given_references"] = plural(given, "reference")
        fields["available"] = "character1" if given == 1 else f"character1–character{given}"
    characters = params.get("characters")
    if isinstance(characters, tuple):
        fields["names"] = ", ".join(f"character{n}" for n in characters)
        fields["that_reference"] = (
            "that reference" if len(characters) == 1 else ("those references")
        )
    return fields
