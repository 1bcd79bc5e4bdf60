"""Sentences of the cast: `/r2v cast`, the "Save to r2v cast" menu, the bot's copy messages and
the cast in a video. Words in `locales/*/cast.ftl`; a member's name and description are shown
literally (no markdown, no mentions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import assert_never

from bot.cast.library import CopyNote, CopyTrouble
from bot.generation.problems import Problem
from bot.generation.text import inline_code, plain, shorten
from bot.messages.catalog import roles_named, text
from bot.messages.validation import DISCORD_MESSAGE_LIMIT, problem_list
from bot.store.cast import CastMember

Locale = str | None


def shown_name(name: str) -> str:
    """A member's name as typed, shown literally (bold around it stays bold)."""
    return plain(name)


def use_command(name: str) -> str:
    return inline_code(f"/r2v generate cast:{name}", 100)


# -- adding ------------------------------------------------------------------------------------


def nothing_added(locale: Locale, problems: Sequence[Problem]) -> str:
    heading = text(locale, "cast-nothing-added", count=len(problems))
    budget = DISCORD_MESSAGE_LIMIT - len(heading) - 1
    return shorten(heading + "\n" + problem_list(locale, problems, budget), DISCORD_MESSAGE_LIMIT)


def added(locale: Locale, member: CastMember) -> str:
    return text(
        locale, "cast-added", name=shown_name(member.name), command=use_command(member.name)
    )


def name_taken(locale: Locale, name: str) -> str:
    return text(locale, "cast-name-taken", name=shown_name(name))


def file_unavailable(locale: Locale) -> str:
    return text(locale, "cast-file-unavailable")


def copy_trouble(locale: Locale, trouble: CopyTrouble) -> str:
    match trouble:
        case CopyTrouble.FORBIDDEN:
            return text(locale, "cast-copy-forbidden")
        case CopyTrouble.CHANNEL_GONE:
            return text(locale, "cast-copy-channel-gone")
        case CopyTrouble.TOO_LARGE:
            return text(locale, "cast-copy-too-large")
        case CopyTrouble.UNAVAILABLE:
            return text(locale, "cast-copy-unavailable")
        case _:
            assert_never(trouble)


def copy_caption(note: CopyNote) -> str:
    """The bot's public message holding a member's file."""
    key = "cast-copy-caption-again" if note.again else "cast-copy-caption"
    caption = text(note.locale, key, name=shown_name(note.name), added_by=note.added_by)
    if note.description and not note.again:
        quoted = plain(" ".join(note.description.split()))
        caption += "\n" + text(note.locale, "cast-copy-description", description=quoted)
    return shorten(caption, DISCORD_MESSAGE_LIMIT)


# -- looking -----------------------------------------------------------------------------------


def empty(locale: Locale) -> str:
    return text(locale, "cast-empty")


def not_found(locale: Locale, name: str) -> str:
    return text(locale, "cast-not-found", name=shown_name(shorten(name, 40)))


def gallery_heading(locale: Locale, page: int, pages: int, total: int) -> str:
    return text(locale, "cast-gallery-heading", page=page, pages=pages, total=total)


def kind_line(locale: Locale, member: CastMember) -> str:
    reference = member.reference
    if reference.kind == "video":
        seconds = f"{reference.clip_seconds or 0:.1f}"
        return text(locale, "cast-kind-clip", format=reference.file_format, seconds=seconds)
    if reference.width is None or reference.height is None:
        return text(locale, "cast-kind-image-unsized", format=reference.file_format)
    return text(
        locale,
        "cast-kind-image",
        format=reference.file_format,
        width=reference.width,
        height=reference.height,
    )


def added_by(locale: Locale, member: CastMember) -> str:
    return text(locale, "cast-added-by", added_by=member.added_by, at=int(member.added_at))


def use_it(locale: Locale, member: CastMember) -> str:
    return text(locale, "cast-use-it", command=use_command(member.name))


def clip_link(locale: Locale, url: str) -> str:
    return text(locale, "cast-clip-link", url=url)


def description(member: CastMember) -> str:
    return plain(member.description or "")


def page_button(locale: Locale, forward: bool) -> str:
    return text(locale, "cast-button-next" if forward else "cast-button-previous")


# -- changing ----------------------------------------------------------------------------------


def not_allowed(locale: Locale, member: CastMember, admin_role_ids: Iterable[int]) -> str:
    return text(
        locale,
        "cast-not-allowed",
        name=shown_name(member.name),
        added_by=member.added_by,
        **roles_named(locale, admin_role_ids),
    )


def renamed(locale: Locale, old: str, member: CastMember) -> str:
    return text(locale, "cast-renamed", old=shown_name(old), name=shown_name(member.name))


def removed(locale: Locale, member: CastMember) -> str:
    return text(locale, "cast-removed", name=shown_name(member.name))


# -- the menu ----------------------------------------------------------------------------------


def no_files(locale: Locale) -> str:
    return text(locale, "cast-no-files")


def menu_title(locale: Locale) -> str:
    return text(locale, "cast-menu-title")


def menu_name(locale: Locale) -> str:
    return text(locale, "cast-menu-name")


def menu_description(locale: Locale) -> str:
    return text(locale, "cast-menu-description")


def menu_file(locale: Locale) -> str:
    return text(locale, "cast-menu-file")


# -- the cast in a video -----------------------------------------------------------------------


def member_lost(locale: Locale, name: str) -> str:
    return text(locale, "cast-member-lost", name=shown_name(name))


def member_removed(locale: Locale) -> str:
    return text(locale, "cast-member-removed")


def member_unavailable(locale: Locale, name: str, trouble: CopyTrouble) -> str:
    """Why a chosen member has no fresh link now (its copy could not be read or made again)."""
    match trouble:
        case CopyTrouble.FORBIDDEN:
            key = "cast-member-forbidden"
        case CopyTrouble.TOO_LARGE:
            key = "cast-member-too-large"
        case CopyTrouble.CHANNEL_GONE | CopyTrouble.UNAVAILABLE:
            key = "cast-member-unavailable"
        case _:
            assert_never(trouble)
    return text(locale, key, name=shown_name(name))
