"""A generation from command to tracked task: the part that is neither Discord nor HTTP.

The cog makes two calls. `quote` prices a validated request once and says whether the team's
limits refuse it now and whether the price must be confirmed; `submit` checks the limits again
at the moment of paying, holds a place in the ledger, submits, writes the task to the store
before anyone is told its ID, has the caller announce it and hands it to the tracker. Both
return values (`Quote`, `Outcome`) that the cog renders; nothing here raises for control flow.
The cogs' other questions (`status`, `history`, `quota`, `spend`, `untrack`) are answered here
too, so no cog reaches into the store, the API or the tracker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.api.client import BailianClient
from bot.api.errors import ApiError, ApiTimeoutError, MalformedResponseError, ServerError
from bot.api.models import SubmitResult, TaskResult, TaskStatus
from bot.generation.pricing import CostEstimate, PriceTable, estimate_cost
from bot.generation.request import (
    CommandInput,
    Defaults,
    GenerationRequest,
    InputError,
    build_request,
)
from bot.messages.limits import describe_estimate
from bot.policy import LimitSettings, Refusal, check_access, check_limits, day_start
from bot.policy import needs_confirmation as price_needs_confirmation
from bot.quota.ledger import Ledger, Reservation
from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord
from bot.store.types import Spend, Usage
from bot.tracking.tracker import Tracker
from bot.video.pipeline import CannotFit, FitOutcome, VideoPipeline

log = logging.getLogger(__name__)

# Submit failures after which a task may nevertheless exist (and be billed).
MAYBE_SUBMITTED = (ApiTimeoutError, ServerError, MalformedResponseError)
WEEK_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Requester:
    """Who asked, where, with which roles, and where the answer goes."""

    user_id: int
    guild_id: int | None
    channel_id: int
    # The channel and, for a thread, its parent: allowing a channel allows its threads.
    channel_ids: tuple[int, ...] = ()
    role_ids: tuple[int, ...] = ()
    # What the bot's own posts in the channel may attach (the server's boost-tier limit), and
    # what the interaction's answers may (it counts the member's Nitro).
    upload_limit: int | None = None
    interaction_upload_limit: int | None = None
    # The catalog locale of the member's replies (None: the default), kept for later posts.
    locale: str | None = None


@dataclass(frozen=True)
class Invalid:
    """The options break the documented rules; nothing can be submitted as they are."""

    error: InputError


@dataclass(frozen=True)
class Quote:
    """A validated request, priced once, with what the limits say about it right now."""

    request: GenerationRequest
    estimate: CostEstimate | None
    # Known before asking for confirmation; otherwise `submit` finds it.
    refusal: Refusal | None
    # Seconds the member has to confirm the price; None when no confirmation is needed.
    confirm_timeout_s: float | None
    parent_task_id: str | None = None
    renew_attachments: bool = False

    @property
    def spend(self) -> Spend:
        if self.estimate is None:
            return Spend()
        return Spend(self.estimate.billed_seconds, self.estimate.amount)


@dataclass(frozen=True)
class Submitted:
    record: TaskRecord


@dataclass(frozen=True)
class Refused:
    refusal: Refusal


@dataclass(frozen=True)
class ApiFailed:
    error: ApiError

    @property
    def maybe_submitted(self) -> bool:
        return isinstance(self.error, MAYBE_SUBMITTED)


@dataclass(frozen=True)
class Unrecorded:
    """The API took the task but the store could not record it: the member must get the ID."""

    task_id: str


@dataclass(frozen=True)
class LinksExpired:
    """The attached files' links expired and Discord would not renew them."""


@dataclass(frozen=True)
class Stopping:
    """The bot is shutting down: nothing was submitted."""


Outcome = Submitted | Refused | ApiFailed | Unrecorded | LinksExpired | Stopping


# Answers of `status`.
@dataclass(frozen=True)
class Followed:
    """A task of this bot, with its record as it is now (freshly queried when still active)."""

    record: TaskRecord
    result: TaskResult | None = None


@dataclass(frozen=True)
class Foreign:
    """A task the service knows but this bot did not make."""

    result: TaskResult


@dataclass(frozen=True)
class NoSuchTask:
    task_id: str


@dataclass(frozen=True)
class QueryFailed:
    error: ApiError
    record: TaskRecord | None


StatusAnswer = Followed | Foreign | NoSuchTask | QueryFailed


@dataclass(frozen=True)
class QuotaView:
    usage: Usage
    limits: LimitSettings
    running: list[TaskRecord]
    currency: str
    now: float


@dataclass(frozen=True)
class SpendReport:
    today: Spend
    week: Spend
    by_member: list[tuple[int, Spend]]
    currency: str


@dataclass(frozen=True)
class Untracked:
    record: TaskRecord


@dataclass(frozen=True)
class AlreadyEnded:
    record: TaskRecord


@dataclass(frozen=True)
class NotInGuild:
    task_id: str


UntrackOutcome = Untracked | AlreadyEnded | NotInGuild


