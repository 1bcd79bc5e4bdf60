"""Turns slash-command options into one validated, frozen generation request.

Everything here is pure and instant, so that a refusal can be an ephemeral reply sent before
the interaction is deferred and before any paid call is made. Validation gathers every problem
it finds, cheapest checks first, so a user fixes them all in one go.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Final

from bot.generation import limits
from bot.generation.characters import check_mentions
from bot.generation.files import AttachmentInput, Reference, attachment_reference
from bot.generation.links import judge_link, split_links
from bot.generation.problems import Problem, ProblemCode, problem
from bot.generation.storable import UNSTORABLE, as_label, unstorable_at, unstorable_kind
from bot.generation.text import has_visible_text


class InputError(Exception):
    """A request a user must change before it can be submitted; `messages.validation` words
    each problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems: tuple[Problem, ...] = tuple(problems)


@dataclass(frozen=True)
class CommandInput:
    """The raw options of `/r2v generate` (or of a form that redoes a task); None means the user
    left the option out. `carried` are references an earlier request already validated (a
    re-run's, a continuation's): they come first, then the attachments, then the links. `cast`
    is the `cast:` option as typed (`Mia, Robot`), which `bot.cast` resolves into a
    `CastInput` for `build_request`."""

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
    carried: tuple[Reference, ...] = ()
    cast: str | None = None


@dataclass(frozen=True)
class Defaults:
    """A server's defaults for options the member left out (config's, or the server's own
    from `/r2v-admin set`)."""

    model: str = limits.FLASH_MODEL
    size: str = "1920*1080"
    duration: int = limits.DEFAULT_DURATION_S


@dataclass(frozen=True)
class CastInput:
    """Members of the server's cast chosen with `cast:`, resolved by `bot.cast`: their
    references, which come first (character1, …), and what choosing them made of the prompts
    (`bot.generation.cast.plan_cast`). The references' links may be stand-ins while the request
    is checked: fresh ones are fetched only for a request that passed (`with_cast_links`)."""

    references: tuple[Reference, ...] = ()
    prompt: str = ""  # chosen names written as characterN, the member's own characterN moved
    negative_prompt: str | None = None
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()


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
    # Notices (`Problem`s that do not refuse) shown with the request; words in messages.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

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
        record = asdict(replace(self, warnings=()))
        record.pop("warnings")
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> GenerationRequest:
        data = dict(record)
        known = {f.name for f in fields(Reference)}
        data["references"] = tuple(
            # Records written by older versions may carry fields since dropped.
            Reference(**{k: v for k, v in ref.items() if k in known})
            for ref in data.get("references", ())
        )
        data.pop("warnings", None)
        return cls(**data)

    def with_random_seed(self, rng: random.Random) -> GenerationRequest:
        """The same request with a seed the bot picked, so a good result can be reproduced."""
        seed = rng.randint(limits.SEED_MIN, limits.SEED_MAX)
        return replace(self, seed=seed, seed_is_random=True)

    def with_cast_links(self, references: Sequence[Reference]) -> GenerationRequest:
        """The request with its first references (the cast's stand-ins) replaced by the same
        members with fresh links; its notices are kept."""
        if [r.source for r in references] != [r.source for r in self.references[: len(references)]]:
            raise ValueError("the cast's references, in the same order, are needed")
        return replace(self, references=(*references, *self.references[len(references) :]))

    def with_reference_urls(self, urls: list[str]) -> GenerationRequest:
        """The same references at new addresses (Discord's signed attachment URLs expire); the
        notices stay, as they are about the prompt, not the links."""
        if len(urls) != len(self.references):
            raise ValueError("one URL per reference is needed")
        refs = tuple(replace(ref, url=url) for ref, url in zip(self.references, urls, strict=True))
        return replace(self, references=refs)

    def as_command(self) -> CommandInput:
        """The options that build this request again, its references carried."""
        return CommandInput(
            prompt=self.prompt,
            model=self.model,
            size=self.size,
            duration=self.duration,
            shot_type=self.shot_type,
            seed=self.seed,
            audio=self.audio,
            negative_prompt=self.negative_prompt,
            carried=self.references,
        )

    def edited(self, changes: CommandInput) -> CommandInput:
        """Edit & re-run: these references with every other option as `changes` says (sound
        stays as it was where the model can be silent). Validated by `build_request`."""
        audio = self.audio if changes.model in limits.MODELS_THAT_CAN_BE_SILENT else None
        return replace(changes, carried=self.references, audio=audio)

    def continued_from(self, video_url: str, prompt: str) -> CommandInput:
        """The next shot: the delivered video as character1, then this request's references as
        far as the limits allow (5 in all, 3 clips), with a new prompt and no seed. Validated
        by `build_request`."""
        video = Reference(
            url=video_url,
            kind="video",
            file_format="MP4",
            source=PREVIOUS_VIDEO_SOURCE,
            name="video",
        )
        kept = [video]
        for ref in self.references:
            videos = sum(1 for r in kept if r.kind == "video")
            if len(kept) >= limits.REFERENCES_MAX:
                break
            if ref.kind == "video" and videos >= limits.VIDEO_REFERENCES_MAX:
                continue
            kept.append(ref)
        return replace(self.as_command(), prompt=prompt, seed=None, carried=tuple(kept))


