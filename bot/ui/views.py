"""Buttons on status and result messages. They are dynamic items: the action and task ID live in
the `custom_id` (`r2v:<action>:<task_id>`), so they keep working after a restart, and after an
upgrade, without any stored view state. Each action is its own class: it declares its template and
its look, and does its own work in `act`; `TaskButton` holds what they share (loading the task's
record, who may click, the reply to an unexpected error).

The status message carries Refresh (and Cancel while queued, where the API can cancel) while the
task runs; the result message carries Re-roll, Edit & re-run, Continue, Export story (on a shot
of a story) and Delete."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, assert_never, runtime_checkable

import discord

from bot.api.models import TaskStatus
from bot.generation import limits
from bot.messages import features as text
from bot.messages import stories as story_text
from bot.messages import tasks as task_text
from bot.queries import Hidden, NoSuchTask
from bot.service import Redo
from bot.store.records import Derivation, Ending, TaskRecord
from bot.stories import (
    Exported,
    ExportFailed,
    NotAStory,
    NothingKept,
    Stories,
    Story,
    part_of_a_story,
)
from bot.tracking.delivery import link_expires_at
from bot.ui.edit_modal import EditModal
from bot.ui.embeds import story_embed, task_embed
from bot.ui.interactions import actor_of, channel_upload_limit, locale_of
from bot.ui.modals import FlowModal
from bot.ui.replies import NO_PINGS, reply

if TYPE_CHECKING:
    from bot.tracking.progress import Progress
    from bot.ui.flow import GenerationFlow

CUSTOM_ID_PREFIX = "r2v"
# Discord's limit on a custom_id; a task id that would not fit gets no buttons (`_fits`).
CUSTOM_ID_MAX = 100
# The base class's template: no custom_id matches it, and the base is never registered; only the
# actions below are, each with its own template.
_MATCHES_NOTHING = r"(?!)"


@runtime_checkable
class CarriesFlow(Protocol):
    """The bot, as the buttons need it (typed without importing the composition root)."""

    flow: GenerationFlow


def flow_of(interaction: discord.Interaction) -> GenerationFlow | None:
    client = interaction.client
    return client.flow if isinstance(client, CarriesFlow) else None


class TaskButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_MATCHES_NOTHING):
    """What every task button shares. An action subclasses it as
    `class XButton(TaskButton, action="x")`, which gives it the template
    `r2v:x:(?P<task_id>...)`: the custom_id every version of the bot has written, so buttons on
    messages posted before an upgrade still reach their action."""

    action: ClassVar[str]
    emoji: ClassVar[str]
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    # The button sits on the task's result: the clicked message is the result, even before the
    # tracker has recorded it.
    on_result: ClassVar[bool] = False

    def __init_subclass__(cls, *, action: str) -> None:
        super().__init_subclass__(template=rf"{CUSTOM_ID_PREFIX}:{action}:(?P<task_id>.{{1,90}})")
        cls.action = action

    @classmethod
    def custom_id_for(cls, task_id: str) -> str:
        return f"{CUSTOM_ID_PREFIX}:{cls.action}:{task_id}"

    def __init__(self, task_id: str, locale: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=text.button_label(locale, self.action),
                emoji=self.emoji,
                style=self.style,
                custom_id=self.custom_id_for(task_id),
            )
        )
        self.task_id = task_id
        self.record: TaskRecord | None = None

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(match["task_id"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Load the task's record; the requester may click, anyone else as `admits` says."""
        flow = flow_of(interaction)
        locale = locale_of(interaction)
        if flow is None:
            await reply(interaction, task_text.starting_up(locale))
            return False
        record = await flow.queries.task(self.task_id)
        if record is None:
            await reply(interaction, task_text.not_in_records(locale))
            return False
        if self.on_result and interaction.message is not None:
            record = replace(record, result_message_id=interaction.message.id)
        self.record = record
        if interaction.user.id == record.origin.requester_id:
            return True
        return await self.admits(interaction, record)

    async def admits(self, interaction: discord.Interaction, record: TaskRecord) -> bool:
        """Whether someone other than the requester may click; they are told why not."""
        await reply(
            interaction, task_text.not_yours(locale_of(interaction), record.origin.requester_id)
        )
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        flow = flow_of(interaction)
        record = self.record
        if flow is None or record is None:
            return  # interaction_check answered
        try:
            await self.act(interaction, flow, record)
        except Exception as error:
            await flow.report_unexpected(interaction, error)

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        """The action's work, once the click is admitted."""
        raise NotImplementedError


