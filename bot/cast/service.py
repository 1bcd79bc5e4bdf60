"""What the cast commands ask, decided: adding, looking, renaming, removing, autocomplete, and
the cast in a video (`pick` and `links` for `/r2v generate cast:`, `renew` for Re-roll, Edit
and Continue). Each answer is a small value of a closed union that the cog renders; nothing here
speaks to Discord but through the library."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import assert_never

from bot.cast.library import (
    CastFileLost,
    CastLibrary,
    CopyNote,
    CopyTrouble,
    CopyUnavailable,
    FileRefused,
    FileUnavailable,
    Fresh,
)
from bot.generation.cast import (
    CastEntry,
    Casting,
    cast_id_of,
    cast_source,
    check_description,
    check_name,
    name_key,
    plan_cast,
    split_last,
    split_names,
)
from bot.generation.files import AttachmentInput, Reference
from bot.generation.problems import Problem, ProblemCode, problem
from bot.generation.request import CastInput, GenerationRequest
from bot.policy import Actor, Moderators
from bot.store.cast import NEW_CAST_ID, CastMember, CastStore, NameTaken

log = logging.getLogger(__name__)

# Members per gallery page: one embed each, and Discord shows at most 10 per message.
PAGE_SIZE = 10
# Discord offers at most 25 autocomplete choices of at most 100 characters.
CHOICES_MAX = 25
CHOICE_MAX_CHARS = 100


@dataclass(frozen=True)
class Adder:
    """Who adds a member, where, and what the bot may upload there."""

    user_id: int
    guild_id: int
    channel_id: int
    upload_limit: int  # the server's cap on the bot's own attachments
    locale: str | None = None


# -- outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    member: CastMember


@dataclass(frozen=True)
class NeedsChanges:
    """Nothing was done: each problem says what to change."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class CopyFailed:
    """The file was good but the bot could not post its copy."""

    trouble: CopyTrouble


AddOutcome = Added | NeedsChanges | NameTaken | FileUnavailable | CopyFailed


@dataclass(frozen=True)
class NotFound:
    name: str


@dataclass(frozen=True)
class NotAllowed:
    member: CastMember
    admin_role_ids: frozenset[int]  # who else may, besides those who manage messages


@dataclass(frozen=True)
class Shown:
    member: CastMember
    url: str | None  # a fresh link to its file, when Discord gave one


@dataclass(frozen=True)
class Renamed:
    old_name: str
    member: CastMember


@dataclass(frozen=True)
class Removed:
    member: CastMember


ShowOutcome = Shown | NotFound
RenameOutcome = Renamed | NeedsChanges | NameTaken | NotFound | NotAllowed
RemoveOutcome = Removed | NotFound | NotAllowed


@dataclass(frozen=True)
class Gallery:
    """One page of the server's cast (1-based `page` of `pages`), with fresh picture links."""

    members: list[CastMember]
    page: int
    pages: int
    total: int
    pictures: dict[int, str]


# The cast in a video.
@dataclass(frozen=True)
class CastPick:
    """What `cast:` chooses, before any link is fetched: the request's part (`cast`, its
    references with stand-in links, for `build_request` to check) and the chosen members, in
    order (character1, …), whose fresh links `links` fetches once the request has passed."""

    cast: CastInput
    members: tuple[CastMember, ...]


@dataclass(frozen=True)
class CastLost:
    """A chosen member's file is gone from Discord and from the bot's folder."""

    name: str


@dataclass(frozen=True)
class CastUnavailable:
    """Discord would not give a fresh link now; later it may."""

    name: str
    trouble: CopyTrouble


@dataclass(frozen=True)
class CastRemoved:
    """A member a stored request used is no longer in the cast."""


LinksOutcome = tuple[Reference, ...] | CastLost | CastUnavailable
RenewOutcome = GenerationRequest | CastLost | CastUnavailable | CastRemoved


