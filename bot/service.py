"""A generation from command to tracked task: the part that is neither Discord nor HTTP.

The cog makes two calls. `quote` prices a validated request once and says whether the team's
limits refuse it now and whether the price must be confirmed; `submit` checks the limits again
at the moment of paying, holds a place in the ledger, submits, writes the task to the store
before anyone is told its ID, has the caller announce it and hands it to the tracker. Both
return values (`Quote`, `Outcome`) that the cog renders; nothing here raises for control flow.
Requests to redo come from here too (`rerolled`, `edited`, `continued`), and the cogs' and
buttons' other questions (`status`, `history`, `quota`, `spend`, `spend_csv`, `progress`,
`cancel`, `video_again`, `untrack`) are answered here, so no cog reaches into the store, the
API or the tracker.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.api.client import BailianClient
from bot.api.errors import (
    ApiError,
    ApiTimeoutError,
    InvalidRequestError,
    MalformedResponseError,
    ServerError,
)
from bot.api.models import SubmitResult, TaskResult, TaskStatus
from bot.generation.pricing import CostEstimate, PriceTable, estimate_cost
from bot.generation.request import (
    Changes,
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
from bot.store.types import Spend, Usage, total
from bot.tracking.delivery import link_expires_at
from bot.tracking.schedule import poll_context
from bot.tracking.tracker import Tracker
from bot.video.pipeline import CannotFit, Fetched, FitOutcome, Fitted, VideoPipeline

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
    private: bool = False
    parent_result_url: str | None = None

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


@dataclass(frozen=True)
class Hidden:
    """Another member's private task: nothing of it is shown."""


StatusAnswer = Followed | Foreign | NoSuchTask | QueryFailed | Hidden


@dataclass(frozen=True)
class Progress:
    """What a status message can promise: when tasks of this kind are usually ready (once the
    bot has learnt it), and the task's place among this bot's tasks waiting for the account."""

    usually_ready_at: float | None = None
    place_in_queue: int | None = None


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


@dataclass(frozen=True)
class Cancelled:
    record: TaskRecord


@dataclass(frozen=True)
class TooLateToCancel:
    """The task is no longer queued (the service started or finished it)."""


@dataclass(frozen=True)
class CancelFailed:
    error: ApiError


@dataclass(frozen=True)
class CannotCancel:
    """No cancel route is configured."""


CancelOutcome = Cancelled | TooLateToCancel | CancelFailed | CannotCancel


CSV_COLUMNS = (
    "task_id",
    "created_utc",
    "member_id",
    "model",
    "size",
    "duration_s",
    "billed_s",
    "status",
    "estimated_cost",
    "actual_cost",
    "currency",
)


