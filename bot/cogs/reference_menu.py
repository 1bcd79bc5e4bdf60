"""Apps → "Use as r2v reference": any message's images and clips become references, and a
modal asks for the prompt. Needs no privileged intent: the message comes with the command."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.generate import attachment_input
from bot.generation import limits
from bot.generation.request import AttachmentInput, CommandInput
from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.cogs.generate import GenerateCog

MENU_NAME = "Use as r2v reference"


class ReferenceMenuCog(commands.Cog):
    def __init__(self, bot: commands.Bot, generate: GenerateCog) -> None:
        self.bot = bot
        self.generate = generate
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
            await reply(
                interaction,
                "That message has no attached images or clips to use as references.",
            )
            return
        await interaction.response.send_modal(PromptModal(self.generate, tuple(files)))


class PromptModal(discord.ui.Modal):
    """The prompt for references taken from a message; they become character1, 2, … in order."""

    def __init__(self, generate: GenerateCog, files: tuple[AttachmentInput, ...]) -> None:
        super().__init__(title="Make a video from these references", timeout=900)
        self._generate = generate
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

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        duration_text = self.duration.value.strip()
        if duration_text and not duration_text.isdecimal():
            await reply(
                interaction,
                f"**Nothing was submitted.** Duration must be a whole number of seconds from "
                f"{limits.DURATION_MIN_S} to {limits.DURATION_MAX_S}.",
            )
            return
        command = CommandInput(
            prompt=self.prompt.value,
            attachments=self._files,
            negative_prompt=self.negative.value or None,
            duration=int(duration_text) if duration_text else None,
        )
        await self._generate.start_generation(interaction, command)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await self._generate.report_unexpected(interaction, error)
