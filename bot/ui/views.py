"""Buttons on status and result messages. They are dynamic items: the action and task ID live in
the `custom_id`, so they keep working after a restart without any stored view state."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.cogs.generate import GenerateCog

CUSTOM_ID_PREFIX = "r2v"


BUTTON_STYLES: dict[str, tuple[str, str, discord.ButtonStyle]] = {
    "refresh": ("Refresh", "🔄", discord.ButtonStyle.secondary),
    "reroll": ("Re-roll", "🎲", discord.ButtonStyle.primary),
    "edit": ("Edit & re-run", "✏️", discord.ButtonStyle.secondary),
}


class TaskButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"r2v:(?P<action>refresh|reroll|edit):(?P<task_id>[A-Za-z0-9_.:-]{1,80})",
):
    def __init__(self, action: str, task_id: str) -> None:
        label, emoji, style = BUTTON_STYLES[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                style=style,
                custom_id=f"{CUSTOM_ID_PREFIX}:{action}:{task_id}",
            )
        )
        self.action = action
        self.task_id = task_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TaskButton:
        return cls(match["action"], match["task_id"])

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        cog: GenerateCog | None = interaction.client.get_cog("r2v")  # type: ignore[attr-defined]
        if cog is None:
            await reply(interaction, "The bot is starting up; try the button again in a moment.")
            return
        try:
            await cog.handle_button(interaction, self.action, self.task_id)
        except Exception as error:
            await cog.report_unexpected(interaction, error)


def task_buttons(task_id: str, *, active: bool) -> discord.ui.View:
    """Refresh while the task runs; Re-roll and Edit & re-run always."""
    view = discord.ui.View(timeout=None)
    if active:
        view.add_item(TaskButton("refresh", task_id))
    view.add_item(TaskButton("reroll", task_id))
    view.add_item(TaskButton("edit", task_id))
    return view


class EditModal(discord.ui.Modal):
    """Prompt and negative prompt, pre-filled from the task being re-run."""

    def __init__(self, cog: GenerateCog, task_id: str, prompt: str, negative: str | None) -> None:
        super().__init__(title="Edit & re-run", timeout=600)
        self._cog = cog
        self._task_id = task_id
        self.prompt: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Prompt",
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            default=prompt[:1500],
            max_length=1500,
            required=True,
        )
        self.negative: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Negative prompt",
            custom_id="negative_prompt",
            style=discord.TextStyle.paragraph,
            default=(negative or "")[:500],
            max_length=500,
            required=False,
        )
        self.add_item(self.prompt)
        self.add_item(self.negative)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await self._cog.rerun_edited(
            interaction, self._task_id, self.prompt.value, self.negative.value or None
        )

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await self._cog.report_unexpected(interaction, error)
