"""The generation flow in Discord: one object that `/r2v generate`, the task buttons and the
"Use as r2v reference" menu share, so none of them imports another.

It shows what the service decides. The interaction is deferred privately at once, while the
server's settings are read (one store read per command: limits, defaults, private default, as
`/r2v-admin set` left them). A refusal of the options, a refusal by the team's limits, the price
question and every failure stay between the bot and the member; only a submitted task is
announced in the channel. A task redone later (Re-roll, Edit, Continue) gets fresh links for its
files first: Discord's attachment links expire, and the cast's are signed anew at every use.
"""

from __future__ import annotations

import logging
from typing import Any, assert_never

import discord

from bot.cast.service import CastLost, CastRemoved, CastService, CastUnavailable
from bot.generation.request import Defaults, GenerationRequest
from bot.messages import cast as cast_text
from bot.messages import features as features_text
from bot.messages import tasks as task_text
from bot.messages.errors import (
    describe_invalid,
    describe_query_error,
    describe_submit_error,
    generic_apology,
)
from bot.messages.limits import confirm_question, describe_estimate, nothing_submitted
from bot.messages.unrecorded import store_unavailable
from bot.policy import Moderators
from bot.queries import CancelFailed, Cancelled, CannotCancel, TaskQueries, TooLateToCancel
from bot.requester import Requester
from bot.service import (
    ApiFailed,
    Asked,
    GenerationService,
    Invalid,
    Outcome,
    OverLimit,
    Quote,
    Redo,
    Stopping,
    StoreUnavailable,
    Submitted,
    Unrecorded,
)
from bot.store.records import TaskRecord
from bot.stories import Stories
from bot.ui.attachments import AttachmentRefresher, DiscordUnavailable, LinksMissing, LinksRefused
from bot.ui.confirm import ConfirmView
from bot.ui.embeds import task_preview
from bot.ui.interactions import (
    locale_of,
    missing_channel_permissions,
    requester_of,
    requester_redoing,
)
from bot.ui.private import PrivateReplies
from bot.ui.replies import NO_PINGS, reply
from bot.ui.views import status_message

log = logging.getLogger(__name__)


