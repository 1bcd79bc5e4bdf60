"""What the bot reads off an interaction: who asked, where, and what the bot may do there."""

from __future__ import annotations

from dataclasses import replace

import discord

from bot.generation.files import AttachmentInput
from bot.messages.catalog import catalog_locale, text
from bot.policy import Actor
from bot.requester import Requester
from bot.store.records import Origin

# What delivery needs: post, embed, upload, and read back its own posts after a restart.
DELIVERY_PERMISSIONS = ("view_channel", "embed_links", "attach_files", "read_message_history")


def requester_of(interaction: discord.Interaction) -> Requester:
    origin = Origin(
        requester_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0,
        locale=locale_of(interaction),
        interaction_upload_limit=interaction.filesize_limit,
    )
    return Requester(
        origin,
        channel_ids=tuple(channel_ids_of(interaction)),
        role_ids=tuple(role_ids_of(interaction)),
        upload_limit=channel_upload_limit(interaction),
    )


def actor_of(interaction: discord.Interaction) -> Actor:
    """Who acts, as the rules on others' things need them (permissions in this channel)."""
    permissions = interaction.permissions
    return Actor(
        interaction.user.id,
        frozenset(role_ids_of(interaction)),
        manages_server=permissions.manage_guild,
        manages_messages=permissions.manage_messages,
    )


def requester_redoing(interaction: discord.Interaction, parent: Origin) -> Requester:
    """Who redoes a task, and where. On a private result sent by DM the member acts in the
    server and channel of the task, whose limits and settings apply there as anywhere (their
    roles in that server are not known in a DM: a server that allows only some roles refuses)."""
    who = requester_of(interaction)
    if interaction.guild_id is not None:
        return who
    origin = replace(who.origin, guild_id=parent.guild_id, channel_id=parent.channel_id)
    return Requester(origin, channel_ids=(parent.channel_id,))


def locale_of(interaction: discord.Interaction) -> str | None:
    """The language to answer in: the member's own if the bot speaks it, else the server's;
    None when the bot speaks neither (the messages then use R2V_DEFAULT_LOCALE)."""
    for locale in (interaction.locale, interaction.guild_locale):
        served = catalog_locale(locale.value) if locale is not None else None
        if served is not None:
            return served
    return None


def channel_upload_limit(interaction: discord.Interaction) -> int | None:
    """What the bot's own channel post (the video's delivery) may attach: the server's
    boost-tier cap. The interaction's limit counts the member's Nitro, which the bot has not.
    None outside a server the bot knows (the notifier then uses Discord's default)."""
    guild = interaction.guild
    return guild.filesize_limit if guild is not None else None


def channel_ids_of(interaction: discord.Interaction) -> list[int]:
    """The channel, and for a thread its parent, so allowing a channel allows its threads."""
    ids = [interaction.channel_id] if interaction.channel_id else []
    parent = getattr(interaction.channel, "parent_id", None)
    if parent:
        ids.append(parent)
    return ids


def role_ids_of(interaction: discord.Interaction) -> list[int]:
    return [role.id for role in getattr(interaction.user, "roles", [])]


def missing_channel_permissions(interaction: discord.Interaction) -> list[str]:
    """Permissions the bot lacks in this channel to deliver a video, named as Discord names
    them in the member's language."""
    permissions = interaction.app_permissions
    in_thread = isinstance(interaction.channel, discord.Thread)
    needed = (*DELIVERY_PERMISSIONS, "send_messages_in_threads" if in_thread else "send_messages")
    locale = locale_of(interaction)
    return [
        text(locale, "permission-" + name.replace("_", "-"))
        for name in needed
        if not getattr(permissions, name, False)
    ]


def attachment_input(slot: int, attachment: discord.Attachment) -> AttachmentInput:
    return AttachmentInput(
        slot=slot,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        url=attachment.url,
        width=attachment.width,
        height=attachment.height,
    )