class AttachmentRenewer(Protocol):
    """Fresh URLs for a request's attached files (Discord's signed links expire)."""

    async def renew(self, request: GenerationRequest) -> GenerationRequest | None: ...


# Posts the status message of a freshly stored task; returns its message id, if one was made.
Announce = Callable[[TaskRecord], Awaitable[int | None]]


class GenerationService:
    def __init__(
        self,
        api: BailianClient,
        store: TaskStore,
        tracker: Tracker,
        *,
        defaults: Defaults,
        prices: PriceTable,
        currency: str,
        limits_for: Callable[[int | None], LimitSettings],
        deadline_s: float,
        renewer: AttachmentRenewer | None = None,
        videos: VideoPipeline | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._api = api
        self._store = store
        self._tracker = tracker
        self._defaults = defaults
        self._prices = prices
        self.currency = currency
        self._limits_for = limits_for
        self._deadline_s = deadline_s
        self._renewer = renewer
        self._videos = videos
        self._clock = clock
        self._rng = rng or random.Random()
        self._ledger = Ledger(store, clock=clock)
        self._stopping = False

    # -- building requests (pure, before anything is deferred) ------------------------------

    def request_from(self, command: CommandInput) -> GenerationRequest | Invalid:
        """Validate the options and fix a seed so a result can be redone."""
        try:
            request = build_request(command, self._defaults)
        except InputError as error:
            return Invalid(error)
        return request if request.seed is not None else request.with_random_seed(self._rng)

    def rerolled(self, record: TaskRecord) -> GenerationRequest:
        return record.request.with_random_seed(self._rng)

    def edited(
        self, record: TaskRecord, prompt: str, negative_prompt: str | None
    ) -> GenerationRequest | Invalid:
        try:
            return record.request.with_prompts(prompt, negative_prompt)
        except InputError as error:
            return Invalid(error)

    # -- the generation flow ---------------------------------------------------------------

    async def quote(
        self,
        request: GenerationRequest,
        who: Requester,
        *,
        parent_task_id: str | None = None,
        renew_attachments: bool = False,
    ) -> Quote:
        """Price the request; when the price must be confirmed, ask the limits now, so nobody
        is asked to confirm what would be refused. `submit` asks them in any case when it pays
        (a confirmation may wait for minutes), so without a confirmation they are asked once."""
        estimate = estimate_cost(request, self._prices, self.currency)
        limits = self._limits_for(who.guild_id)
        confirm = price_needs_confirmation(limits, estimate)
        refusal = await self._refusal(who, estimate) if confirm else None
        return Quote(
            request=request,
            estimate=estimate,
            refusal=refusal,
            confirm_timeout_s=limits.confirm_timeout_s if confirm else None,
            parent_task_id=parent_task_id,
            renew_attachments=renew_attachments,
        )

    async def submit(self, quote: Quote, who: Requester, announce: Announce) -> Outcome:
        """Pay for the quoted request: limits, submit, store, announce, track."""
        if self._stopping:
            return Stopping()
        held = await self._ledger.reserve(
            who.user_id,
            who.guild_id,
            quote.spend,
            lambda store: self._refusal(who, quote.estimate, store),
            hold_for_s=self._deadline_s,
        )
        if isinstance(held, Refusal):
            return Refused(held)
        try:
            return await self._submit_reserved(quote, who, held, announce)
        finally:
            await self._ledger.release(held)  # a no-op once the task is stored or the hold kept

    async def _submit_reserved(
        self, quote: Quote, who: Requester, reservation: Reservation, announce: Announce
    ) -> Outcome:
        request = quote.request
        if quote.renew_attachments and self._renewer is not None:
            renewed = await self._renewer.renew(request)
            if renewed is None:
                return LinksExpired()
            request = renewed
        # Checked again after the last wait before paying: a stop may have begun meanwhile.
        if self._stopping:
            return Stopping()
        try:
            submitted = await self._api.submit(request.to_payload())
        except MAYBE_SUBMITTED as error:
            self._ledger.hold(reservation)  # the task may exist and be billed
            return ApiFailed(error)
        except ApiError as error:
            return ApiFailed(error)
        except BaseException:
            self._ledger.hold(reservation)  # cancelled after sending
            raise
        record = self._new_record(request, quote, who, submitted)
        try:
            # The task replaces its hold in one write; this process owns and tracks it.
            await self._store.add(record, owner=self._tracker.owner, reservation=reservation.id)
        except Exception as error:
            self._ledger.hold(reservation)
            log.error(
                "task %s was submitted but could not be stored: %s",
                submitted.task_id,
                type(error).__name__,
            )
            return Unrecorded(submitted.task_id)
        self._ledger.stored(reservation)
        log.info(
            "task %s submitted for user %s in guild %s (request_id=%s)",
            record.task_id,
            who.user_id,
            who.guild_id,
            submitted.request_id,
        )
        return Submitted(await self._announce_and_track(record, announce))

    async def _announce_and_track(self, record: TaskRecord, announce: Announce) -> TaskRecord:
        try:
            message_id = await announce(record)
            if message_id is not None:
                record = replace(record, status_message_id=message_id)
                await self._store.save(record, owner=self._tracker.owner)
        except Exception:
            log.exception("task %s: the status message could not be recorded", record.task_id)
        finally:
            # Whatever happened above: a stored task must be followed, or it is lost (the
            # tracker posts a status message of its own when none was recorded).
            self._tracker.track(record)
        return record

    async def _refusal(
        self, who: Requester, estimate: CostEstimate | None, store: TaskStore | None = None
    ) -> Refusal | None:
        """What the limits say; `store` is what to read through (in `reserve`, the store's
        locked view)."""
        store = store or self._store
        limits = self._limits_for(who.guild_id)
        refusal = check_access(limits, who.channel_ids, who.role_ids)
        if refusal is not None:
            return refusal
        now = self._clock()
        usage = await store.usage(who.user_id, who.guild_id, day_start(now))
        usage = await self._ledger.add_pending(usage, who.user_id, who.guild_id, store)
        return check_limits(limits, usage, estimate, now)

    def _new_record(
        self, request: GenerationRequest, quote: Quote, who: Requester, submitted: SubmitResult
    ) -> TaskRecord:
        now = self._clock()
        estimate = quote.estimate
        return TaskRecord(
            task_id=submitted.task_id,
            requester_id=who.user_id,
            guild_id=who.guild_id,
            channel_id=who.channel_id,
            request=request,
            created_at=now,
            deadline_at=now + self._deadline_s,
            status=submitted.status,
            raw_status=submitted.status.value,
            submit_request_id=submitted.request_id,
            upload_limit=who.upload_limit,
            interaction_upload_limit=who.interaction_upload_limit,
            billed_seconds=estimate.billed_seconds if estimate else None,
            cost_text=describe_estimate(who.locale, estimate) if estimate else None,
            cost_amount=estimate.amount if estimate else None,
            updated_at=now,
            parent_task_id=quote.parent_task_id,
            locale=who.locale,
        )

    # -- stopping --------------------------------------------------------------------------

    def stop_accepting(self) -> None:
        """From now on every submission answers `Stopping` before anything is paid."""
        self._stopping = True

    async def drain(self, grace_s: float) -> bool:
        """Wait (up to `grace_s`) until no submission is between the API and the store; True
        when none is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._ledger.on_the_way:
            if loop.time() >= deadline:
                log.error(
                    "stopping with %d submission(s) not yet recorded", self._ledger.on_the_way
                )
                return False
            await asyncio.sleep(0.05)
        return True

    # -- questions from the cogs -----------------------------------------------------------

    async def task(self, task_id: str) -> TaskRecord | None:
        return await self._store.get(task_id)

    async def refresh(self, task_id: str) -> TaskRecord | None:
        """A task's record after querying it now if it is still followed."""
        return await self._tracker.refresh(task_id)

    async def status(self, task_id: str) -> StatusAnswer:
        record = await self._store.get(task_id)
        if record is not None and self._tracker.is_tracking(task_id):
            return Followed(await self._tracker.refresh(task_id) or record)
        try:
            result = await self._api.get_task(task_id)
        except ApiError as error:
            return QueryFailed(error, record)
        if record is not None:
            return Followed(record, result)
        if result.status is TaskStatus.UNKNOWN:
            # The service answers UNKNOWN for ids it never had as for expired ones.
            return NoSuchTask(task_id)
        return Foreign(result)

    async def kept_video(self, task_id: str, limit_bytes: int) -> FitOutcome:
        """The kept video of a finished task, fitted under `limit_bytes` (e.g. to post it again
        from `/r2v status`); CannotFit when it is not kept (any more) or cannot be made to fit."""
        if self._videos is None or not self._videos.keeper.has(task_id):
            return CannotFit("the video is not kept")
        return await self._videos.fit(task_id, limit_bytes)

    async def history(self, user_id: int, limit: int = 10) -> list[TaskRecord]:
        return await self._store.recent_for_user(user_id, limit=limit)

    async def quota(self, who: Requester) -> QuotaView:
        now = self._clock()
        usage = await self._store.usage(who.user_id, who.guild_id, day_start(now))
        running = await self._store.active_for_user(who.user_id)
        return QuotaView(usage, self._limits_for(who.guild_id), running, self.currency, now)

    async def spend(self, guild_id: int) -> SpendReport:
        now = self._clock()
        today = await self._store.spend_since(day_start(now), guild_id=guild_id)
        week = await self._store.spend_since(now - WEEK_S, guild_id=guild_id)
        members = await self._store.guild_spend_by_user(guild_id, day_start(now))
        return SpendReport(today, week, members, self.currency)

    async def untrack(self, task_id: str, guild_id: int, admin_id: int) -> UntrackOutcome:
        record = await self._store.get(task_id)
        if record is None or record.guild_id != guild_id:
            return NotInGuild(task_id)
        if not record.is_active:
            return AlreadyEnded(record)
        untracked = await self._tracker.forget(task_id)
        if untracked is None:
            return AlreadyEnded(await self._store.get(task_id) or record)
        log.info("admin %s stopped tracking task %s", admin_id, task_id)
        return Untracked(untracked)
