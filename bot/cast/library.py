"""The cast's files: taken once (downloaded from Discord, judged, kept in R2V_CAST_DIR), copied
into a message of the bot's own, and handed out as a fresh Discord link at every use.

Discord's attachment links expire a day after they are signed, and Alibaba's servers must
download each reference, so a member's reference is never a stored link. At use the library
asks Discord for the copy message again (its links come newly signed); when that message is
gone (deleted, its channel deleted or hidden from the bot) the kept file is uploaded again in
the channel where it is used, and the new message recorded. A month later a cast member works
as on the first day.

What Discord is asked goes through a `CastDesk` (bot/ui/cast_desk.py); what is refused and
which link is handed out is decided here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from bot.cast.files import (
    discord_file_link,
    judge_clip,
    judge_image,
    judge_offer,
    kept_filename,
    offered_link,
)
from bot.cast.settings import CastSettings
from bot.generation.files import AttachmentInput
from bot.generation.problems import Problem, ProblemCode, problem
from bot.store.cast import CastCopy, CastFile, CastMember, CastStore
from bot.video.fit import CannotFit, Transcoder
from bot.video.mp4 import Mp4Info, probe

log = logging.getLogger(__name__)


# -- what the Discord side answers -------------------------------------------------------------


class CopyTrouble(StrEnum):
    """Why the bot's copy could not be posted or read."""

    FORBIDDEN = "forbidden"  # the bot may not post (or attach files) in that channel
    CHANNEL_GONE = "channel_gone"
    TOO_LARGE = "too_large"  # over the server's upload cap
    UNAVAILABLE = "unavailable"  # Discord failed (5xx, 429, connection): try again later


@dataclass(frozen=True)
class CopyGone:
    """The copy message is no more (deleted, its channel deleted or hidden from the bot)."""


@dataclass(frozen=True)
class CopyNote:
    """What the copy's message says, in the words of `locale` (rendered by the desk)."""

    name: str
    added_by: int
    description: str | None
    locale: str | None
    again: bool = False  # a new upload of a member whose earlier copy is gone


class CastDesk(Protocol):
    """What the library asks of Discord."""

    async def download(self, url: str) -> bytes | None:
        """A file from Discord's CDN; None when Discord will not hand it over."""

    async def refresh(self, urls: Sequence[str]) -> dict[str, str]:
        """Fresh links for attachment links (`POST /attachments/refresh-urls`), by original;
        empty when Discord would not renew them."""

    async def post_copy(
        self, channel_id: int, path: Path, filename: str, note: CopyNote
    ) -> CastCopy | CopyTrouble: ...

    async def fetch_copy(self, copy: CastCopy) -> str | CopyGone | CopyTrouble:
        """The copy's file link as Discord signs it now."""


# -- what the library answers ------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """A judged file in the cast folder, not yet anyone's (see `discard`)."""

    file: CastFile
    kept_name: str
    path: Path


@dataclass(frozen=True)
class FileRefused:
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class FileUnavailable:
    """Discord would not hand the file over (a link that no longer works, an outage)."""


TakeOutcome = Kept | FileRefused | FileUnavailable


@dataclass(frozen=True)
class Fresh:
    member: CastMember  # with its new copy when it was uploaded again
    url: str


@dataclass(frozen=True)
class CastFileLost:
    """The copy is gone and so is the kept file: the member must be added again."""

    member: CastMember


@dataclass(frozen=True)
class CopyUnavailable:
    member: CastMember
    trouble: CopyTrouble


FreshOutcome = Fresh | CastFileLost | CopyUnavailable


