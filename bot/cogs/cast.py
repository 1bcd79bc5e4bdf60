"""`/r2v cast add|list|show|rename|remove` and Apps → "Save to r2v cast".

`/r2v cast` is a subgroup of `/r2v`: `CastCommands` is an `app_commands.Group` of its own
(its commands bound to it, as discord.py binds a Group subclass's methods), which the
composition root adds to `GenerateCog`'s group before that cog is added, so Discord sees one
`/r2v` command with `cast` among its subcommands. The handlers are thin: the cast service
decides, they render its answers.
"""

from __future__ import annotations

import logging
from typing import assert_never

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import DEFAULT_FILE_SIZE_LIMIT_BYTES

from bot.cast.library import FileUnavailable
from bot.cast.service import (
    Added,
    Adder,
    AddOutcome,
    CastService,
    CopyFailed,
    NeedsChanges,
    NotAllowed,
    NotFound,
    Removed,
    Renamed,
    Shown,
)
from bot.generation.cast import DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS
from bot.generation.files import AttachmentInput
from bot.generation.text import shorten
from bot.messages import cast as cast_text
from bot.messages.errors import generic_apology
from bot.store.cast import NameTaken
from bot.ui.cast_views import gallery_message, member_embed
from bot.ui.command_text import command_text
from bot.ui.interactions import actor_of, attachment_input, locale_of
from bot.ui.replies import NO_PINGS, reply

log = logging.getLogger(__name__)

Choice = app_commands.Choice
Name = app_commands.Range[str, 1, NAME_MAX_CHARS]
# A name being looked up may be typed with spaces around it: a little room.
MemberName = app_commands.Range[str, 1, 100]
Description = app_commands.Range[str, 1, DESCRIPTION_MAX_CHARS]
Link = app_commands.Range[str, 1, 1000]
# Files a modal's select can offer.
SELECT_OPTIONS_MAX = 25


def adder(interaction: discord.Interaction) -> Adder:
    """Who adds, where, and what the bot may upload there (the server's boost-tier cap: the
    bot's copy is its own post, which the member's Nitro does not lift)."""
    guild = interaction.guild
    assert interaction.guild_id is not None  # the /r2v group is guild-only
    return Adder(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0,
        upload_limit=guild.filesize_limit if guild is not None else DEFAULT_FILE_SIZE_LIMIT_BYTES,
        locale=locale_of(interaction),
    )


def added_text(locale: str | None, outcome: AddOutcome) -> str:
    match outcome:
        case Added(member):
            return cast_text.added(locale, member)
        case NeedsChanges(problems):
            return cast_text.nothing_added(locale, problems)
        case NameTaken(name):
            return cast_text.name_taken(locale, name)
        case FileUnavailable():
            return cast_text.file_unavailable(locale)
        case CopyFailed(trouble):
            return cast_text.copy_trouble(locale, trouble)
        case _:
            assert_never(outcome)


class CastCommands(app_commands.Group):
    """This server's cast: named characters to reuse in every video."""

    def __init__(self, service: CastService) -> None:
        super().__init__(name="cast", description=command_text("cmd-r2v-cast"))
        self.service = service

    @app_commands.command(name="add", description=command_text("cmd-r2v-cast-add"))
    @app_commands.describe(
        name=command_text("opt-cast-name"),
        ref=command_text("opt-cast-ref"),
        link=command_text("opt-cast-link"),
        description=command_text("opt-cast-description"),
    )
    async def add(
        self,
        interaction: discord.Interaction,
        name: Name,
        ref: discord.Attachment | None = None,
        link: Link | None = None,
        description: Description | None = None,
    ) -> None:
        """Add a character to this server's cast: a name, and its image or clip."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.add(
            adder(interaction),
            name,
            description,
            attachment=attachment_input(1, ref) if ref is not None else None,
            link=link,
        )
        await reply(interaction, added_text(locale_of(interaction), outcome))

    @app_commands.command(name="list", description=command_text("cmd-r2v-cast-list"))
    async def list_(self, interaction: discord.Interaction) -> None:
        """Show this server's cast, with pictures."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        gallery = await self.service.gallery(interaction.guild_id)
        if not gallery.total:
            await reply(interaction, cast_text.empty(locale))
            return
        await reply(interaction, **gallery_message(locale, gallery))

    @app_commands.command(name="show", description=command_text("cmd-r2v-cast-show"))
    @app_commands.describe(name=command_text("opt-cast-member"))
    async def show(self, interaction: discord.Interaction, name: MemberName) -> None:
        """Show one member of this server's cast."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.show(interaction.guild_id, name)
        match outcome:
            case Shown(member, url):
                await reply(interaction, embed=member_embed(locale, member, url, card=True))
            case NotFound(missing):
                await reply(interaction, cast_text.not_found(locale, missing))
            case _:
                assert_never(outcome)

    @app_commands.command(name="rename", description=command_text("cmd-r2v-cast-rename"))
    @app_commands.describe(
        name=command_text("opt-cast-member"), new_name=command_text("opt-cast-new-name")
    )
    async def rename(
        self, interaction: discord.Interaction, name: MemberName, new_name: Name
    ) -> None:
        """Give a cast member another name (whoever added it, or a moderator)."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        outcome = await self.service.rename(
            interaction.guild_id, name, new_name, actor_of(interaction)
        )
        match outcome:
            case Renamed(old, member):
                await reply(interaction, cast_text.renamed(locale, old, member))
            case NeedsChanges(problems):
                await reply(interaction, cast_text.nothing_added(locale, problems))
            case NameTaken(taken):
                await reply(interaction, cast_text.name_taken(locale, taken))
            case NotFound(missing):
                await reply(interaction, cast_text.not_found(locale, missing))
            case NotAllowed(member, admin_roles):
                await reply(interaction, cast_text.not_allowed(locale, member, admin_roles))
            case _:
                assert_never(outcome)

    @app_commands.command(name="remove", description=command_text("cmd-r2v-cast-remove"))
    @app_commands.describe(name=command_text("opt-cast-member"))
    async def remove(self, interaction: discord.Interaction, name: MemberName) -> None:
        """Remove a cast member (whoever added it, or a moderator)."""
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        outcome = await self.service.remove(interaction.guild_id, name, actor_of(interaction))
        match outcome:
            case Removed(member):
                await reply(interaction, cast_text.removed(locale, member))
            case NotFound(missing):
                await reply(interaction, cast_text.not_found(locale, missing))
            case NotAllowed(member, admin_roles):
                await reply(interaction, cast_text.not_allowed(locale, member, admin_roles))
            case _:
                assert_never(outcome)

    @show.autocomplete("name")
    @rename.autocomplete("name")
    @remove.autocomplete("name")
    async def member_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        """The server's cast members whose names start with what was typed."""
        if interaction.guild_id is None:
            return []
        names = await self.service.names(interaction.guild_id, current)
        return [Choice(name=name, value=name) for name in names]


