"""Apps → "Use as r2v reference": any message's images and clips become references, and a
modal asks for the prompt. Needs no privileged intent: the message comes with the command."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.generation import limits
from bot.generation.files import AttachmentInput
from bot.generation.request import CommandInput
from bot.messages import features
from bot.messages.catalog import text
from bot.messages.tasks import bad_menu_duration, no_files_in_message
from bot.ui.command_text import command_text
from bot.ui.flow import GenerationFlow
from bot.ui.interactions import attachment_input, locale_of
from bot.ui.modals import FlowModal
from bot.ui.replies import reply


class ReferenceMenuCog(commands.Cog):
    def __init__(self, bot: commands.Bot, flow: GenerationFlow) -> None:
        self.bot = bot
        self.flow = flow
        # Named in each member's language, like the commands (bot/ui/command_text.py).
        self.menu = app_commands.ContextMenu(
            name=command_text("menu-use-as-reference"), callback=self.use_as_reference
        )
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def use_as_reference(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        files = [
            attachment_input(slot, attachment)
            for slot, attachment in enumerate(message.attachments, start=1)
        ]
        locale = locale_of(interaction)
        if not files:
            await reply(interaction, no_files_in_message(locale))
            return
        await interaction.response.send_modal(PromptModal(locale, self.flow, tuple(files)))


class PromptModal(FlowModal):
    """The prompt for references taken from a message; they become character1, 2, … in order."""

    def __init__(
        self, locale: str | None, flow: GenerationFlow, files: tuple[AttachmentInput, ...]
    ) -> None:
        super().__init__(flow, title=text(locale, "menu-modal-title"), timeout=900)
        self._files = files
        names = ", ".join(f"character{n} = {f.filename}" for n, f in enumerate(files, 1))
        self.prompt: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            label=features.prompt_label(locale),
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            placeholder=names[:100],
            max_length=limits.PROMPT_MAX_CHARS,
        )
        self.negative: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            label=text(locale, "menu-negative-prompt"),
            custom_id="negative_prompt",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=limits.NEGATIVE_PROMPT_MAX_CHARS,
        )
        self.duration: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            # Discord caps a text-input label at 45 characters; the rest goes in the placeholder.
            label=text(locale, "menu-duration"),
            placeholder=text(locale, "menu-duration-placeholder"),
            custom_id="duration",
            required=False,
            max_length=2,
        )
        for item in (self.prompt, self.negative, self.duration):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        duration_text = self.duration.value.strip()
        if duration_text and not duration_text.isdecimal():
            await reply(interaction, bad_menu_duration(locale_of(interaction)))
            return
        command = CommandInput(
            prompt=self.prompt.value,
            attachments=self._files,
            negative_prompt=self.negative.value or None,
            duration=int(duration_text) if duration_text else None,
        )
        await self._flow.start(interaction, command)
