"""`/r2v generate`, `/r2v status`, `/r2v history` and the task buttons.

The cog is thin: it turns options into a CommandInput, asks the service to validate, submit and
store, and shows the result. Validation is pure and instant, so refusals are ephemeral replies
sent before the interaction is deferred; nothing reaches the paid API until they pass.
"""

from __future__ import annotations

import functools
import logging
import time
from decimal import Decimal
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.api.errors import ApiError
from bot.generation import limits
from bot.generation.request import AttachmentInput, CommandInput, GenerationRequest, InputError
from bot.policy import Spend, day_start, next_day
from bot.service import (
    GenerationService,
    LimitExceeded,
    Requester,
    Reservation,
    UnrecordedTask,
)
from bot.store.records import TaskRecord
from bot.ui.confirm import ConfirmView
from bot.ui.embeds import task_embed, task_preview
from bot.ui.replies import NO_PINGS, answer_privately, reply
from bot.ui.views import EditModal, task_buttons
from bot.user_messages import GENERIC_APOLOGY, describe_submit_error

if TYPE_CHECKING:
    from bot.ui.attachments import AttachmentRefresher

log = logging.getLogger(__name__)

Choice = app_commands.Choice

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


@app_commands.guild_only()
class GenerateCog(commands.GroupCog, name="r2v", group_name="r2v"):
    """Make multi-character videos from a prompt and reference images or clips."""

    def __init__(self, service: GenerationService, attachments: AttachmentRefresher) -> None:
        self.service = service
        self.attachments = attachments
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
        duration: app_commands.Range[int, limits.DURATION_MIN_S, limits.DURATION_MAX_S]
        | None = None,
        shot_type: Choice[str] | None = None,
        seed: Seed | None = None,
        audio: bool | None = None,
        negative_prompt: NegativePrompt | None = None,
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
        await self.start_generation(interaction, command)

    @app_commands.command(name="status")
    @app_commands.describe(task_id="The task ID shown when the video was requested")
    async def status(
        self, interaction: discord.Interaction, task_id: app_commands.Range[str, 1, 100]
    ) -> None:
        """Show a task's live status, queried fresh from the service."""
        task_id = task_id.strip()
        await interaction.response.defer(ephemeral=True, thinking=True)
        record = await self.service.store.get(task_id)
        if record is not None and self.service.tracker.is_tracking(task_id):
            record = await self.service.tracker.refresh(task_id) or record
            await reply(interaction, embed=task_embed(record))
            return
        try:
            result = await self.service.api.get_task(task_id)
        except ApiError as error:
            await reply(interaction, describe_submit_error(error))
            return
        lines = [f"Task `{result.task_id}`: **{result.raw_status}**"]
        if result.code or result.message:
            lines.append(f"{result.code or ''} {result.message or ''}".strip())
        if result.video_url:
            lines.append(f"[Video]({result.video_url}) (links expire 24 h after the task ends)")
        if record is not None:
            await reply(interaction, "\n".join(lines), embed=task_embed(record))
        else:
            lines.append("This task was not made through this bot, so only its status is shown.")
            await reply(interaction, "\n".join(lines))

    @app_commands.command(name="history")
    async def history(self, interaction: discord.Interaction) -> None:
        """List your recent video tasks (only you see this)."""
        records = await self.service.store.recent_for_user(interaction.user.id, limit=10)
        if not records:
            await reply(interaction, "You have no video tasks yet. Start one with `/r2v generate`.")
            return
        lines = [_history_line(record) for record in records]
        await reply(interaction, "**Your recent tasks**\n" + "\n".join(lines))

    @app_commands.command(name="quota")
    async def quota(self, interaction: discord.Interaction) -> None:
        """Your usage today, the team's limits and your running videos (only you see this)."""
        await reply(interaction, await self._quota_text(interaction))

    async def _quota_text(self, interaction: discord.Interaction) -> str:
        limits_ = self.service.limits_for(interaction.guild_id)
        currency = self.service.currency
        now = time.time()
        usage = await self.service.store.usage(
            interaction.user.id, interaction.guild_id, day_start(now)
        )
        running = await self.service.store.active_for_user(interaction.user.id)

        def budget(spent: Spend, max_seconds: int, max_amount: Decimal) -> str:
            parts = [f"{spent.seconds} billed s", f"{spent.amount:.2f} {currency}"]
            if max_seconds:
                parts[0] += f" of {max_seconds}"
            if max_amount:
                parts[1] = f"{spent.amount:.2f} of {max_amount:.2f} {currency}"
            return " · ".join(parts)

        lines = [
            f"**Today** (resets <t:{int(next_day(now))}:R>)",
            "You: "
            + budget(usage.user_today, limits_.user_daily_seconds, limits_.user_daily_amount),
            "This server: "
            + budget(usage.guild_today, limits_.guild_daily_seconds, limits_.guild_daily_amount),
            "",
            "**Limits**",
            "Running at once: "
            + (
                f"{usage.active_tasks} of {limits_.max_active_per_user}"
                if limits_.max_active_per_user
                else f"{usage.active_tasks} (no limit)"
            ),
            f"Cooldown between videos: {limits_.user_cooldown_s:g} s",
            "Confirmation above: "
            + (
                f"{limits_.confirm_above:.2f} {currency}"
                if limits_.confirm_above is not None
                else "never asked"
            ),
        ]
        if usage.last_submit_at and limits_.user_cooldown_s:
            ready_at = usage.last_submit_at + limits_.user_cooldown_s
            if ready_at > now:
                lines.append(f"Next video possible <t:{int(ready_at) + 1}:R>")
        lines += ["", "**Running**"]
        lines += [_history_line(record) for record in running] or ["none"]
        return "\n".join(lines)

    async def start_generation(
        self,
        interaction: discord.Interaction,
        command: CommandInput | GenerationRequest,
        *,
        parent_task_id: str | None = None,
        renew_attachments: bool = False,
    ) -> None:
        """Validate (pure and instant, so a refusal is a private reply), defer publicly, then
        check the team's limits, ask for confirmation above the price threshold and submit."""
        try:
            request = (
                self.service.prepare(command) if isinstance(command, CommandInput) else command
            )
        except InputError as error:
            await reply(interaction, _refusal(error))
            return
        missing = missing_channel_permissions(interaction)
        if missing:
            await reply(
                interaction,
                "**Nothing was submitted.** The bot could not post the video in this channel: "
                f"it lacks {', '.join(missing)} here. Ask an admin to grant them, or use "
                "another channel.",
            )
            return
        # Acknowledge before anything that waits on the store, Discord or the API.
        await interaction.response.defer(thinking=True)
        submit = functools.partial(
            self._reserve_and_submit,
            request=request,
            parent_task_id=parent_task_id,
            renew_attachments=renew_attachments,
        )
        if not self.service.needs_confirmation(request, interaction.guild_id):
            await submit(interaction)
            return
        refusal = await self.service.check_policy(
            requester_of(interaction),
            request,
            channel_ids=channel_ids_of(interaction),
            role_ids=role_ids_of(interaction),
        )
        if refusal is not None:
            await answer_privately(interaction, f"**Nothing was submitted.** {refusal.describe()}")
            return
        estimate = self.service.estimate(request)
        price = estimate.describe() if estimate else "an unknown amount (no price is configured)"
        timeout = self.service.limits_for(interaction.guild_id).confirm_timeout_s
        view = ConfirmView(submit, timeout=timeout)
        view.message = await answer_privately(
            interaction,
            f"This video costs **{price}**, above this server's confirmation threshold. "
            "Generate it?",
            embed=task_preview(request),
            view=view,
        )

    async def _reserve_and_submit(
        self,
        interaction: discord.Interaction,
        *,
        request: GenerationRequest,
        parent_task_id: str | None,
        renew_attachments: bool,
    ) -> TaskRecord | None:
        """For a publicly deferred interaction: check every limit again at the moment of
        submitting (a confirmation may have waited) and hold the place until the task is
        stored; then submit and answer with the status message."""
        try:
            reservation = await self.service.reserve(
                requester_of(interaction),
                request,
                channel_ids=channel_ids_of(interaction),
                role_ids=role_ids_of(interaction),
            )
        except LimitExceeded as refused:
            text = f"**Nothing was submitted.** {refused.refusal.describe()}"
            await answer_privately(interaction, text)
            return None
        try:
            return await self._submit_and_announce(
                interaction, request, parent_task_id, renew_attachments, reservation
            )
        finally:
            self.service.release(reservation)  # a no-op once the task is stored

    async def _submit_and_announce(
        self,
        interaction: discord.Interaction,
        request: GenerationRequest,
        parent_task_id: str | None,
        renew_attachments: bool,
        reservation: Reservation,
    ) -> TaskRecord | None:
        """Submit, store, answer with the status embed, start tracking."""
        if renew_attachments:
            renewed = await self._renewed(request)
            if renewed is None:
                await answer_privately(
                    interaction,
                    "The attached files' links have expired and Discord would not renew them. "
                    "Run `/r2v generate` again with the files attached.",
                )
                return None
            request = renewed
        try:
            record = await self.service.submit(
                request,
                requester_of(interaction),
                parent_task_id=parent_task_id,
                reservation=reservation,
            )
        except ApiError as error:
            log.warning(
                "submit for user %s refused: %s (request_id=%s)",
                interaction.user.id,
                type(error).__name__,
                error.request_id,
            )
            await _edit_original(interaction, content=f"❌ {describe_submit_error(error)}")
            return None
        except UnrecordedTask as lost:
            await _edit_original(
                interaction,
                content=f"⚠️ Your video was submitted as task `{lost.task_id}`, but the bot could "
                f"not record it and will not follow it. Check it with "
                f"`/r2v status task_id:{lost.task_id}`.",
            )
            return None
        message_id = None
        try:
            message = await interaction.edit_original_response(
                embed=task_embed(record),
                view=task_buttons(record.task_id, active=True),
                allowed_mentions=NO_PINGS,
            )
            message_id = message.id
        except discord.HTTPException as error:
            log.warning("could not show task %s to its requester: %s", record.task_id, error)
        finally:
            record = await self.service.start_tracking(record, message_id)
        return record

    async def handle_button(
        self, interaction: discord.Interaction, action: str, task_id: str
    ) -> None:
        record = await self.service.store.get(task_id)
        if record is None:
            await reply(interaction, "This task is not in the bot's records any more.")
            return
        if interaction.user.id != record.requester_id:
            await reply(
                interaction,
                f"Only <@{record.requester_id}>, who asked for this video, can use its buttons. "
                "Start your own with `/r2v generate`.",
            )
            return
        if action == "refresh":
            await interaction.response.defer(ephemeral=True, thinking=True)
            fresh = await self.service.tracker.refresh(task_id) or record
            await reply(interaction, embed=task_embed(fresh))
        elif action == "reroll":
            await self.start_generation(
                interaction,
                self.service.reroll(record.request),
                parent_task_id=task_id,
                renew_attachments=True,
            )
        elif action == "edit":
            await interaction.response.send_modal(
                EditModal(self, task_id, record.request.prompt, record.request.negative_prompt)
            )

    async def rerun_edited(
        self,
        interaction: discord.Interaction,
        task_id: str,
        prompt: str,
        negative_prompt: str | None,
    ) -> None:
        record = await self.service.store.get(task_id)
        if record is None:
            await reply(interaction, "This task is not in the bot's records any more.")
            return
        try:
            request = record.request.with_prompts(prompt, negative_prompt)
        except InputError as error:
            await reply(interaction, _refusal(error))
            return
        await self.start_generation(
            interaction, request, parent_task_id=task_id, renew_attachments=True
        )

    async def _renewed(self, request: GenerationRequest) -> GenerationRequest | None:
        """The request with fresh Discord attachment URLs (signed links expire after ~24 h)."""
        try:
            return await self.attachments.renew(request)
        except (discord.HTTPException, KeyError, TypeError, ValueError) as error:
            # The refresh endpoint is undocumented: an unexpected answer counts as a refusal.
            log.warning("attachment URLs could not be renewed: %s", type(error).__name__)
            return None

    async def report_unexpected(self, interaction: discord.Interaction, error: Exception) -> None:
        log.error("unexpected error in interaction %s", interaction.id, exc_info=error)
        await reply(interaction, GENERIC_APOLOGY)