class RefreshButton(TaskButton, action="refresh"):
    """Query the task now and show its status privately."""

    emoji = "🔄"

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        fresh = await flow.queries.refresh(record.task_id) or record
        progress = flow.queries.progress(fresh)
        await reply(interaction, embed=task_embed(locale_of(interaction), fresh, progress))


class CancelButton(TaskButton, action="cancel"):
    """Cancel the task while it is queued."""

    emoji = "🚫"
    style = discord.ButtonStyle.danger

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        await flow.cancel(interaction, record)


class RerollButton(TaskButton, action="reroll"):
    """Submit the same request with a new seed (and freshly signed attachment links)."""

    emoji = "🎲"
    style = discord.ButtonStyle.primary
    on_result = True

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        request = flow.service.rerolled(record)
        await flow.start(interaction, request, redo=Redo(record, Derivation.REROLL))


class EditButton(TaskButton, action="edit"):
    """Open the request, prefilled, in a modal to change and submit again."""

    emoji = "✏️"
    on_result = True

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        await interaction.response.send_modal(EditModal(locale_of(interaction), flow, record))


class ContinueButton(TaskButton, action="continue"):
    """Ask for the next shot's prompt; the result's video becomes character1."""

    emoji = "🎞️"
    on_result = True

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        locale = locale_of(interaction)
        url = video_url_of(interaction.message, record)
        if url is None:
            await reply(interaction, text.no_video_to_continue(locale))
            return
        await interaction.response.send_modal(ContinueModal(locale, flow, record, url))


class DeleteButton(TaskButton, action="delete"):
    """Delete the result message; the requester, or anyone who may manage messages there."""

    emoji = "🗑️"
    on_result = True

    async def admits(self, interaction: discord.Interaction, record: TaskRecord) -> bool:
        # Moderators tidy up any result: Manage Messages in this channel, or a bot admin role.
        flow = flow_of(interaction)
        assert flow is not None  # interaction_check found it
        guild_id, moderators = interaction.guild_id, flow.moderators
        if moderators.may_moderate(guild_id, actor_of(interaction)):
            return True
        locale, roles = locale_of(interaction), moderators.admin_roles(guild_id)
        await reply(interaction, text.delete_not_allowed(locale, record.origin.requester_id, roles))
        return False

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        await delete_result(interaction, record)


class ExportStoryButton(TaskButton, action="story"):
    """Join the story this result ends (its shots made with Continue) into one video and post
    it. Anyone who sees the result may: it costs nothing, as `/r2v story` does not."""

    emoji = "🎬"
    on_result = True

    async def admits(self, interaction: discord.Interaction, record: TaskRecord) -> bool:
        return True

    async def act(
        self, interaction: discord.Interaction, flow: GenerationFlow, record: TaskRecord
    ) -> None:
        await post_story(interaction, flow.stories, record.task_id)


# Every action, registered by the bot (`add_dynamic_items`) so that clicks on any message reach it.
TASK_BUTTONS: tuple[type[TaskButton], ...] = (
    RefreshButton,
    CancelButton,
    RerollButton,
    EditButton,
    ContinueButton,
    DeleteButton,
    ExportStoryButton,
)


