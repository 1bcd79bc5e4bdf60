"""`/r2v generate`, `/r2v status`, `/r2v show`, `/r2v story`, `/r2v history`, `/r2v quota` and
`/r2v help`.

The cog is thin: it turns options into a CommandInput and hands it to the generation flow, and
it renders what the service answers to the other commands.
"""

from __future__ import annotations

from typing import Any, assert_never

import discord
from discord import app_commands
from discord.ext import commands

from bot.cast.service import CastService
from bot.cogs.cast import cast_option_choices
from bot.generation import limits
from bot.generation.request import CommandInput
from bot.generation.text import shorten
from bot.messages import delivery as delivery_text
from bot.messages import features as features_text
from bot.messages import tasks as task_text
from bot.messages.errors import describe_query_error
from bot.messages.quota import quota_text
from bot.queries import (
    Followed,
    Foreign,
    Hidden,
    NoSuchTask,
    NotFinished,
    NothingToShow,
    QueryFailed,
    Showable,
)
from bot.quota.accounts import Accounts
from bot.store.records import TaskRecord
from bot.ui.command_text import command_text, size_choice_name
from bot.ui.embeds import result_embed, task_embed
from bot.ui.flow import GenerationFlow
from bot.ui.interactions import attachment_input, locale_of, requester_of
from bot.ui.replies import NO_PINGS, reply
from bot.ui.views import post_story, result_buttons, video_file
from bot.video.pipeline import CannotFit, Fitted

Choice = app_commands.Choice
# Recent tasks offered when a member types a task id.
AUTOCOMPLETE_TASKS = 25

MODEL_CHOICES = [
    Choice(name=command_text("choice-model-flash"), value=limits.FLASH_MODEL),
    Choice(name=command_text("choice-model-full"), value=limits.FULL_MODEL),
]
SIZE_CHOICES = [Choice(name=size_choice_name(size), value=size) for size in limits.SIZES]
Prompt = app_commands.Range[str, 1, limits.PROMPT_MAX_CHARS]
# Several names, comma-separated (Discord allows at most 100 characters in a choice).
CastOption = app_commands.Range[str, 1, 200]
NegativePrompt = app_commands.Range[str, 1, limits.NEGATIVE_PROMPT_MAX_CHARS]
Duration = app_commands.Range[int, limits.DURATION_MIN_S, limits.DURATION_MAX_S]
Seed = app_commands.Range[int, limits.SEED_MIN, limits.SEED_MAX]

SHOT_CHOICES = [
    Choice(name=command_text("choice-shot-single"), value="single"),
    Choice(name=command_text("choice-shot-multi"), value="multi"),
]