class CastLibrary:
    def __init__(
        self,
        store: CastStore,
        desk: CastDesk,
        settings: CastSettings,
        transcoder: Transcoder,
    ) -> None:
        self._store = store
        self._desk = desk
        self._settings = settings
        self._transcoder = transcoder

    def path_of(self, guild_id: int, kept_name: str) -> Path:
        return self._settings.cast_dir / str(guild_id) / kept_name

    # -- taking a file -------------------------------------------------------------------------

    async def take_attachment(
        self, offer: AttachmentInput, guild_id: int, upload_limit: int
    ) -> TakeOutcome:
        """Judge, download and keep an attached file. `upload_limit`: what the bot may attach
        in the server; a larger clip is re-encoded to fit, so its copy can be posted."""
        return await self._take(offer, guild_id, upload_limit)

    async def take_link(self, url: str, guild_id: int, upload_limit: int) -> TakeOutcome:
        """The same for a pasted link, which must be a Discord attachment link (renewed first:
        a link pasted a week later has expired)."""
        filename = discord_file_link(url, self._settings.extra_cdn_hosts)
        if filename is None:
            return FileRefused((problem(ProblemCode.CAST_LINK_NOT_DISCORD),))
        renewed = (await self._desk.refresh([url])).get(url, url)
        return await self._take(offered_link(renewed, filename), guild_id, upload_limit)

    async def _take(self, offer: AttachmentInput, guild_id: int, upload_limit: int) -> TakeOutcome:
        kind = judge_offer(offer)
        if isinstance(kind, tuple):
            return FileRefused(kind)
        data = await self._desk.download(offer.url)
        if data is None:
            return FileUnavailable()
        folder = self._settings.cast_dir / str(guild_id)
        base = uuid.uuid4().hex
        partial = folder / f".{base}.part"
        try:
            await asyncio.to_thread(_write, partial, data)
            if kind == "image":
                judged: CastFile | tuple[Problem, ...] = judge_image(offer, data)
            else:
                info = await asyncio.to_thread(probe, partial)
                judged = judge_clip(offer, info, len(data))
                if isinstance(judged, CastFile) and isinstance(info, Mp4Info):
                    judged = await self._fit_clip(partial, info, judged, upload_limit)
            if isinstance(judged, tuple):
                return FileRefused(judged)
            kept_name = kept_filename(base, judged.file_format)
            final = folder / kept_name
            os.replace(partial, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        log.info("kept a cast file of server %s as %s", guild_id, final)
        return Kept(judged, kept_name, final)

    async def _fit_clip(
        self, partial: Path, info: Mp4Info, file: CastFile, limit: int
    ) -> CastFile | tuple[Problem, ...]:
        """A clip over the server's upload cap, re-encoded (as MP4) to fit it in place."""
        if file.size_bytes <= limit:
            return file
        fitted = partial.with_name(partial.name + ".fit")
        try:
            outcome = await self._transcoder.fit(partial, info, fitted, limit)
            if isinstance(outcome, CannotFit):
                log.info(
                    "a cast clip of %d bytes cannot fit %d: %s", file.size_bytes, limit, outcome
                )
                return (
                    problem(
                        ProblemCode.CAST_CLIP_TOO_BIG,
                        filename=file.original_filename,
                        size_bytes=file.size_bytes,
                        limit_bytes=limit,
                    ),
                )
            os.replace(fitted, partial)
        finally:
            with contextlib.suppress(FileNotFoundError):
                fitted.unlink()
        return replace(file, file_format="MP4", size_bytes=outcome.size)

    def discard(self, guild_id: int, kept_name: str) -> None:
        """Delete a kept file (a member removed, or a file taken for a member never stored)."""
        with contextlib.suppress(FileNotFoundError):
            self.path_of(guild_id, kept_name).unlink()

    async def post_copy(
        self, kept: Kept, channel_id: int, note: CopyNote
    ) -> CastCopy | CopyTrouble:
        """The bot's own message holding the kept file, in `channel_id`."""
        return await self._desk.post_copy(channel_id, kept.path, kept.kept_name, note)

    # -- handing out links ---------------------------------------------------------------------

    async def fresh_urls(
        self, members: Sequence[CastMember], channel_id: int, locale: str | None
    ) -> list[FreshOutcome]:
        """A link for each member, good for a day from now, in order (see the module's
        docstring); a copy uploaded again is posted in `channel_id`."""
        return list(await asyncio.gather(*(self.fresh_url(m, channel_id, locale) for m in members)))

    async def fresh_url(
        self, member: CastMember, channel_id: int, locale: str | None
    ) -> FreshOutcome:
        found = await self._desk.fetch_copy(member.copy)
        match found:
            case str(url):
                return Fresh(member, url)
            case CopyTrouble():
                return CopyUnavailable(member, found)
            case CopyGone():
                return await self._upload_again(member, channel_id, locale)
            case _:
                raise AssertionError(found)

    async def _upload_again(
        self, member: CastMember, channel_id: int, locale: str | None
    ) -> FreshOutcome:
        path = self.path_of(member.guild_id, member.kept_name)
        if not path.is_file():
            log.warning("cast member %s lost both its copy and its kept file %s", member.id, path)
            return CastFileLost(member)
        note = CopyNote(member.name, member.added_by, member.description, locale, again=True)
        copy = await self._desk.post_copy(channel_id, path, member.kept_name, note)
        if isinstance(copy, CopyTrouble):
            return CopyUnavailable(member, copy)
        await self._store.move_cast_copy(member.id, copy)
        log.info("cast member %s uploaded again to message %s", member.id, copy.message_id)
        return Fresh(replace(member, copy=copy), copy.url)

    async def renewed_links(self, members: Sequence[CastMember]) -> dict[int, str]:
        """Fresh links of the members' copies, by member id, in one request, for showing them
        (a gallery's pictures): a link Discord does not renew is left out. Unlike `fresh_url`
        this does not look whether the copy still exists."""
        if not members:
            return {}
        renewed = await self._desk.refresh([m.copy.url for m in members])
        return {m.id: renewed[m.copy.url] for m in members if m.copy.url in renewed}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