def tasks_csv(records: list[TaskRecord], currency: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        estimated = record.estimated_amount if record.actual_cost_known else record.cost_amount
        actual = record.cost_amount if record.actual_cost_known else None
        writer.writerow(
            (
                record.task_id,
                datetime.fromtimestamp(record.created_at, UTC).isoformat(timespec="seconds"),
                record.requester_id,
                record.request.model,
                record.request.size,
                record.request.duration,
                record.billed_seconds if record.billed_seconds is not None else "",
                record.raw_status,
                f"{estimated:.4f}" if estimated is not None else "",
                f"{actual:.4f}" if actual is not None else "",
                currency,
            )
        )
    return out.getvalue()


def result_url(record: TaskRecord) -> str | None:
    """The link to a task's result message in its channel; None for a private task (its result
    is in a DM) or one not delivered."""
    if record.private or record.result_message_id is None or record.guild_id is None:
        return None
    return (
        f"https://discord.com/channels/{record.guild_id}/{record.channel_id}/"
        f"{record.result_message_id}"
    )


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
        account_concurrency: int = 5,
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
        self._account_concurrency = account_concurrency
        self._clock = clock
        self._rng = rng or random.Random()
        self._ledger = Ledger(store, clock=clock)
        self._stopping = False

    @property
    def can_cancel(self) -> bool:
        return self._api.can_cancel

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

    def edited(self, record: TaskRecord, changes: Changes) -> GenerationRequest | Invalid:
        """Edit & re-run: the task's references with every other option changed; an empty seed
        gets a new random one."""
        try:
            request = record.request.with_changes(changes)
        except InputError as error:
            return Invalid(error)
        return request if request.seed is not None else request.with_random_seed(self._rng)

    def continued(
        self, record: TaskRecord, video_url: str, prompt: str
    ) -> GenerationRequest | Invalid:
        """The next shot of a story: the delivered video as character1, then the task's
        references, with a new prompt and seed."""
        try:
            request = record.request.continued_from(video_url, prompt)
        except InputError as error:
            return Invalid(error)
        return request.with_random_seed(self._rng)

    # -- the generation flow ---------------------------------------------------------------

    async def quote(
        self,
        request: GenerationRequest,
        who: Requester,
        *,
        parent: TaskRecord | None = None,
        private: bool = False,
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
            parent_task_id=parent.task_id if parent else None,
            renew_attachments=renew_attachments,
            private=private,
            parent_result_url=result_url(parent) if parent else None,
        )

    async def submit(self, quote: Quote, who: Requester, announce: Announce) -> Outcome:
        """Pay for the quoted request: limits, submit, store, announce, track."""
        if self._stopping:
            return Stopping()
        held = await self._ledger.reserve(
            who.user_id,
            who.guild_id,
            quote.spend,
            lambda: self._refusal(who, quote.estimate),
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

    async def _refusal(self, who: Requester, estimate: CostEstimate | None) -> Refusal | None:
        """What the limits say, from the store's usage and the submissions on their way."""
        limits = self._limits_for(who.guild_id)
        refusal = check_access(limits, who.channel_ids, who.role_ids)
        if refusal is not None:
            return refusal
        now = self._clock()
        usage = await self._store.usage(who.user_id, who.guild_id, day_start(now))
        usage = await self._ledger.add_pending(usage, who.user_id, who.guild_id)
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
            private=quote.private,
            parent_result_url=quote.parent_result_url,
        )

    # -- stopping --------------------------------------------------------------------------

    def stop_accepting(self) -> None:
        """From now on every submission answers `Stopping` before anything is paid."""
        self._stopping = True

    async def drain(self, grace_s: float) -> None:
        """Wait (up to `grace_s`) until no submission is between the API and the store."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._ledger.on_the_way:
            if loop.time() >= deadline:
                log.error(
                    "stopping with %d submission(s) not yet recorded", self._ledger.on_the_way
                )
                return
            await asyncio.sleep(0.05)

    # -- questions from the cogs -----------------------------------------------------------

    def progress(self, record: TaskRecord) -> Progress:
        """Progress of a task still running; nothing for one that has ended."""
        if record.finished_at is not None:
            return Progress()
        return Progress(self._usually_ready_at(record), self._place_in_queue(record))

    def _usually_ready_at(self, record: TaskRecord) -> float | None:
        """When tasks of this kind usually end, once the schedule has learnt it: for a running
        task from how long it has run, for a queued one from its submission."""
        schedule = self._tracker.schedule
        now = self._clock()
        context = poll_context(record, now)
        if context.status is TaskStatus.RUNNING and context.running_for_s is not None:
            remaining = schedule.typical_remaining(context)
            return now + remaining if remaining is not None else None
        typical = schedule.typical_total(context.key)
        if typical is None:
            return None
        return max(now, record.created_at + typical.median_s)

    def _place_in_queue(self, record: TaskRecord) -> int | None:
        """The account runs `account_concurrency` tasks of a model at once; this bot's later
        ones wait, oldest first. None when this task is not among the waiting."""
        if record.status is not TaskStatus.PENDING:
            return None
        # One pass, no sort: a status is rendered for every change of every queued task. A
        # task being announced is not followed yet: it counts as itself.
        model, place = record.request.model, (record.created_at, record.task_id)
        ahead = sum(
            1
            for other in self._tracker.tracked_records()
            if other.task_id != record.task_id
            and other.request.model == model
            and other.finished_at is None
            and (other.created_at, other.task_id) < place
        )
        if ahead < self._account_concurrency:
            return None
        return ahead - self._account_concurrency + 1

    async def task(self, task_id: str) -> TaskRecord | None:
        return await self._store.get(task_id)

    async def refresh(self, task_id: str) -> TaskRecord | None:
        """A task's record after querying it now if it is still followed."""
        return await self._tracker.refresh(task_id)

    async def status(self, task_id: str, asker_id: int | None = None) -> StatusAnswer:
        """A task's status; a private one only for its requester (`asker_id`)."""
        record = await self._store.get(task_id)
        if record is not None and record.private and asker_id != record.requester_id:
            return Hidden()
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

    async def video_again(self, record: TaskRecord, limit_bytes: int) -> Path | None:
        """A finished task's video for `/r2v show`, within `limit_bytes`: the kept file, else
        fetched again from the service's link while it lives; None when neither can be had."""
        if self._videos is None:
            return None
        kept = self._videos.keeper.has(record.task_id)
        if not kept and record.video_url and self._clock() < link_expires_at(record):
            fetched = await self._videos.fetch(record.task_id, record.video_url)
            if not isinstance(fetched, Fetched):
                return None
        fitted = await self.kept_video(record.task_id, limit_bytes)
        return fitted.path if isinstance(fitted, Fitted) else None

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
        members = await self._store.guild_spend_by_user(guild_id, day_start(now))
        week = await self._store.spend_since(now - WEEK_S, guild_id=guild_id)
        return SpendReport(total(spend for _, spend in members), week, members, self.currency)

    async def cancel(self, record: TaskRecord) -> CancelOutcome:
        """Cancel a queued task at the service. The tracker then sees it CANCELED; a canceled
        task costs nothing, so it no longer counts against any budget."""
        if not self._api.can_cancel:
            return CannotCancel()
        current = await self._tracker.refresh(record.task_id) or record
        if current.status is not TaskStatus.PENDING or not current.is_active:
            return TooLateToCancel()
        try:
            await self._api.cancel(record.task_id)
        except InvalidRequestError:
            return TooLateToCancel()
        except ApiError as error:
            return CancelFailed(error)
        log.info("task %s cancelled by its requester", record.task_id)
        return Cancelled(await self._tracker.refresh(record.task_id) or current)

    async def spend_csv(self, guild_id: int) -> str:
        """This guild's tasks of the last 7 days as CSV, for accounting: the estimate and,
        once the service reported it, the actual cost (empty while unknown)."""
        records = await self._store.guild_tasks_since(guild_id, self._clock() - WEEK_S)
        return tasks_csv(records, self.currency)

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
