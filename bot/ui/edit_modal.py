"""Edit & re-run: every option of a task in one modal, pre-filled.

Discord allows five components in a modal, and there are seven things to change, so the
selects pair them: model with size (2 × 10 choices) and duration with shot type (9 × 2); each
stays within Discord's 25 options per select. Prompt, negative prompt and seed are text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.generation import limits
from bot.generation.request import CommandInput
from bot.messages import features as text
from bot.messages.tasks import size_name
from bot.service import Redo
from bot.store.records import Derivation, TaskRecord
from bot.ui.modals import FlowModal
from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.ui.flow import GenerationFlow


def model_size_options(locale: str | None, model: str, size: str) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(
            label=text.model_size_option(locale, each_model, size_name(locale, each_size)),
            value=f"{each_model}|{each_size}",
            default=(each_model, each_size) == (model, size),
        )
        for each_model in limits.MODELS
        for each_size in limits.SIZES
    ]


def duration_shot_options(
    locale: str | None, duration: int, shot_type: str
) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(
            label=text.duration_shot_option(locale, each_duration, each_shot),
            value=f"{each_duration}|{each_shot}",
            default=(each_duration, each_shot) == (duration, shot_type),
        )
        for each_duration in range(limits.DURATION_MIN_S, limits.DURATION_MAX_S + 1)
        for each_shot in limits.SHOT_TYPES
    ]


class EditModal(FlowModal):
    def __init__(self, locale: str | None, flow: GenerationFlow, record: TaskRecord) -> None:
        super().__init__(flow, title=text.edit_title(locale), timeout=600)
        self._locale = locale
        self._record = record
        request = record.request
        self.prompt: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            default=request.prompt[: limits.PROMPT_MAX_CHARS],
            max_length=limits.PROMPT_MAX_CHARS,
            required=True,
        )
        self.negative: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            custom_id="negative_prompt",
            style=discord.TextStyle.paragraph,
            default=(request.negative_prompt or "")[: limits.NEGATIVE_PROMPT_MAX_CHARS],
            max_length=limits.NEGATIVE_PROMPT_MAX_CHARS,
            required=False,
        )
        self.seed: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            custom_id="seed",
            default=str(request.seed) if request.seed is not None else "",
            max_length=len(str(limits.SEED_MAX)),
            required=False,
        )
        self.model_size: discord.ui.Select[EditModal] = discord.ui.Select(
            custom_id="model_size", options=model_size_options(locale, request.model, request.size)
        )
        self.duration_shot: discord.ui.Select[EditModal] = discord.ui.Select(
            custom_id="duration_shot",
            options=duration_shot_options(locale, request.duration, request.shot_type or "single"),
        )
        for label, component in (
            (text.prompt_label(locale), self.prompt),
            (text.negative_prompt_label(locale), self.negative),
            (text.model_size_label(locale), self.model_size),
            (text.duration_shot_label(locale), self.duration_shot),
            (text.seed_label(locale), self.seed),
        ):
            self.add_item(discord.ui.Label(text=label, component=component))

    def changes(self) -> CommandInput | None:
        """What the member chose, or None when the seed is not a number in range."""
        request = self._record.request
        model, size = request.model, request.size
        if self.model_size.values:
            model, _, size = self.model_size.values[0].partition("|")
        duration, shot_type = request.duration, request.shot_type
        if self.duration_shot.values:
            picked_duration, _, picked_shot = self.duration_shot.values[0].partition("|")
            duration = int(picked_duration)
            # "single" is the API's default: left unsent when the original left it out.
            if picked_shot != "single" or shot_type is not None:
                shot_type = picked_shot
        seed_text = self.seed.value.strip()
        if seed_text and not seed_text.isdecimal():
            return None
        seed = int(seed_text) if seed_text else None
        if seed is not None and not limits.SEED_MIN <= seed <= limits.SEED_MAX:
            return None
        return CommandInput(
            prompt=self.prompt.value,
            negative_prompt=self.negative.value or None,
            model=model,
            size=size,
            duration=duration,
            shot_type=shot_type,
            seed=seed,
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        changes = self.changes()
        if changes is None:
            await reply(interaction, text.bad_seed(self._locale))
            return
        request = self._flow.service.edited(self._record, changes)
        await self._flow.start(interaction, request, redo=Redo(self._record, Derivation.EDIT))
