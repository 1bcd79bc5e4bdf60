"""Apps → "Use as r2v reference": any message's images and clips become references, and a
modal asks for the prompt. Needs no privileged intent: the message comes with the command."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.generation import limits
from bot.generation.request import AttachmentInput, CommandInput
from bot.messages.tasks import BAD_MENU_DURATION, NO_FILES_IN_MESSAGE
from bot.ui.flow import GenerationFlow
from bot.ui.interactions import attachment_input
from bot.ui.replies import reply

MENU_NAME = "Use as r2v reference"


class ReferenceMenuCog(commands.Cog):
    def __init__(self, bot: commands.Bot, flow: GenerationFlow) -> None:
        self.bot = bot
        self.flow = flow
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.use_as_reference)
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
        if not files:
            await reply(interaction, NO_FILES_IN_MESSAGE)
            return
        await interaction.response.send_modal(PromptModal(self.flow, tuple(files)))


class PromptModal(discord.ui.Modal):
    """The prompt for references taken from a message; they become character1, 2, … in order."""

    def __init__(self, flow: GenerationFlow, files: tuple[AttachmentInput, ...]) -> None:
        super().__init__(title="Make a video from these references", timeout=900)
        self._flow = flow
        self._files = files
        names = ", ".join(f"character{n} = {f.filename}" for n, f in enumerate(files, 1))
        self.prompt: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            label="Prompt",
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            placeholder=names[:100],
            max_length=limits.PROMPT_MAX_CHARS,
        )
        self.negative: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            label="Negative prompt (optional)",
            custom_id="negative_prompt",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=limits.NEGATIVE_PROMPT_MAX_CHARS,
        )
        self.duration: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            # Discord caps a text-input label at 45 characters; the rest goes in the placeholder.
            label="Duration in seconds, 2–10 (default 5)",
            placeholder="Optional: leave empty for 5 seconds",
            custom_id="duration",
            required=False,
            max_length=2,
        )
        for item in (self.prompt, self.negative, self.duration):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        duration_text = self.duration.value.strip()
        if duration_text and not duration_text.isdecimal():
            await reply(interaction, BAD_MENU_DURATION)
            return
        command = CommandInput(
            prompt=self.prompt.value,
            attachments=self._files,
            negative_prompt=self.negative.value or None,
            duration=int(duration_text) if duration_text else None,
        )
        await self._flow.start(interaction, self._flow.service.request_from(command))

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await self._flow.report_unexpected(interaction, error)