# The source of a reference that is the video a continuation was made from: a Discord
# attachment, renewed like the member's own attachments (`ref1`…`ref5`).
PREVIOUS_VIDEO_SOURCE: Final = "previous video"


def is_discord_attachment(reference: Reference) -> bool:
    return reference.source.startswith("ref") or reference.source == PREVIOUS_VIDEO_SOURCE


def build_request(
    command: CommandInput, defaults: Defaults, cast: CastInput | None = None
) -> GenerationRequest:
    """Validate every documented rule and build the request, or raise InputError listing all
    problems. Checks run cheapest first; nothing here touches the network.

    With `cast`, its members come first and count in every limit; the prompts sent are the
    cast's rewritten ones, while the member's own `characterN` are checked as they wrote them:
    with a cast they number the member's own references only (ref1 is still character1 to
    them, and is sent as character(k+1) after k members)."""
    problems = _check_prompts(command.prompt, command.negative_prompt)
    if cast is not None:
        problems.extend(cast.problems)

    model = command.model or defaults.model
    size = command.size or defaults.size
    duration = command.duration if command.duration is not None else defaults.duration
    _check_parameters(command, model, size, duration, problems)

    links = split_links(command.links)
    cast_references = cast.references if cast is not None else ()
    references = _collect_references(command, links, cast_references, problems)
    # characterN is the Nth reference the user gave, counted before any was refused, so a bad
    # file does not also make the names after it look out of range.
    own = len(command.carried) + len(command.attachments) + len(links)
    warnings: list[Problem] = []
    if cast is not None and cast.references:
        warnings = check_mentions(command.prompt, own, problems, cast_count=len(cast.references))
        warnings.extend(cast.warnings)
    else:
        # Without members of its own, a cast's prompt only has carried members' names written
        # as their characterN: it is what the numbers are checked in.
        written = cast.prompt if cast is not None else command.prompt
        if own:
            warnings = check_mentions(written, own, problems)
        if cast is not None:
            warnings.extend(cast.warnings)

    if problems:
        raise InputError(problems)
    prompt, negative = command.prompt, command.negative_prompt
    if cast is not None:
        prompt, negative = cast.prompt, cast.negative_prompt
    return GenerationRequest(
        model=model,
        prompt=prompt.strip(),
        references=tuple(references),
        size=size,
        duration=duration,
        shot_type=command.shot_type,
        seed=command.seed,
        audio=command.audio,
        negative_prompt=(negative or "").strip() or None,
        warnings=tuple(warnings),
    )


def _check_prompts(prompt: str, negative_prompt: str | None) -> list[Problem]:
    problems = _check_prompt_lengths(prompt, negative_prompt)
    # Refused, not stripped: the prompt is what the member pays for, so they choose the fix.
    for code, typed in (
        (ProblemCode.PROMPT_UNSTORABLE, prompt),
        (ProblemCode.NEGATIVE_PROMPT_UNSTORABLE, negative_prompt),
    ):
        found = UNSTORABLE.search(typed or "")
        if found is not None and typed and has_visible_text(typed):
            problems.append(problem(code, **unstorable_at(typed, found.start())))
    return problems