async def cast_option_choices(
    service: CastService, interaction: discord.Interaction, current: str
) -> list[Choice[str]]:
    """Autocomplete of `/r2v generate cast:` (several names, comma-separated): what was typed
    with its last name completed. For the generate command's `cast` option."""
    if interaction.guild_id is None:
        return []
    lists = await service.name_lists(interaction.guild_id, current)
    return [Choice(name=choice, value=choice) for choice in lists]


class CastMenuCog(commands.Cog):
    """Apps → "Save to r2v cast" on any message with an image or clip."""

    def __init__(self, bot: commands.Bot, service: CastService) -> None:
        self.bot = bot
        self.service = service
        self.menu = app_commands.ContextMenu(
            name=command_text("menu-save-to-cast"), callback=self.save_to_cast
        )
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def save_to_cast(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        locale = locale_of(interaction)
        files = [
            attachment_input(slot, attachment)
            for slot, attachment in enumerate(message.attachments, start=1)
        ][:SELECT_OPTIONS_MAX]
        if not files:
            await reply(interaction, cast_text.no_files(locale))
            return
        await interaction.response.send_modal(SaveToCastModal(locale, self.service, files))


class SaveToCastModal(discord.ui.Modal):
    """The name (and description) of a message's file, and which file when it has several."""

    def __init__(
        self, locale: str | None, service: CastService, files: list[AttachmentInput]
    ) -> None:
        super().__init__(title=cast_text.menu_title(locale), timeout=900)
        self._service = service
        self._files = files
        self.name: discord.ui.TextInput[SaveToCastModal] = discord.ui.TextInput(
            custom_id="name", max_length=NAME_MAX_CHARS, required=True
        )
        self.description: discord.ui.TextInput[SaveToCastModal] = discord.ui.TextInput(
            custom_id="description",
            style=discord.TextStyle.paragraph,
            max_length=DESCRIPTION_MAX_CHARS,
            required=False,
        )
        self.add_item(discord.ui.Label(text=cast_text.menu_name(locale), component=self.name))
        self.add_item(
            discord.ui.Label(text=cast_text.menu_description(locale), component=self.description)
        )
        self.file: discord.ui.Select[SaveToCastModal] | None = None
        if len(files) > 1:
            self.file = discord.ui.Select(
                custom_id="file",
                options=[
                    discord.SelectOption(
                        label=shorten(f.filename, 100), value=str(n), default=n == 0
                    )
                    for n, f in enumerate(files)
                ],
            )
            self.add_item(discord.ui.Label(text=cast_text.menu_file(locale), component=self.file))

    def chosen(self) -> AttachmentInput:
        picked = self.file.values[0] if self.file is not None and self.file.values else "0"
        return self._files[int(picked)]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self._service.add(
            adder(interaction),
            self.name.value,
            self.description.value or None,
            attachment=self.chosen(),
        )
        await reply(interaction, added_text(locale_of(interaction), outcome))

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        log.error("saving to the cast failed in interaction %s", interaction.id, exc_info=error)
        await reply(interaction, generic_apology(locale_of(interaction)), allowed_mentions=NO_PINGS)