async def post_story(
    interaction: discord.Interaction, stories: Stories | None, task_id: str
) -> None:
    """Export story and `/r2v story`: the story ending with `task_id` joined into one MP4,
    fitted to what the bot may upload in this channel, and posted with its shots, their prompts
    and the total cost; privately for a private story. The member is told why when not."""
    locale = locale_of(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    if stories is None:
        await reply(interaction, task_text.starting_up(locale))
        return
    answer = await stories.story(task_id, interaction.user.id, interaction.guild_id)
    match answer:
        case Story():
            story = answer
        case NotAStory():
            await reply(interaction, story_text.not_a_story(locale))
            return
        case NoSuchTask(unknown):
            await reply(interaction, task_text.no_such_task(locale, unknown))
            return
        case Hidden():
            await reply(interaction, text.not_your_private_task(locale))
            return
        case _:
            assert_never(answer)
    await interaction.edit_original_response(
        content=story_text.joining(locale, len(story.shots)), allowed_mentions=NO_PINGS
    )
    limit = channel_upload_limit(interaction) or interaction.filesize_limit
    async with stories.exported(story, limit) as exported:
        match exported:
            case Exported(path, _, fitted):
                await interaction.edit_original_response(content=story_text.posted(locale))
                heading = story_text.heading(
                    locale,
                    len(story.shots),
                    interaction.user.id,
                    fitted=fitted,
                    gone=len(story.gone),
                )
                await interaction.followup.send(
                    content=heading,
                    embed=story_embed(locale, story),
                    file=discord.File(path, filename=f"r2v-story-{task_id[:8]}.mp4"),
                    ephemeral=story.last.private,
                    allowed_mentions=NO_PINGS,
                )
                return
            case NothingKept():
                said = story_text.nothing_kept(locale)
            case ExportFailed():
                said = story_text.failed(locale)
            case _:
                assert_never(exported)
    await interaction.edit_original_response(content=said, allowed_mentions=NO_PINGS)


def video_file(path: Path, task_id: str) -> discord.File:
    """The task's video as an attachment. Its `.mp4` name is what `video_url_of` recognises
    when Discord leaves out the content type."""
    return discord.File(path, filename=f"r2v-{task_id[:8]}.mp4")


def video_url_of(message: discord.Message | None, record: TaskRecord) -> str | None:
    """The delivered video's URL: the result message's attachment as Discord sent it with this
    click (freshly signed), else the service's link while it lives."""
    if message is not None:
        for attachment in message.attachments:
            is_video = (attachment.content_type or "").startswith("video/")
            if is_video or attachment.filename.lower().endswith((".mp4", ".mov")):
                return attachment.url
    if (
        record.video_url
        and record.finished_at is not None
        and time.time() < link_expires_at(record)
    ):
        return record.video_url
    return None


async def delete_result(interaction: discord.Interaction, record: TaskRecord) -> None:
    """Delete the bot's result message of the task (the one clicked); the record stays."""
    locale = locale_of(interaction)
    message = interaction.message
    if message is None:
        await reply(interaction, text.delete_failed(locale))
        return
    try:
        await message.delete()
    except discord.HTTPException:
        await reply(interaction, text.delete_failed(locale))
        return
    await reply(interaction, text.deleted(locale))


def _fits(task_id: str) -> bool:
    return all(len(button.custom_id_for(task_id)) <= CUSTOM_ID_MAX for button in TASK_BUTTONS)


def status_buttons(
    locale: str | None, record: TaskRecord, *, can_cancel: bool = False
) -> discord.ui.View:
    """Refresh while the task runs, Cancel while it is queued (where the API can cancel);
    nothing once it has ended. A task id too long for a custom_id gets no buttons."""
    view = discord.ui.View(timeout=None)
    if not _fits(record.task_id) or record.finished_at is not None:
        return view
    view.add_item(RefreshButton(record.task_id, locale))
    if can_cancel and record.status is TaskStatus.PENDING:
        view.add_item(CancelButton(record.task_id, locale))
    return view


def status_message(
    locale: str | None, record: TaskRecord, progress: Progress, *, can_cancel: bool
) -> tuple[discord.Embed, discord.ui.View]:
    """The status message of a running task: its embed and its buttons."""
    embed = task_embed(locale, record, progress)
    return embed, status_buttons(locale, record, can_cancel=can_cancel)


def result_buttons(
    locale: str | None, record: TaskRecord, *, deletable: bool = True
) -> discord.ui.View:
    """Re-roll, Edit & re-run, Continue (with a video), Export story (on a shot after the first
    of a story) and Delete (where the message can be deleted: not an ephemeral one)."""
    view = discord.ui.View(timeout=None)
    if not _fits(record.task_id):
        return view
    view.add_item(RerollButton(record.task_id, locale))
    view.add_item(EditButton(record.task_id, locale))
    if record.ending is Ending.SUCCEEDED:
        view.add_item(ContinueButton(record.task_id, locale))
    if part_of_a_story(record):
        view.add_item(ExportStoryButton(record.task_id, locale))
    if deletable:
        view.add_item(DeleteButton(record.task_id, locale))
    return view


class ContinueModal(FlowModal):
    """The prompt of the next shot; the video becomes character1."""

    def __init__(
        self, locale: str | None, flow: GenerationFlow, record: TaskRecord, video_url: str
    ) -> None:
        super().__init__(flow, title=text.continue_title(locale), timeout=600)
        self._record = record
        self._video_url = video_url
        self.prompt: discord.ui.TextInput[ContinueModal] = discord.ui.TextInput(
            label=text.prompt_label(locale),
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            placeholder=text.continue_prompt_placeholder(locale),
            max_length=limits.PROMPT_MAX_CHARS,
            required=True,
        )
        self.add_item(self.prompt)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        request = self._flow.service.continued(self._record, self._video_url, self.prompt.value)
        await self._flow.start(interaction, request, redo=Redo(self._record, Derivation.CONTINUE))
