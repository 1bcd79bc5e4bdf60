"""Turns slash-command options into one validated, frozen generation request.

Everything here is pure and instant, so that a refusal can be an ephemeral reply sent before
the interaction is deferred and before any paid call is made. Validation gathers every problem
it finds, cheapest checks first, so a user fixes them all in one go.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from bot.generation import limits
from bot.generation.text import inline_code, megabytes, plural, size_over_limit


class InputError(Exception):
    """A request a user must change before it can be submitted; each problem is one sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems: tuple[str, ...] = tuple(problems)


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
class CommandInput:
    """The raw options of `/r2v generate`; None means the user left the option out."""

    prompt: str
    attachments: tuple[AttachmentInput, ...] = ()
    links: str | None = None
    model: str | None = None
    size: str | None = None
    duration: int | None = None
    shot_type: str | None = None
    seed: int | None = None
    audio: bool | None = None
    negative_prompt: str | None = None


@dataclass(frozen=True)
class Defaults:
    """Server-wide defaults from config for options the user left out."""

    model: str = limits.FLASH_MODEL
    size: str = "1920*1080"


@dataclass(frozen=True)
class Reference:
    """One reference file; its position in the request makes it characterN."""

    url: str
    kind: limits.Kind
    file_format: str
    source: str
    name: str
    size_bytes: int | None = None


@dataclass(frozen=True)
class GenerationRequest:
    """A request that passed every documented rule and can be sent as is."""

    model: str
    prompt: str
    references: tuple[Reference, ...]
    size: str
    duration: int
    shot_type: str | None = None
    seed: int | None = None
    audio: bool | None = None
    negative_prompt: str | None = None
    seed_is_random: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def video_count(self) -> int:
        return sum(1 for ref in self.references if ref.kind == "video")

    @property
    def has_audio(self) -> bool:
        """Whether the video will have sound (wan2.6-r2v always does; flash unless told not to)."""
        return self.model not in limits.MODELS_THAT_CAN_BE_SILENT or self.audio is not False

    def to_payload(self) -> dict[str, Any]:
        """The JSON body of `POST /task/bailian/ref2video`."""
        input_: dict[str, Any] = {
            "prompt": self.prompt,
            "reference_urls": [ref.url for ref in self.references],
        }
        if self.negative_prompt:
            input_["negative_prompt"] = self.negative_prompt
        # The proxy marks size as required, so it is always sent; duration too, to be explicit.
        parameters: dict[str, Any] = {"size": self.size, "duration": self.duration}
        if self.shot_type is not None:
            parameters["shot_type"] = self.shot_type
        if self.seed is not None:
            parameters["seed"] = self.seed
        # Only flash honours `audio`; what wan2.6-r2v does with it is unconfirmed, so it is
        # never sent there.
        if self.audio is not None and self.model in limits.MODELS_THAT_CAN_BE_SILENT:
            parameters["audio"] = self.audio
        return {"model": self.model, "input": input_, "parameters": parameters}

    def to_record(self) -> dict[str, Any]:
        """A JSON-able form for the task store (warnings are not kept)."""
        record = asdict(self)
        record.pop("warnings")
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> GenerationRequest:
        data = dict(record)
        data["references"] = tuple(Reference(**ref) for ref in data.get("references", ()))
        data.pop("warnings", None)
        return cls(**data)

    def with_random_seed(self, rng: random.Random) -> GenerationRequest:
        """The same request with a seed the bot picked, so a good result can be reproduced."""
        seed = rng.randint(limits.SEED_MIN, limits.SEED_MAX)
        return replace(self, seed=seed, seed_is_random=True)

    def with_reference_urls(self, urls: list[str]) -> GenerationRequest:
        """The same references at new addresses (Discord's signed attachment URLs expire)."""
        if len(urls) != len(self.references):
            raise ValueError("one URL per reference is needed")
        refs = tuple(replace(ref, url=url) for ref, url in zip(self.references, urls, strict=True))
        return replace(self, references=refs, warnings=())

    def with_prompts(self, prompt: str, negative_prompt: str | None) -> GenerationRequest:
        """The same request with new text, validated by the same rules as a fresh command."""
        problems = _check_prompts(prompt, negative_prompt)
        _, warnings = _check_character_mentions(prompt, len(self.references), problems)
        if problems:
            raise InputError(problems)
        return replace(
            self,
            prompt=prompt.strip(),
            negative_prompt=(negative_prompt or "").strip() or None,
            warnings=tuple(warnings),
        )


_CHARACTER_MENTION = re.compile(r"\bcharacter(\d+)\b", re.IGNORECASE)
_CHARACTER_WITH_SPACE = re.compile(r"\bcharacter\s+(\d+)\b", re.IGNORECASE)
_LINK_SEPARATORS = re.compile(r"[\s,]+")