class GenerationFlow:
    def __init__(
        self,
        service: GenerationService,
        queries: TaskQueries,
        renewer: AttachmentRefresher,
        private: PrivateReplies | None = None,
        *,
        cast: CastService | None = None,
        stories: Stories | None = None,
        moderators: Moderators | None = None,
    ) -> None:
        self.service = service
        self.queries = queries
        self._renewer = renewer
        self.private = private or PrivateReplies()
        self.cast = cast
        # Export story and /r2v story (bot/ui/views.py), which reach the bot's services here.
        self.stories = stories
        # Who may delete others' results (the Delete button).
        self.moderators = moderators or Moderators()

    async def start(
        self,
        interaction: discord.Interaction,
        asked: Asked,
        *,
        redo: Redo | None = None,
        private: bool | None = None,
    ) -> None:
        """From what was asked (options, or a whole request) to a submitted task, or a private
        answer saying why not. A task redone (`redo`) has its files' links renewed first.
        Privacy: as asked, else as the parent task was, else the server's default."""
        locale = locale_of(interaction)
        # In a DM (a private result's buttons) the result goes by DM: no channel to check.
        missing = missing_channel_permissions(interaction) if interaction.guild_id else []
        if missing:
            await reply(interaction, task_text.cannot_post_here(locale, missing))
            return
        if redo is not None:
            who = requester_redoing(interaction, redo.parent.origin)
        else:
            who = requester_of(interaction)
        # Acknowledged first, then the settings read: read beside the defer, a burst's reads
        # held up the acks of the commands after them, and the command gained nothing.
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.service.settings(who.guild_id)
        if isinstance(settings, StoreUnavailable):
            await _edit_original(interaction, content=store_unavailable(locale))
            return
        request = await self._request(interaction, asked, who, settings.defaults)
        if request is not None and redo is not None:
            request = await self._renewed(interaction, request, who)
        if request is None:
            return
        if private is None:
            private = redo.parent.private if redo is not None else settings.private_default
        quote = await self.service.quote(
            request,
            who,
            settings.limits,
            parent=redo.parent.as_parent(redo.how) if redo is not None else None,
            private=private,
        )
        if quote.refusal is not None:
            await _edit_original(interaction, content=nothing_submitted(locale, quote.refusal))
            return
        if quote.confirm_timeout_s is None:
            await self.submit(interaction, quote, who)
            return
        view = ConfirmView(
            lambda click: self.submit(click, quote, who),
            timeout=quote.confirm_timeout_s,
            locale=locale,
        )
        price = describe_estimate(locale, quote.estimate) if quote.estimate else None
        view.message = await _edit_original(
            interaction,
            content=confirm_question(locale, price),
            embed=task_preview(locale, quote.request),
            view=view,
        )

    async def _request(
        self, interaction: discord.Interaction, asked: Asked, who: Requester, defaults: Defaults
    ) -> GenerationRequest | None:
        """The request to quote, or None once the member was told why there is none."""
        locale = locale_of(interaction)
        prepared = await self.service.prepare(asked, who, defaults)
        match prepared:
            case GenerationRequest():
                return prepared
            case Invalid(error):
                text = describe_invalid(locale, error)
            case CastLost(name):
                text = cast_text.member_lost(locale, name)
            case CastUnavailable(name, trouble):
                text = cast_text.member_unavailable(locale, name, trouble)
            case _:
                assert_never(prepared)
        await _edit_original(interaction, content=text)
        return None

    async def _renewed(
        self, interaction: discord.Interaction, request: GenerationRequest, who: Requester
    ) -> GenerationRequest | None:
        """A stored request's files with fresh links (the member's attachments, then the cast's,
        whose copies may be uploaded again), or None once the member was told what failed."""
        locale = locale_of(interaction)
        renewed = await self._renewer.renew(request)
        match renewed:
            case GenerationRequest():
                with_cast = await self._cast_renewed(renewed, who, locale)
                if isinstance(with_cast, GenerationRequest):
                    return with_cast
                text = with_cast
            case LinksRefused(status):
                text = task_text.links_refused(locale, status)
            case DiscordUnavailable():
                text = task_text.links_unavailable(locale)
            case LinksMissing(names):
                text = task_text.links_missing(locale, names)
            case _:
                assert_never(renewed)
        await _edit_original(interaction, content=text)
        return None

    async def _cast_renewed(
        self, request: GenerationRequest, who: Requester, locale: str | None
    ) -> GenerationRequest | str:
        """The request with fresh links of its cast members, or why there are none."""
        if self.cast is None:
            return request
        renewed = await self.cast.renew(request, who.origin.channel_id, locale)
        match renewed:
            case GenerationRequest():
                return renewed
            case CastRemoved():
                return cast_text.member_removed(locale)
            case CastLost(name):
                return cast_text.member_lost(locale, name)
            case CastUnavailable(name, trouble):
                return cast_text.member_unavailable(locale, name, trouble)
            case _:
                assert_never(renewed)

    async def submit(self, interaction: discord.Interaction, quote: Quote, who: Requester) -> None:
        """Submit a quote for an interaction already answered privately (deferred, or a
        confirmation click) by `who`, as the quote was made, and show the outcome."""

        async def announce(record: TaskRecord) -> int | None:
            return await self._announce(interaction, record)

        outcome = await self.service.submit(quote, who, announce)
        await self._show(interaction, outcome)

    async def _announce(self, interaction: discord.Interaction, record: TaskRecord) -> int | None:
        """Tell the member privately, then post the status message in the channel. The private
        answer is completed first: a follow-up sent while it is still loading would replace it.
        A private task is shown in that private answer only, and nothing is posted."""
        locale = record.origin.locale
        if record.private:
            self.private.remember(record.task_id, interaction)
            embed, view = self._status_message(record)
            await _edit_original(
                interaction,
                content=features_text.submitted_privately(locale, record.task_id),
                embed=embed,
                view=view,
            )
            return None
        await _edit_original(
            interaction, content=task_text.submitted(locale, record), embed=None, view=None
        )
        # Built after the member has the task ID: nothing the answer does not need comes first.
        embed, view = self._status_message(record)
        try:
            message = await interaction.followup.send(
                embed=embed,
                view=view,
                allowed_mentions=NO_PINGS,
                wait=True,
            )
        except discord.HTTPException as error:
            log.warning("could not show task %s in its channel: %s", record.task_id, error)
            return None
        return message.id

    def _status_message(self, record: TaskRecord) -> tuple[discord.Embed, discord.ui.View]:
        return status_message(
            record.origin.locale,
            record,
            self.queries.progress(record),
            can_cancel=self.queries.can_cancel,
        )

    async def _show(self, interaction: discord.Interaction, outcome: Outcome) -> None:
        locale = locale_of(interaction)
        match outcome:
            case Submitted():
                return  # announced by the service's call to `_announce`
            case OverLimit(refusal):
                text = nothing_submitted(locale, refusal)
            case ApiFailed(error):
                log.warning(
                    "submit for user %s refused: %s (request_id=%s)",
                    interaction.user.id,
                    type(error).__name__,
                    error.request_id,
                )
                text = f"❌ {describe_submit_error(locale, error)}"
            case Unrecorded(task_id):
                text = task_text.unrecorded(locale, task_id)
            case Stopping():
                text = task_text.stopping(locale)
            case StoreUnavailable():
                text = store_unavailable(locale)
            case _:
                assert_never(outcome)
        await _edit_original(interaction, content=text, embed=None, view=None)

    async def cancel(self, interaction: discord.Interaction, record: TaskRecord) -> None:
        """The requester's Cancel click on a queued task."""
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.queries.cancel(record, interaction.user.id)
        match outcome:
            case Cancelled():
                text = features_text.cancel_requested(locale)
            case TooLateToCancel():
                text = features_text.cancel_too_late(locale)
            case CancelFailed(error):
                text = features_text.cancel_failed(locale, describe_query_error(locale, error))
            case CannotCancel():
                text = features_text.cancel_unavailable(locale)
            case _:
                assert_never(outcome)
        await reply(interaction, text)

    async def report_unexpected(self, interaction: discord.Interaction, error: Exception) -> None:
        log.error("unexpected error in interaction %s", interaction.id, exc_info=error)
        await reply(interaction, generic_apology(locale_of(interaction)))


async def _edit_original(
    interaction: discord.Interaction, **fields: Any
) -> discord.InteractionMessage | None:
    try:
        return await interaction.edit_original_response(allowed_mentions=NO_PINGS, **fields)
    except discord.HTTPException as error:
        log.warning("could not edit the answer to interaction %s: %s", interaction.id, error)
        return None
