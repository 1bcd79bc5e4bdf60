"""The rules one attached file follows (`ref1`…`ref5`, and a cast member's file when it is
added): its type, size and pixels as Discord describes it, before anything is downloaded. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.generation import limits
from bot.generation.problems import ParamValue, Problem, ProblemCode, problem
from bot.generation.storable import UNSTORABLE, as_label, unstorable_kind


@dataclass(frozen=True)
class AttachmentInput:
    """What Discord tells us about an attached file, without downloading it."""

    slot: int
    filename: str
    content_type: str | None
    size: int
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Reference:
    """One reference file; its position in the request makes it characterN."""

    url: str
    kind: limits.Kind
    file_format: str
    source: str
    name: str


def attachment_reference(attachment: AttachmentInput, problems: list[Problem]) -> Reference | None:
    # A file name is only a label (the API gets the address): one that holds a character the
    # store cannot keep is kept as a label (`as_label`), rather than refusing the file for it.
    attachment = replace(attachment, filename=as_label(attachment.filename))
    where: dict[str, ParamValue] = {"slot": attachment.slot, "filename": attachment.filename}
    found = UNSTORABLE.search(attachment.url)
    if found is not None:
        character = unstorable_kind(found.group())
        problems.append(problem(ProblemCode.ATTACHMENT_UNSTORABLE, **where, **character))
        return None
    content_type = (attachment.content_type or "").split(";")[0].strip().lower()
    if content_type in limits.IMAGE_CONTENT_TYPES:
        kind: limits.Kind = "image"
        file_format = limits.IMAGE_CONTENT_TYPES[content_type]
    elif content_type in limits.VIDEO_CONTENT_TYPES:
        kind = "video"
        file_format = limits.VIDEO_CONTENT_TYPES[content_type]
    else:
        problems.append(problem(ProblemCode.ATTACHMENT_TYPE, **where, content_type=content_type))
        return None

    if kind == "image":
        _check_image(attachment, where, problems)
    elif attachment.size > limits.VIDEO_MAX_BYTES:
        problems.append(
            problem(
                ProblemCode.VIDEO_TOO_HEAVY,
                **where,
                size_bytes=attachment.size,
                limit_bytes=limits.VIDEO_MAX_BYTES,
            )
        )
    return Reference(
        url=attachment.url,
        kind=kind,
        file_format=file_format,
        source=f"ref{attachment.slot}",
        name=attachment.filename,
    )


def _check_image(
    attachment: AttachmentInput, where: dict[str, ParamValue], problems: list[Problem]
) -> None:
    if attachment.size > limits.IMAGE_MAX_BYTES:
        problems.append(
            problem(
                ProblemCode.IMAGE_TOO_HEAVY,
                **where,
                size_bytes=attachment.size,
                limit_bytes=limits.IMAGE_MAX_BYTES,
            )
        )
    width, height = attachment.width, attachment.height
    if width is None or height is None:
        return  # Discord omits dimensions for files it cannot decode; the API will judge.
    sides = {"width": width, "height": height}
    if min(width, height) < limits.IMAGE_SIDE_MIN_PX:
        problems.append(
            problem(ProblemCode.IMAGE_TOO_SMALL, **where, **sides, limit=limits.IMAGE_SIDE_MIN_PX)
        )
    elif max(width, height) > limits.IMAGE_SIDE_MAX_PX:
        problems.append(
            problem(ProblemCode.IMAGE_TOO_LARGE, **where, **sides, limit=limits.IMAGE_SIDE_MAX_PX)
        )


def check_file(attachment: AttachmentInput) -> tuple[Reference | None, tuple[Problem, ...]]:
    """One file checked by the rules `ref1`…`ref5` follow (type, size, and pixels when the
    metadata has them), for files taken outside `/r2v generate` (a cast member's, checked once
    when it is added): the reference it would make, and its problems, which name the file
    rather than a slot."""
    problems: list[Problem] = []
    reference = attachment_reference(attachment, problems)
    unslotted = tuple(
        Problem(p.code, {key: value for key, value in p.params.items() if key != "slot"})
        for p in problems
    )
    return reference, unslotted