def build_request(command: CommandInput, defaults: Defaults) -> GenerationRequest:
    """Validate every documented rule and build the request, or raise InputError listing all
    problems. Checks run cheapest first; nothing here touches the network."""
    problems = _check_prompts(command.prompt, command.negative_prompt)

    model = command.model or defaults.model
    size = command.size or defaults.size
    duration = command.duration if command.duration is not None else limits.DEFAULT_DURATION_S
    _check_parameters(command, model, size, duration, problems)

    references = _collect_references(command, problems)
    # characterN is the Nth reference the user gave, counted before any was refused, so a bad
    # file does not also make the names after it look out of range.
    given = len(command.attachments) + len(_split_links(command.links))
    warnings: list[str] = []
    if given:
        _, warnings = _check_character_mentions(command.prompt, given, problems)

    if problems:
        raise InputError(problems)
    return GenerationRequest(
        model=model,
        prompt=command.prompt.strip(),
        references=tuple(references),
        size=size,
        duration=duration,
        shot_type=command.shot_type,
        seed=command.seed,
        audio=command.audio,
        negative_prompt=(command.negative_prompt or "").strip() or None,
        warnings=tuple(warnings),
    )


def _check_prompts(prompt: str, negative_prompt: str | None) -> list[str]:
    # Lengths count what is sent: surrounding white space is trimmed first.
    prompt, negative_prompt = (prompt or "").strip(), (negative_prompt or "").strip()
    problems: list[str] = []
    if not prompt:
        problems.append("Write a prompt: describe the video and refer to people as character1, …")
    elif len(prompt) > limits.PROMPT_MAX_CHARS:
        over = len(prompt) - limits.PROMPT_MAX_CHARS
        problems.append(
            f"Your prompt is {len(prompt):,} characters; the limit is "
            f"{limits.PROMPT_MAX_CHARS:,}. Shorten it by {over:,}."
        )
    if len(negative_prompt) > limits.NEGATIVE_PROMPT_MAX_CHARS:
        over = len(negative_prompt) - limits.NEGATIVE_PROMPT_MAX_CHARS
        problems.append(
            f"Your negative prompt is {len(negative_prompt):,} characters; the limit is "
            f"{limits.NEGATIVE_PROMPT_MAX_CHARS}. Shorten it by {over:,}."
        )
    return problems


def _check_parameters(
    command: CommandInput, model: str, size: str, duration: int, problems: list[str]
) -> None:
    # Discord's choices already restrict these; the checks guard config defaults and stored
    # requests, which reach here by other roads.
    if model not in limits.MODELS:
        problems.append(f"Model {inline_code(model)} is unknown; use {' or '.join(limits.MODELS)}.")
    if size not in limits.SIZES:
        problems.append(
            f"Size {inline_code(size)} is not offered; pick one of {', '.join(limits.SIZES)}."
        )
    if not limits.DURATION_MIN_S <= duration <= limits.DURATION_MAX_S:
        problems.append(
            f"Duration must be {limits.DURATION_MIN_S}–{limits.DURATION_MAX_S} seconds, "
            f"not {duration}."
        )
    if command.shot_type is not None and command.shot_type not in limits.SHOT_TYPES:
        problems.append("Shot type must be `single` (one continuous shot) or `multi` (with cuts).")
    if command.seed is not None and not limits.SEED_MIN <= command.seed <= limits.SEED_MAX:
        problems.append(f"Seed must be a whole number from 0 to {limits.SEED_MAX:,}.")
    if (
        command.audio is False
        and model in limits.MODELS
        and (model not in limits.MODELS_THAT_CAN_BE_SILENT)
    ):
        problems.append(
            f"`audio: False` works only with {limits.FLASH_MODEL}: {model} always generates "
            f"sound. Pick {limits.FLASH_MODEL} for a silent video, or leave audio on."
        )


def _collect_references(command: CommandInput, problems: list[str]) -> list[Reference]:
    references: list[Reference] = []
    for attachment in sorted(command.attachments, key=lambda a: a.slot):
        reference = _attachment_reference(attachment, problems)
        if reference is not None:
            references.append(reference)
    link_texts = _split_links(command.links)
    for number, link in enumerate(link_texts, start=1):
        reference = _link_reference(number, link, problems)
        if reference is not None:
            references.append(reference)

    given = len(command.attachments) + len(link_texts)
    if given < limits.REFERENCES_MIN:
        problems.append(
            "Add at least one reference: attach an image or clip in ref1–ref5, or paste a "
            "direct link in `links`."
        )
    elif given > limits.REFERENCES_MAX:
        problems.append(
            f"You gave {plural(given, 'reference')}; the model takes at most "
            f"{limits.REFERENCES_MAX}. Remove {given - limits.REFERENCES_MAX}."
        )
    videos = sum(1 for ref in references if ref.kind == "video")
    if videos > limits.VIDEO_REFERENCES_MAX:
        problems.append(
            f"{videos} of your references are videos; at most {limits.VIDEO_REFERENCES_MAX} may "
            f"be. Replace {videos - limits.VIDEO_REFERENCES_MAX} with an image."
        )
    return references