@app_commands.guild_only()
class GenerateCog(
    commands.GroupCog,
    name="r2v",
    group_name="r2v",
    group_description=command_text("cmd-r2v"),
):
    """Make multi-character videos from a prompt and reference images or clips."""

    def __init__(
        self, flow: GenerationFlow, accounts: Accounts, *, cast: CastService | None = None
    ) -> None:
        self.flow = flow
        self.queries = flow.queries
        self.accounts = accounts
        self.cast = cast
        super().__init__()

    @app_commands.command(name="generate", description=command_text("cmd-r2v-generate"))
    @app_commands.describe(
        prompt=command_text("opt-prompt"),
        cast=command_text("opt-cast"),
        ref1=command_text("opt-ref1"),
        ref2=command_text("opt-ref", number=2),
        ref3=command_text("opt-ref", number=3),
        ref4=command_text("opt-ref", number=4),
        ref5=command_text("opt-ref", number=5),
        links=command_text("opt-links"),
        model=command_text("opt-model"),
        size=command_text("opt-size"),
        duration=command_text("opt-duration"),
        shot_type=command_text("opt-shot-type"),
        seed=command_text("opt-seed"),
        audio=command_text("opt-audio"),
        negative_prompt=command_text("opt-negative-prompt"),
        private=command_text("opt-private"),
    )
    @app_commands.choices(model=MODEL_CHOICES, size=SIZE_CHOICES, shot_type=SHOT_CHOICES)
    async def generate(
        self,
        interaction: discord.Interaction,
        prompt: Prompt,
        cast: CastOption | None = None,
        ref1: discord.Attachment | None = None,
        ref2: discord.Attachment | None = None,
        ref3: discord.Attachment | None = None,
        ref4: discord.Attachment | None = None,
        ref5: discord.Attachment | None = None,
        links: str | None = None,
        model: Choice[str] | None = None,
        size: Choice[str] | None = None,
        duration: Duration | None = None,
        shot_type: Choice[str] | None = None,
        seed: Seed | None = None,
        audio: bool | None = None,
        negative_prompt: NegativePrompt | None = None,
        private: bool | None = None,
    ) -> None:
        """Make a video from a prompt and reference images or clips."""
        slots = (ref1, ref2, ref3, ref4, ref5)
        command = CommandInput(
            prompt=prompt,
            attachments=tuple(
                attachment_input(slot, attachment)
                for slot, attachment in enumerate(slots, start=1)
                if attachment is not None
            ),
            links=links,
            model=model.value if model else None,
            size=size.value if size else None,
            duration=duration,
            shot_type=shot_type.value if shot_type else None,
            seed=seed,
            audio=audio,
            negative_prompt=negative_prompt,
            cast=cast,
        )
        await self.flow.start(interaction, command, private=private)

    @generate.autocomplete("cast")
    async def cast_names(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        """The server's cast names, the last one being typed completed."""
        if self.cast is None:
            return []
        return await cast_option_choices(self.cast, interaction, current)

    @app_commands.command(name="status", description=command_text("cmd-r2v-status"))
    @app_commands.describe(
        task_id=command_text("opt-status-task-id"), video=command_text("opt-status-video")
    )
    async def status(
        self,
        interaction: discord.Interaction,
        task_id: app_commands.Range[str, 1, 100],
        video: bool = False,
    ) -> None:
        """Show a task's live status, queried fresh from the service."""
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await self.queries.status(task_id.strip(), interaction.user.id)
        match answer:
            case Followed(record, result):
                text = task_text.known_status(locale, result) if result else None
                if record.private and record.video_url and record.result_message_id is None:
                    # A private result that could not be sent waits here for its requester.
                    text = features_text.private_video_link(locale, record.video_url)
                extras: dict[str, Any] = {}
                if video:
                    kept = await self._kept_video(interaction, locale, record)
                    if isinstance(kept, discord.File):
                        extras["file"] = kept
                    else:
                        text = f"{text}\n{kept}" if text else kept
                embed = task_embed(locale, record, self.queries.progress(record))
                await reply(interaction, text, embed=embed, **extras)
            case Hidden():
                await reply(interaction, features_text.not_your_private_task(locale))
            case Foreign(result):
                await reply(interaction, task_text.foreign_status(locale, result))
            case NoSuchTask(task_id):
                await reply(interaction, task_text.no_such_task(locale, task_id))
            case QueryFailed(error, record):
                embed = task_embed(locale, record) if record is not None else discord.utils.MISSING
                await reply(interaction, describe_query_error(locale, error), embed=embed)
            case _:
                assert_never(answer)

    async def _kept_video(
        self, interaction: discord.Interaction, locale: str | None, record: TaskRecord
    ) -> discord.File | str:
        """The kept video of the task, fitted to what this answer may attach; else why there is
        none."""
        kept = await self.queries.kept_video(
            record, interaction.user.id, interaction.guild_id, interaction.filesize_limit
        )
        match kept:
            case Fitted(path):
                return video_file(path, record.task_id)
            case CannotFit():
                return delivery_text.no_kept_video(locale)
            case _:
                assert_never(kept)

    @app_commands.command(name="history", description=command_text("cmd-r2v-history"))
    async def history(self, interaction: discord.Interaction) -> None:
        """List your recent video tasks (only you see this)."""
        locale = locale_of(interaction)
        records = await self.queries.history(interaction.user.id)
        if not records:
            await reply(interaction, task_text.no_history(locale))
            return
        lines = []
        for record in records:
            lines.append(task_text.history_line(locale, record))
            if record.lineage is not None:
                lines.append(features_text.history_parent(locale, record.lineage.parent_task_id))
        listing = task_text.history_heading(locale) + "\n" + "\n".join(lines)
        await reply(interaction, shorten(listing, 2000))

    @app_commands.command(name="quota", description=command_text("cmd-r2v-quota"))
    async def quota(self, interaction: discord.Interaction) -> None:
        """Your usage today, the team's limits and your running videos (only you see this)."""
        view = await self.accounts.quota(requester_of(interaction))
        await reply(interaction, quota_text(locale_of(interaction), view))

    @app_commands.command(name="show", description=command_text("cmd-r2v-show"))
    @app_commands.describe(task_id=command_text("opt-show-task-id"))
    async def show(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Post a finished task's video again in this channel."""
        locale = locale_of(interaction)
        answer = await self.queries.showable(
            task_id.strip(), interaction.user.id, interaction.guild_id
        )
        match answer:
            case Showable(record):
                await self._show_again(interaction, locale, record)
            case NoSuchTask(unknown):
                await reply(interaction, task_text.no_such_task(locale, unknown))
            case Hidden():
                await reply(interaction, features_text.not_your_private_task(locale))
            case NotFinished():
                await reply(interaction, features_text.not_finished_yet(locale))
            case NothingToShow():
                await reply(interaction, features_text.nothing_to_show(locale))
            case _:
                assert_never(answer)

    async def _show_again(
        self, interaction: discord.Interaction, locale: str | None, record: TaskRecord
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Posted as a follow-up of this interaction, whose own upload limit applies.
        path = await self.queries.video_again(record, interaction.filesize_limit)
        if path is None:
            await interaction.edit_original_response(
                content=features_text.video_no_longer_available(locale)
            )
            return
        # The private answer is completed before the post, which would otherwise replace it.
        await interaction.edit_original_response(content=features_text.shown(locale))
        await interaction.followup.send(
            content=features_text.shown_again(locale, record.origin.requester_id, record.task_id),
            embed=result_embed(locale, record),
            file=video_file(path, record.task_id),
            view=result_buttons(locale, record, deletable=not record.private),
            ephemeral=record.private,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name="story", description=command_text("cmd-r2v-story"))
    @app_commands.describe(task_id=command_text("opt-story-task-id"))
    async def story(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Join a story's shots (made with Continue) into one video and post it."""
        await post_story(interaction, self.flow.stories, task_id.strip())

    @status.autocomplete("task_id")
    @show.autocomplete("task_id")
    @story.autocomplete("task_id")
    async def own_task_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        """The member's own recent tasks, by prompt excerpt, matching what they typed."""
        needle = current.strip().lower()
        records = await self.queries.history(interaction.user.id, limit=AUTOCOMPLETE_TASKS)
        return [
            Choice(name=features_text.task_choice(r.task_id, r.request.prompt), value=r.task_id)
            for r in records
            if len(r.task_id) <= 100
            and (needle in r.task_id.lower() or needle in r.request.prompt.lower())
        ][:25]

    @app_commands.command(name="help", description=command_text("cmd-r2v-help"))
    async def help(self, interaction: discord.Interaction) -> None:
        """How references become characters, the options, the limits and what videos cost."""
        await reply(interaction, features_text.help_text(locale_of(interaction)))