def _check_prompt_lengths(prompt: str, negative_prompt: str | None) -> list[Problem]:
    # Lengths count what is sent: surrounding white space is trimmed first.
    prompt, negative_prompt = (prompt or "").strip(), (negative_prompt or "").strip()
    problems: list[Problem] = []
    if not prompt:
        problems.append(problem(ProblemCode.PROMPT_MISSING))
    elif not has_visible_text(prompt):
        problems.append(problem(ProblemCode.PROMPT_INVISIBLE))
    elif len(prompt) > limits.PROMPT_MAX_CHARS:
        problems.append(
            problem(ProblemCode.PROMPT_TOO_LONG, length=len(prompt), limit=limits.PROMPT_MAX_CHARS)
        )
    # An invisible negative prompt is refused rather than dropped: the user meant to write one.
    if negative_prompt and not has_visible_text(negative_prompt):
        problems.append(problem(ProblemCode.NEGATIVE_PROMPT_INVISIBLE))
    elif len(negative_prompt) > limits.NEGATIVE_PROMPT_MAX_CHARS:
        problems.append(
            problem(
                ProblemCode.NEGATIVE_PROMPT_TOO_LONG,
                length=len(negative_prompt),
                limit=limits.NEGATIVE_PROMPT_MAX_CHARS,
            )
        )
    return problems


def _check_parameters(
    command: CommandInput, model: str, size: str, duration: int, problems: list[Problem]
) -> None:
    # Discord's choices already restrict these; the checks guard config defaults and stored
    # requests, which reach here by other roads.
    if model not in limits.MODELS:
        problems.append(problem(ProblemCode.MODEL_UNKNOWN, model=model, models=limits.MODELS))
    if size not in limits.SIZES:
        problems.append(problem(ProblemCode.SIZE_NOT_OFFERED, size=size, sizes=tuple(limits.SIZES)))
    if not limits.DURATION_MIN_S <= duration <= limits.DURATION_MAX_S:
        problems.append(
            problem(
                ProblemCode.DURATION_OUT_OF_RANGE,
                duration=duration,
                low=limits.DURATION_MIN_S,
                high=limits.DURATION_MAX_S,
            )
        )
    if command.shot_type is not None and command.shot_type not in limits.SHOT_TYPES:
        problems.append(problem(ProblemCode.SHOT_TYPE_UNKNOWN, shot_type=command.shot_type))
    if command.seed is not None and not limits.SEED_MIN <= command.seed <= limits.SEED_MAX:
        problems.append(
            problem(ProblemCode.SEED_OUT_OF_RANGE, low=limits.SEED_MIN, high=limits.SEED_MAX)
        )
    if (
        command.audio is False
        and model in limits.MODELS
        and (model not in limits.MODELS_THAT_CAN_BE_SILENT)
    ):
        problems.append(
            problem(ProblemCode.SILENT_NEEDS_FLASH, model=model, flash_model=limits.FLASH_MODEL)
        )


def _collect_references(
    command: CommandInput,
    links: list[str],
    cast: tuple[Reference, ...],
    problems: list[Problem],
) -> list[Reference]:
    # The count comes first: with many bad links it is the problem worth seeing if a long
    # refusal has to leave some out.
    own = len(command.carried) + len(command.attachments) + len(links)
    given = len(cast) + own
    if given < limits.REFERENCES_MIN:
        problems.append(problem(ProblemCode.REFERENCES_MISSING))
    elif given > limits.REFERENCES_MAX and cast:
        problems.append(
            problem(
                ProblemCode.CAST_TOO_MANY_REFERENCES,
                cast=len(cast),
                others=own,
                given=given,
                limit=limits.REFERENCES_MAX,
            )
        )
    elif given > limits.REFERENCES_MAX:
        problems.append(
            problem(ProblemCode.TOO_MANY_REFERENCES, given=given, limit=limits.REFERENCES_MAX)
        )
    references = [*cast, *command.carried]
    for attachment in sorted(command.attachments, key=lambda a: a.slot):
        reference = attachment_reference(attachment, problems)
        if reference is not None:
            references.append(reference)
    for number, link in enumerate(links, start=1):
        found = UNSTORABLE.search(link)
        if found is not None:
            shown = as_label(link)
            character = unstorable_kind(found.group())
            problems.append(
                problem(ProblemCode.LINK_UNSTORABLE, number=number, link=shown, **character)
            )
            continue
        judged = judge_link(number, link)
        if isinstance(judged, Problem):
            problems.append(judged)
            continue
        references.append(
            Reference(
                url=judged.url,
                kind=judged.kind,
                file_format=judged.file_format,
                source=f"link {number}",
                name=judged.name,
            )
        )
    videos = sum(1 for ref in references if ref.kind == "video")
    if videos > limits.VIDEO_REFERENCES_MAX:
        code = ProblemCode.CAST_TOO_MANY_CLIPS if cast else ProblemCode.TOO_MANY_VIDEOS
        problems.append(problem(code, videos=videos, limit=limits.VIDEO_REFERENCES_MAX))
    return references