def _attachment_reference(attachment: AttachmentInput, problems: list[str]) -> Reference | None:
    label = f"ref{attachment.slot} ({inline_code(attachment.filename, 60)})"
    content_type = (attachment.content_type or "").split(";")[0].strip().lower()
    if content_type in limits.IMAGE_CONTENT_TYPES:
        kind: limits.Kind = "image"
        file_format = limits.IMAGE_CONTENT_TYPES[content_type]
    elif content_type in limits.VIDEO_CONTENT_TYPES:
        kind = "video"
        file_format = limits.VIDEO_CONTENT_TYPES[content_type]
    else:
        shown = content_type or "of unknown type"
        problems.append(
            f"{label} is {shown}; use a JPEG, PNG, BMP or WEBP image, or an MP4 or MOV clip."
        )
        return None

    if kind == "image":
        _check_image_attachment(attachment, label, problems)
    elif attachment.size > limits.VIDEO_MAX_BYTES:
        problems.append(
            f"{label} is {size_over_limit(attachment.size, limits.VIDEO_MAX_BYTES)}; clips must "
            "be at most "
            f"{megabytes(limits.VIDEO_MAX_BYTES)}. Trim or compress it."
        )
    return Reference(
        url=attachment.url,
        kind=kind,
        file_format=file_format,
        source=f"ref{attachment.slot}",
        name=attachment.filename,
        size_bytes=attachment.size,
    )


def _check_image_attachment(attachment: AttachmentInput, label: str, problems: list[str]) -> None:
    if attachment.size > limits.IMAGE_MAX_BYTES:
        problems.append(
            f"{label} is {size_over_limit(attachment.size, limits.IMAGE_MAX_BYTES)}; images must "
            "be at most "
            f"{megabytes(limits.IMAGE_MAX_BYTES)}. Export it smaller or as JPEG."
        )
    width, height = attachment.width, attachment.height
    if width is None or height is None:
        return  # Discord omits dimensions for files it cannot decode; the API will judge.
    low, high = limits.IMAGE_SIDE_MIN_PX, limits.IMAGE_SIDE_MAX_PX
    if min(width, height) < low:
        problems.append(
            f"{label} is {width}×{height} px; each side must be at least {low} px. "
            "Use a larger image."
        )
    elif max(width, height) > high:
        problems.append(
            f"{label} is {width}×{height} px; each side must be at most {high} px. Scale it down."
        )


def _split_links(links: str | None) -> list[str]:
    if not links:
        return []
    # People paste <url> to stop Discord embedding it.
    return [part.strip("<>") for part in _LINK_SEPARATORS.split(links) if part.strip("<>")]


def _link_reference(number: int, link: str, problems: list[str]) -> Reference | None:
    label = f"link {number} ({inline_code(link, 80)})"
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        problems.append(f"{label} is not a web address; links must start with http:// or https://.")
        return None
    if _is_private_host(parts.hostname):
        problems.append(
            f"{label} points at a private or local address, which Alibaba's servers cannot "
            "download; use a public link."
        )
        return None
    path = parts.path.lower()
    extension = path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""
    if extension in limits.IMAGE_EXTENSIONS:
        kind: limits.Kind = "image"
        file_format = "JPEG" if extension in (".jpg", ".jpeg") else extension[1:].upper()
    elif extension in limits.VIDEO_EXTENSIONS:
        kind = "video"
        file_format = extension[1:].upper()
    else:
        problems.append(
            f"{label} does not end in a known file type. Paste a direct link to the file "
            "(ending in .jpg, .png, .bmp, .webp, .mp4 or .mov), not to a page that shows it."
        )
        return None
    name = parts.path.rsplit("/", 1)[-1] or parts.hostname
    return Reference(
        url=link, kind=kind, file_format=file_format, source=f"link {number}", name=name
    )


def _is_private_host(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def _check_character_mentions(
    prompt: str, reference_count: int, problems: list[str]
) -> tuple[set[int], list[str]]:
    """Refuse characterN beyond the references; warn about references the prompt never names."""
    mentioned = {int(number) for number in _CHARACTER_MENTION.findall(prompt or "")}
    beyond = sorted(n for n in mentioned if n < 1 or n > reference_count)
    if beyond:
        names = ", ".join(f"character{n}" for n in beyond)
        available = (
            "character1" if reference_count == 1 else f"character1–character{reference_count}"
        )
        problems.append(
            f"Your prompt names {names}, but you gave {plural(reference_count, 'reference')} "
            f"({available}). Add references or change the prompt."
        )
    warnings: list[str] = []
    if _CHARACTER_WITH_SPACE.search(prompt or ""):
        warnings.append(
            "Write character names without a space (`character1`, not `character 1`) so the "
            "model links them to your references."
        )
    unnamed = [n for n in range(1, reference_count + 1) if n not in mentioned]
    if unnamed and prompt and prompt.strip():
        names = ", ".join(f"character{n}" for n in unnamed)
        warnings.append(
            f"Your prompt never names {names}; the model may use "
            f"{'that reference' if len(unnamed) == 1 else 'those references'} loosely."
        )
    return mentioned, warnings
