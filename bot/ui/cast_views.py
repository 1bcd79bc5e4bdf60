"""The cast on Discord: the gallery (one embed per member, with its picture, paged by buttons
that keep working after a restart) and a member's own card."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import discord

from bot.generation.text import shorten
from bot.messages import cast as cast_text
from bot.messages.tasks import starting_up
from bot.store.cast import CastMember
from bot.ui.interactions import locale_of
from bot.ui.replies import NO_PINGS, reply

if TYPE_CHECKING:
    from bot.cast.service import CastService, Gallery

# Discord's limits on an embed's title and description.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096


@runtime_checkable
class CarriesCast(Protocol):
    """The bot, as the gallery's buttons need it (typed without importing the composition
    root)."""

    cast: CastService


def member_embed(
    locale: str | None, member: CastMember, link: str | None, *, card: bool = False
) -> discord.Embed:
    """A member in the gallery (its picture as a thumbnail), or as a card (the picture large,
    a clip's link, how to use it)."""
    lines = [cast_text.description(member), cast_text.kind_line(locale, member)]
    lines.append(cast_text.added_by(locale, member))
    if card:
        if link and member.reference.kind == "video":
            lines.append(cast_text.clip_link(locale, link))
        lines.append(cast_text.use_it(locale, member))
    embed = discord.Embed(
        title=shorten(cast_text.shown_name(member.name), TITLE_MAX),
        description=shorten("\n".join(line for line in lines if line), DESCRIPTION_MAX),
    )
    if link and member.reference.kind == "image":
        if card:
            embed.set_image(url=link)
        else:
            embed.set_thumbnail(url=link)
    return embed


def gallery_message(locale: str | None, gallery: Gallery) -> dict[str, Any]:
    """The content, embeds and buttons of one gallery page."""
    view = discord.ui.View(timeout=None)
    if gallery.pages > 1:
        previous = CastPageButton(gallery.page - 1, forward=False, locale=locale)
        following = CastPageButton(gallery.page + 1, forward=True, locale=locale)
        previous.item.disabled = gallery.page <= 1
        following.item.disabled = gallery.page >= gallery.pages
        view.add_item(previous)
        view.add_item(following)
    return {
        "content": cast_text.gallery_heading(locale, gallery.page, gallery.pages, gallery.total),
        "embeds": [
            member_embed(locale, member, gallery.pictures.get(member.id))
            for member in gallery.members
        ],
        "view": view,
        "allowed_mentions": NO_PINGS,
    }


class CastPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"r2v-cast:page:(?P<page>\d{1,6}):(?P<way>[pn])",
):
    """Previous or Next on a gallery: the page to show lives in the custom_id."""

    def __init__(self, page: int, *, forward: bool, locale: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=cast_text.page_button(locale, forward),
                emoji="▶️" if forward else "◀️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"r2v-cast:page:{max(page, 1)}:{'n' if forward else 'p'}",
            )
        )
        self.page = max(page, 1)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CastPageButton:
        return cls(int(match["page"]), forward=match["way"] == "n")

    async def callback(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction)
        client = interaction.client
        if not isinstance(client, CarriesCast) or interaction.guild_id is None:
            await reply(interaction, starting_up(locale))
            return
        gallery = await client.cast.gallery(interaction.guild_id, self.page)
        await interaction.response.edit_message(**gallery_message(locale, gallery))
