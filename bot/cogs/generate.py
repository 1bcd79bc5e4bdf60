"""`/r2v generate`, `/r2v status`, `/r2v show`, `/r2v history`, `/r2v quota` and `/r2v help`.

The cog is thin: it turns options into a CommandInput and hands it to the generation flow, and
it renders what the service answers to the other commands.
"""

from __future__ import annotations

from typing import assert_never

import discord
from discord import app_commands
from discord.ext import commands

from bot.generation import limits
from bot.generation.request import CommandInput
from bot.generation.text import shorten
from bot.messages import features as features_text
from bot.messages import tasks as task_text
from bot.messages.errors import describe_query_error
from bot.messages.quota import quota_text
from bot.service import Followed, Foreign, Hidden, NoSuchTask, QueryFailed
from bot.store.records import Ending
from bot.ui.embeds import result_embed, task_embed
from bot.ui.flow import GenerationFlow
from bot.ui.interactions import attachment_input, channel_upload_limit, requester_of
from bot.ui.replies import NO_PINGS, reply
from bot.ui.show import ResultReposter
from bot.ui.views import result_buttons

Choice = app_commands.Choice
# Recent tasks offered when a member types a task id.
AUTOCOMPLETE_TASKS = 25

MODEL_CHOICES = [
    Choice(name="wan2.6-r2v-flash · faster, cheaper, can be silent", value=limits.FLASH_MODEL),
    Choice(name="wan2.6-r2v · full quality, always with sound", value=limits.FULL_MODEL),
]
SIZE_CHOICES = [Choice(name=limits.size_label(size), value=size) for size in limits.SIZES]
Prompt = app_commands.Range[str, 1, limits.PROMPT_MAX_CHARS]
NegativePrompt = app_commands.Range[str, 1, limits.NEGATIVE_PROMPT_MAX_CHARS]
Duration = app_commands.Range[int, limits.DURATION_MIN_S, limits.DURATION_MAX_S]
Seed = app_commands.Range[int, limits.SEED_MIN, limits.SEED_MAX]

SHOT_CHOICES = [
    Choice(name="single · one continuous shot", value="single"),
    Choice(name="multi · several shots with cuts", value="multi"),
]