class CastService:
    def __init__(
        self,
        store: CastStore,
        library: CastLibrary,
        moderators: Moderators | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`moderators`: who may change members others added."""
        self._store = store
        self._library = library
        self._moderators = moderators or Moderators()
        self._clock = clock

    # -- adding --------------------------------------------------------------------------------

    async def add(
        self,
        who: Adder,
        name: str,
        description: str | None = None,
        *,
        attachment: AttachmentInput | None = None,
        link: str | None = None,
    ) -> AddOutcome:
        """Check the name and description, take the file (attached, or a Discord link), post
        the bot's copy in the channel and store the member."""
        problems: list[Problem] = []
        kept_name = check_name(name)
        if isinstance(kept_name, Problem):
            problems.append(kept_name)
        kept_description = check_description(description)
        if isinstance(kept_description, Problem):
            problems.append(kept_description)
        link = (link or "").strip() or None
        if attachment is None and link is None:
            problems.append(problem(ProblemCode.CAST_SOURCE_MISSING))
        elif attachment is not None and link is not None:
            problems.append(problem(ProblemCode.CAST_SOURCE_TWICE))
        if problems or isinstance(kept_name, Problem) or isinstance(kept_description, Problem):
            return NeedsChanges(tuple(problems))
        # Cheaper than any download: a taken name is refused before the file is fetched.
        if await self._store.cast_member(who.guild_id, kept_name) is not None:
            return NameTaken(kept_name)
        if attachment is not None:
            taken = await self._library.take_attachment(attachment, who.guild_id, who.upload_limit)
        else:
            assert link is not None
            taken = await self._library.take_link(link, who.guild_id, who.upload_limit)
        match taken:
            case FileRefused(problems=found):
                return NeedsChanges(found)
            case FileUnavailable():
                return taken
            case _:
                kept = taken
        note = CopyNote(kept_name, who.user_id, kept_description, who.locale)
        copy = await self._library.post_copy(kept, who.channel_id, note)
        if isinstance(copy, CopyTrouble):
            self._library.discard(who.guild_id, kept.kept_name)
            return CopyFailed(copy)
        stored = await self._store.add_cast(
            CastMember(
                id=NEW_CAST_ID,
                guild_id=who.guild_id,
                name=kept_name,
                reference=kept.file,
                added_by=who.user_id,
                added_at=self._clock(),
                copy=copy,
                kept_name=kept.kept_name,
                description=kept_description,
            )
        )
        if isinstance(stored, NameTaken):  # someone took the name while the file came
            self._library.discard(who.guild_id, kept.kept_name)
            return stored
        log.info("cast member %s (%s) added in server %s", stored.id, stored.name, who.guild_id)
        return Added(stored)

    # -- looking -------------------------------------------------------------------------------

    async def gallery(self, guild_id: int, page: int = 1) -> Gallery:
        """A page of the cast in name order (the last page when `page` is past it)."""
        page = max(page, 1)
        listed = await self._store.cast_page(guild_id, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, math.ceil(listed.total / PAGE_SIZE))
        if not listed.members and page > pages and listed.total:
            return await self.gallery(guild_id, pages)
        images = [m for m in listed.members if m.reference.kind == "image"]
        pictures = await self._library.renewed_links(images)
        return Gallery(listed.members, min(page, pages), pages, listed.total, pictures)

    async def show(self, guild_id: int, name: str) -> ShowOutcome:
        member = await self._store.cast_member(guild_id, name)
        if member is None:
            return NotFound(name)
        renewed = await self._library.renewed_links([member])
        return Shown(member, renewed.get(member.id))

    async def names(self, guild_id: int, typed: str) -> list[str]:
        """The server's names starting with what was typed, for autocomplete."""
        return await self._store.cast_names(guild_id, typed.strip(), CHOICES_MAX)

    async def name_lists(self, guild_id: int, typed: str) -> list[str]:
        """Autocomplete for `cast:` (several names, comma-separated): what was typed with its
        last name completed, each choice at most 100 characters, names already chosen left
        out."""
        chosen, last = split_last(typed)
        taken = {name_key(n) for n in chosen}
        prefix = ", ".join(chosen)
        choices: list[str] = []
        for name in await self._store.cast_names(guild_id, last, CHOICES_MAX + len(taken)):
            if name_key(name) in taken:
                continue
            choice = f"{prefix}, {name}" if prefix else name
            if len(choice) <= CHOICE_MAX_CHARS:
                choices.append(choice)
        return choices[:CHOICES_MAX]

    # -- changing ------------------------------------------------------------------------------

    def _refusal(self, member: CastMember, actor: Actor) -> NotAllowed | None:
        """Whoever added a member may change it, and the server's moderators (`Moderators`)."""
        if member.added_by == actor.user_id or self._moderators.may_moderate(
            member.guild_id, actor
        ):
            return None
        return NotAllowed(member, self._moderators.admin_roles(member.guild_id))

    async def rename(self, guild_id: int, name: str, new_name: str, actor: Actor) -> RenameOutcome:
        checked = check_name(new_name)
        if isinstance(checked, Problem):
            return NeedsChanges((checked,))
        member = await self._store.cast_member(guild_id, name)
        if member is None:
            return NotFound(name)
        if refused := self._refusal(member, actor):
            return refused
        renamed = await self._store.rename_cast(member.id, checked)
        if renamed is None:
            return NotFound(name)
        if isinstance(renamed, NameTaken):
            return renamed
        return Renamed(member.name, renamed)

    async def remove(self, guild_id: int, name: str, actor: Actor) -> RemoveOutcome:
        """Remove a member and delete its kept file (its copy message stays in the channel)."""
        member = await self._store.cast_member(guild_id, name)
        if member is None:
            return NotFound(name)
        if refused := self._refusal(member, actor):
            return refused
        if not await self._store.remove_cast(member.id):
            return NotFound(name)
        self._library.discard(guild_id, member.kept_name)
        log.info("cast member %s (%s) removed by %s", member.id, member.name, actor.user_id)
        return Removed(member)

    # -- the cast in a video -------------------------------------------------------------------

    async def pick(
        self,
        guild_id: int,
        cast: str | None,
        *,
        prompt: str,
        negative_prompt: str | None,
        carried: Sequence[Reference] = (),
    ) -> CastPick:
        """`/r2v generate cast:"Mia, Robot"`: the chosen members as the first references and the
        prompts rewritten (see `bot.generation.cast`); without `cast:`, the notice of a cast
        name the prompt uses unchosen. Cast members among the `carried` references of a task
        redone (Edit, Continue) may be called by name too. One store read, two with `cast:`."""
        chosen = split_names(cast)
        found = await self._store.cast_members(guild_id, chosen) if chosen else []
        server_names = await self._store.cast_names(guild_id)
        by_key = {name_key(m.name): m for m in found}
        plan = plan_cast(
            chosen,
            [CastEntry(m.name, m.reference.kind) for m in found],
            server_names,
            prompt=prompt,
            negative_prompt=negative_prompt,
            carried=[
                Casting(reference.name, number)
                for number, reference in enumerate(carried, start=1)
                if cast_id_of(reference.source) is not None
            ],
        )
        members = tuple(by_key[name_key(entry.name)] for entry in plan.members)
        return CastPick(
            CastInput(
                references=tuple(cast_reference(m, "") for m in members),
                prompt=plan.prompt,
                negative_prompt=plan.negative_prompt,
                warnings=plan.warnings,
                problems=plan.problems,
            ),
            members,
        )

    async def links(self, pick: CastPick, channel_id: int, locale: str | None) -> LinksOutcome:
        """The picked members with links fresh for a day, in order: one Discord request per
        member (an upload, in `channel_id`, only for a member whose copy was deleted)."""
        references: list[Reference] = []
        for outcome in await self._library.fresh_urls(pick.members, channel_id, locale):
            match outcome:
                case Fresh(member, url):
                    references.append(cast_reference(member, url))
                case CastFileLost(member):
                    return CastLost(member.name)
                case CopyUnavailable(member, trouble):
                    return CastUnavailable(member.name, trouble)
                case _:
                    assert_never(outcome)
        return tuple(references)

    async def renew(
        self, request: GenerationRequest, channel_id: int, locale: str | None
    ) -> RenewOutcome:
        """A stored request with fresh links for its cast references (Re-roll, Edit, Continue);
        its other references as they are (their own renewal is elsewhere)."""
        urls: list[str] = []
        for reference in request.references:
            cast_id = cast_id_of(reference.source)
            if cast_id is None:
                urls.append(reference.url)
                continue
            member = await self._store.cast_by_id(cast_id)
            if member is None:
                return CastRemoved()
            outcome = await self._library.fresh_url(member, channel_id, locale)
            match outcome:
                case Fresh(_, url):
                    urls.append(url)
                case CastFileLost(lost):
                    return CastLost(lost.name)
                case CopyUnavailable(unavailable, trouble):
                    return CastUnavailable(unavailable.name, trouble)
                case _:
                    assert_never(outcome)
        return request.with_reference_urls(urls)


def cast_reference(member: CastMember, url: str) -> Reference:
    """A member as a reference of a request: `source` names it, so it can be renewed."""
    return Reference(
        url=url,
        kind=member.reference.kind,
        file_format=member.reference.file_format,
        source=cast_source(member.id),
        name=member.name,
    )