def requester_of(interaction: discord.Interaction) -> Requester:
    return Requester(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0,
        upload_limit=channel_upload_limit(interaction),
    )


def channel_upload_limit(interaction: discord.Interaction) -> int:
    """What the bot's own channel post (the video's delivery) may attach. The interaction's
    limit includes the member's Nitro; the bot's posts get only the server's boost-tier cap."""
    guild = interaction.guild
    if guild is None:
        return interaction.filesize_limit
    return min(interaction.filesize_limit, guild.filesize_limit)


# What delivery needs: post, embed, upload, and read back its own posts after a restart.
DELIVERY_PERMISSIONS = ("view_channel", "embed_links", "attach_files", "read_message_history")


def missing_channel_permissions(interaction: discord.Interaction) -> list[str]:
    """Permissions the bot lacks in this channel to deliver a video, in Discord's words."""
    permissions = interaction.app_permissions
    in_thread = isinstance(interaction.channel, discord.Thread)
    needed = (*DELIVERY_PERMISSIONS, "send_messages_in_threads" if in_thread else "send_messages")
    return [
        name.replace("_", " ").title() for name in needed if not getattr(permissions, name, False)
    ]


def channel_ids_of(interaction: discord.Interaction) -> list[int]:
    """The channel, and for a thread its parent, so allowing a channel allows its threads."""
    ids = [interaction.channel_id] if interaction.channel_id else []
    parent = getattr(interaction.channel, "parent_id", None)
    if parent:
        ids.append(parent)
    return ids


def role_ids_of(interaction: discord.Interaction) -> list[int]:
    return [role.id for role in getattr(interaction.user, "roles", [])]


def _refusal(error: InputError) -> str:
    heading = (
        "**Nothing was submitted.** Please change this:"
        if len(error.problems) == 1
        else ("**Nothing was submitted.** Please change these:")
    )
    return heading + "\n" + describe_submit_error(error)


def _history_line(record: TaskRecord) -> str:
    prompt = record.request.prompt.replace("\n", " ")
    short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
    return (
        f"<t:{int(record.created_at)}:R> `{record.task_id}` **{record.raw_status}** "
        f"{record.request.model} {record.request.size} {record.request.duration}s — {short}"
    )


async def _edit_original(interaction: discord.Interaction, **kwargs: object) -> None:
    try:
        await interaction.edit_original_response(allowed_mentions=NO_PINGS, **kwargs)  # type: ignore[arg-type]
    except discord.HTTPException as error:
        log.warning("could not edit the answer to interaction %s: %s", interaction.id, error)