@app_commands.guild_only()
class GenerateCog(commands.GroupCog, name="r2v", group_name="r2v"):
    """Make multi-character videos from a prompt and reference images or clips."""

    def __init__(self, flow: GenerationFlow, reposter: ResultReposter | None = None) -> None:
        self.flow = flow
        self.service = flow.service
        self.reposter = reposter
        super().__init__()

    @app_commands.command(name="generate")
    @app_commands.describe(
        prompt="What happens. Call people character1, character2 … in reference order",
        ref1="Reference 1 → character1 (JPEG/PNG/BMP/WEBP image or MP4/MOV clip)",
        ref2="Reference 2 → character2",
        ref3="Reference 3 → character3",
        ref4="Reference 4 → character4",
        ref5="Reference 5 → character5",
        links="Direct image/clip links, separated by spaces or commas (they come after ref1–ref5)",
        model="Which model (default from the server's settings)",
        size="Resolution and aspect ratio",
        duration="Length in seconds, 2–10 (default 5)",
        shot_type="One continuous shot, or several with cuts",
        seed="Fix the randomness to redo a result (0–2147483647)",
        audio="Generate sound (only wan2.6-r2v-flash can be silent)",
        negative_prompt="What the video should avoid",
        private="Only you see it: the status privately, the video by direct message",
    )
    @app_commands.choices(model=MODEL_CHOICES, size=SIZE_CHOICES, shot_type=SHOT_CHOICES)
    async def generate(
        self,
        interaction: discord.Interaction,
        prompt: Prompt,
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
        )
        await self.flow.start(interaction, self.service.request_from(command), private=private)

    @app_commands.command(name="status")
    @app_commands.describe(task_id="The task ID shown when the video was requested")
    async def status(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Show a task's live status, queried fresh from the service."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await self.service.status(task_id.strip(), interaction.user.id)
        match answer:
            case Followed(record, result):
                text = task_text.known_status(result) if result else None
                if record.private and record.video_url and record.result_message_id is None:
                    # A private result that could not be sent waits here for its requester.
                    text = features_text.private_video_link(record.video_url)
                embed = task_embed(record, self.service.progress(record))
                await reply(interaction, text, embed=embed)
            case Hidden():
                await reply(interaction, features_text.NOT_YOUR_PRIVATE_TASK)
            case Foreign(result):
                await reply(interaction, task_text.foreign_status(result))
            case NoSuchTask(task_id):
                await reply(interaction, task_text.no_such_task(task_id))
            case QueryFailed(error, record):
                embed = task_embed(record) if record is not None else discord.utils.MISSING
                await reply(interaction, describe_query_error(error), embed=embed)
            case _:
                assert_never(answer)

    @app_commands.command(name="history")
    async def history(self, interaction: discord.Interaction) -> None:
        """List your recent video tasks (only you see this)."""
        records = await self.service.history(interaction.user.id)
        if not records:
            await reply(interaction, task_text.NO_HISTORY)
            return
        lines = []
        for record in records:
            lines.append(task_text.history_line(record))
            if record.parent_task_id:
                lines.append(features_text.history_parent(record.parent_task_id))
        listing = task_text.history_heading() + "\n" + "\n".join(lines)
        await reply(interaction, shorten(listing, 2000))

    @app_commands.command(name="quota")
    async def quota(self, interaction: discord.Interaction) -> None:
        """Your usage today, the team's limits and your running videos (only you see this)."""
        view = await self.service.quota(requester_of(interaction))
        await reply(interaction, quota_text(view))

    @app_commands.command(name="show")
    @app_commands.describe(task_id="One of your finished tasks (start typing to pick it)")
    async def show(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Post a finished task's video again in this channel."""
        record = await self.service.task(task_id.strip())
        if record is None or (record.guild_id != interaction.guild_id and not record.private):
            await reply(interaction, task_text.no_such_task(task_id.strip()))
            return
        if record.private and record.requester_id != interaction.user.id:
            await reply(interaction, features_text.NOT_YOUR_PRIVATE_TASK)
            return
        if record.finished_at is None:
            await reply(interaction, features_text.NOT_FINISHED_YET)
            return
        if record.ending is not Ending.SUCCEEDED:
            await reply(interaction, features_text.NOTHING_TO_SHOW)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        file = None
        if self.reposter is not None:
            file = await self.reposter.video_file(record, channel_upload_limit(interaction))
        if file is None:
            await interaction.edit_original_response(
                content=features_text.VIDEO_NO_LONGER_AVAILABLE
            )
            return
        # The private answer is completed before the post, which would otherwise replace it.
        await interaction.edit_original_response(content=features_text.SHOWN)
        await interaction.followup.send(
            content=features_text.shown_again(record.requester_id, record.task_id),
            embed=result_embed(record),
            file=file,
            view=result_buttons(record, deletable=not record.private),
            ephemeral=record.private,
            allowed_mentions=NO_PINGS,
        )

    @status.autocomplete("task_id")
    @show.autocomplete("task_id")
    async def own_task_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        """The member's own recent tasks, by prompt excerpt, matching what they typed."""
        needle = current.strip().lower()
        records = await self.service.history(interaction.user.id, limit=AUTOCOMPLETE_TASKS)
        return [
            Choice(name=features_text.task_choice(r.task_id, r.request.prompt), value=r.task_id)
            for r in records
            if len(r.task_id) <= 100
            and (needle in r.task_id.lower() or needle in r.request.prompt.lower())
        ][:25]

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """How references become characters, the options, the limits and what videos cost."""
        await reply(interaction, features_text.HELP_TEXT)
