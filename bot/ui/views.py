"""Buttons on status and result messages. They are dynamic items: the action and task ID live in
the `custom_id`, so they keep working after a restart without any stored view state. Each button
checks who clicked and does its own work through the flow the bot carries."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import discord

from bot.messages import tasks as task_text
from bot.messages.catalog import text
from bot.store.records import TaskRecord
from bot.ui.embeds import task_embed
from bot.ui.interactions import locale_of
from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.ui.flow import GenerationFlow

CUSTOM_ID_PREFIX = "r2v"
# Discord's limit on a custom_id; task ids that would not fit are shortened by a lookup key.
CUSTOM_ID_MAX = 100

# The catalog key of each button's label, its emoji and style.
BUTTON_STYLES: dict[str, tuple[str, str, discord.ButtonStyle]] = {
    "refresh": ("button-refresh", "🔄", discord.ButtonStyle.secondary),
    "reroll": ("button-reroll", "🎲", discord.ButtonStyle.primary),
    "edit": ("button-edit", "✏️", discord.ButtonStyle.secondary),
}


@runtime_checkable
class CarriesFlow(Protocol):
    """The bot, as the buttons need it (typed without importing the composition root)."""

    flow: GenerationFlow


def flow_of(interaction: discord.Interaction) -> GenerationFlow | None:
    client = interaction.client
    return client.flow if isinstance(client, CarriesFlow) else None


class TaskButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"r2v:(?P<action>refresh|reroll|edit):(?P<task_id>.{1,90})",
):
    def __init__(self, action: str, task_id: str, locale: str | None = None) -> None:
        label_key, emoji, style = BUTTON_STYLES[action]
        super().__init__(
            discord.ui.Button(
                label=text(locale, label_key),
                emoji=emoji,
                style=style,
                custom_id=f"{CUSTOM_ID_PREFIX}:{action}:{task_id}",
            )
        )
        self.action = action
        self.task_id = task_id
        self.record: TaskRecord | None = None

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TaskButton:
        return cls(match["action"], match["task_id"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        flow = flow_of(interaction)
        locale = locale_of(interaction)
        if flow is None:
            await reply(interaction, task_text.starting_up(locale))
            return False
        self.record = await flow.service.task(self.task_id)
        if self.record is None:
            await reply(interaction, task_text.not_in_records(locale))
            return False
        if interaction.user.id != self.record.requester_id:
            await reply(interaction, task_text.not_yours(locale, self.record.requester_id))
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        flow = flow_of(interaction)
        record = self.record
        if flow is None or record is None:
            return  # interaction_check answered
        try:
            await self._act(interaction, flow, record)
        except Exception as error:
            await flow.report_unexpected(interaction, error)

    async def _act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        locale = locale_of(interaction)
        if self.action == "refresh":
            await interaction.response.defer(ephemeral=True, thinking=True)
            fresh = await flow.service.refresh(record.task_id) or record
            await reply(interaction, embed=task_embed(locale, fresh))
        elif self.action == "reroll":
            await flow.start(
                interaction,
                flow.service.rerolled(record),
                parent_task_id=record.task_id,
                renew_attachments=True,
            )
        elif self.action == "edit":
            await interaction.response.send_modal(EditModal(locale, flow, record))


def task_buttons(locale: str | None, task_id: str, *, active: bool) -> discord.ui.View:
    """Refresh while the task runs; Re-roll and Edit & re-run always, labelled in `locale`. A
    task id too long for a custom_id gets no buttons rather than broken ones."""
    view = discord.ui.View(timeout=None)
    if len(f"{CUSTOM_ID_PREFIX}:refresh:{task_id}") > CUSTOM_ID_MAX:
        return view
    if active:
        view.add_item(TaskButton("refresh", task_id, locale))
    view.add_item(TaskButton("reroll", task_id, locale))
    view.add_item(TaskButton("edit", task_id, locale))
    return view


class EditModal(discord.ui.Modal):
    """Prompt and negative prompt, pre-filled from the task being re-run."""

    def __init__(self, locale: str | None, flow: GenerationFlow, record: TaskRecord) -> None:
        super().__init__(title=text(locale, "edit-modal-title"), timeout=600)
        self._flow = flow
        self._record = record
        self.prompt: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=text(locale, "modal-prompt"),
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            default=record.request.prompt[:1500],
            max_length=1500,
            required=True,
        )
        self.negative: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=text(locale, "modal-negative-prompt"),
            custom_id="negative_prompt",
            style=discord.TextStyle.paragraph,
            default=(record.request.negative_prompt or "")[:500],
            max_length=500,
            required=False,
        )
        self.add_item(self.prompt)
        self.add_item(self.negative)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        request = self._flow.service.edited(
            self._record, self.prompt.value, self.negative.value or None
        )
        await self._flow.start(
            interaction, request, parent_task_id=self._record.task_id, renew_attachments=True
        )

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await self._flow.report_unexpected(interaction, error)
