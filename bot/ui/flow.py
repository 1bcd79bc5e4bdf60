"""The generation flow in Discord: one object that `/r2v generate`, the task buttons and the
"Use as r2v reference" menu share, so none of them imports another.

It shows what the service decides. Validation is pure and instant, so an invalid request is
refused privately before anything is deferred. The interaction is then deferred privately: a
refusal by the team's limits, the price question and every failure stay between the bot and the
member, and only a submitted task is announced in the channel.
"""

from __future__ import annotations

import logging
from typing import Any, assert_never

import discord

from bot.generation.request import GenerationRequest
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
from bot.queries import CancelFailed, Cancelled, CannotCancel, TaskQueries, TooLateToCancel
from bot.service import (
    ApiFailed,
    GenerationService,
    Invalid,
    Outcome,
    OverLimit,
    Quote,
    Stopping,
    StoreUnavailable,
    Submitted,
    Unrecorded,
)
from bot.store.records import TaskRecord
from bot.ui.attachments import AttachmentRefresher
from bot.ui.confirm import ConfirmView
from bot.ui.embeds import task_preview
from bot.ui.interactions import locale_of, missing_channel_permissions, requester_of
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
        private_default: bool = False,
    ) -> None:
        self.service = service
        self.queries = queries
        self._renewer = renewer
        self.private = private or PrivateReplies()
        self.private_default = private_default

    async def start(
        self,
        interaction: discord.Interaction,
        request: GenerationRequest | Invalid,
        *,
        parent: TaskRecord | None = None,
        private: bool | None = None,
        renew_attachments: bool = False,
    ) -> None:
        """From validated options to a submitted task, or a private answer saying why not.
        Privacy: as asked, else as the parent task was, else the server's default."""
        locale = locale_of(interaction)
        if isinstance(request, Invalid):
            await reply(interaction, describe_invalid(locale, request.error))
            return
        missing = missing_channel_permissions(interaction)
        if missing:
            await reply(interaction, task_text.cannot_post_here(locale, missing))
            return
        # Acknowledge before anything that waits on the store, Discord or the API.
        await interaction.response.defer(ephemeral=True, thinking=True)
        if renew_attachments:
            # The files of a task redone later: Discord's signed links expire.
            renewed = await self._renewer.renew(request)
            if renewed is None:
                await _edit_original(interaction, content=task_text.links_expired(locale))
                return
            request = renewed
        if private is None:
            private = parent.private if parent is not None else self.private_default
        quote = await self.service.quote(
            request,
            requester_of(interaction),
            parent=parent.as_parent() if parent is not None else None,
            private=private,
        )
        if quote.refusal is not None:
            await _edit_original(interaction, content=nothing_submitted(locale, quote.refusal))
            return
        if quote.confirm_timeout_s is None:
            await self.submit(interaction, quote)
            return
        view = ConfirmView(
            lambda click: self.submit(click, quote),
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

    async def submit(self, interaction: discord.Interaction, quote: Quote) -> None:
        """Submit a quote for an interaction already answered privately (deferred, or a
        confirmation click), and show the outcome."""

        async def announce(record: TaskRecord) -> int | None:
            return await self._announce(interaction, record)

        outcome = await self.service.submit(quote, requester_of(interaction), announce)
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
        outcome = await self.queries.cancel(record)
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
