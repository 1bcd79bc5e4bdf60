"""A generation from command to tracked task: the part that is neither Discord nor HTTP.

A command runs under its server's settings, read once (`settings`: limits and defaults, so a
change made with `/r2v-admin set` applies from the next command). `prepare` turns what was asked
into a validated request (with the server's defaults and, for `cast:`, the chosen members with
fresh links). Then the flow makes two calls. `quote` prices the request once and says whether
the team's limits refuse it now and whether the price must be confirmed; `submit` checks the
limits again at the moment of paying, holds a place in the ledger (written to the store before
anything is paid: the submission's intent, which a later start reports if the task is never
stored), submits, writes the task to the store before anyone is told its ID, has the caller
announce it and hands it to the tracker. Each returns a value that the flow renders; nothing
here raises for control flow. Requests to redo a task come from here too (`rerolled`, `edited`,
`continued`). Questions about tasks already submitted are `bot.queries`'; budgets and spend are
`bot.quota.accounts`'.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot.api.client import BailianClient
from bot.api.errors import ApiError, ApiTimeoutError, MalformedResponseError, ServerError
from bot.cast.service import CastLost, CastPick, CastService, CastUnavailable
from bot.generation.cast import cast_id_of
from bot.generation.pricing import CostEstimate, PriceTable, estimate_cost
from bot.generation.request import (
    CastInput,
    CommandInput,
    Defaults,
    GenerationRequest,
    InputError,
    build_request,
)
from bot.observe.failure_log import FailureLog
from bot.observe.metrics import Metrics
from bot.policy import LimitSettings, Refusal, check_access, check_limits, day_start
from bot.policy import needs_confirmation as price_needs_confirmation
from bot.quota.ledger import Ledger, Reservation
from bot.requester import Requester
from bot.store.protocol import TaskStore
from bot.store.records import Derivation, Lineage, TaskRecord
from bot.store.types import PROMPT_START_CHARS, Intent, Spend
from bot.team.values import TeamSettings
from bot.tracking.tracker import Tracker

log = logging.getLogger(__name__)


def uses_cast(command: CommandInput) -> bool:
    """Whether a command chooses cast members (`cast:`) or redoes a task that had some."""
    chosen = command.cast is not None and command.cast.strip()
    return bool(chosen) or any(cast_id_of(ref.source) is not None for ref in command.carried)


# Submit failures after which a task may nevertheless exist (and be billed).
MAYBE_SUBMITTED = (ApiTimeoutError, ServerError, MalformedResponseError)


@dataclass(frozen=True)
class Invalid:
    """The options break the documented rules; nothing can be submitted as they are."""

    error: InputError


# What `prepare` makes of a command: a request to quote, or why there is none.
Prepared = GenerationRequest | Invalid | CastLost | CastUnavailable
# What a member asks for: options to validate, or a request already whole (a re-roll).
Asked = CommandInput | GenerationRequest


@dataclass(frozen=True)
class Redo:
    """A task made from another (Re-roll, Edit & re-run, Continue), and how."""

    parent: TaskRecord
    how: Derivation


@dataclass(frozen=True)
class Quote:
    """A validated request, priced once, with what the limits say about it right now."""

    request: GenerationRequest
    estimate: CostEstimate | None
    # The server's limits as the command read them; `submit` pays under the same.
    limits: LimitSettings
    # Known before asking for confirmation; otherwise `submit` finds it.
    refusal: Refusal | None
    # Seconds the member has to confirm the price; None when no confirmation is needed.
    confirm_timeout_s: float | None
    lineage: Lineage | None = None
    private: bool = False

    @property
    def spend(self) -> Spend:
        if self.estimate is None:
            return Spend()
        return Spend(self.estimate.billed_seconds, self.estimate.amount)


@dataclass(frozen=True)
class Submitted:
    record: TaskRecord


@dataclass(frozen=True)
class OverLimit:
    """The team's limits refuse the submission now."""

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
class Stopping:
    """The bot is shutting down: nothing was submitted."""


@dataclass(frozen=True)
class StoreUnavailable:
    """The store could not hold the submission's place before paying (it does not answer, or
    its file was deleted or replaced): nothing was submitted."""


Outcome = Submitted | OverLimit | ApiFailed | Unrecorded | Stopping | StoreUnavailable


# Posts the status message of a freshly stored task; returns its message id, if one was made.
Announce = Callable[[TaskRecord], Awaitable[int | None]]


class GenerationService:
    def __init__(
        self,
        api: BailianClient,
        store: TaskStore,
        tracker: Tracker,
        *,
        settings_for: Callable[[int | None], Awaitable[TeamSettings]],
        prices: PriceTable,
        currency: str,
        deadline_s: float,
        cast: CastService | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        """`settings_for(guild_id)`: a server's effective settings, read from the store
        (`bot.team.service.TeamSettingsService.for_guild`). `cast`: the servers' casts, for
        `cast:`; without it the option is not offered."""
        self._api = api
        self._metrics = metrics or Metrics(currency=currency)
        self._store = store
        self._tracker = tracker
        self._settings_for = settings_for
        self._cast = cast
        self._prices = prices
        self._currency = currency
        self._deadline_s = deadline_s
        self._clock = clock
        self._rng = rng or random.Random()
        self._ledger = Ledger(store, clock=clock)
        self._stopping = False
        # Submissions from their hold to their task followed (announced and tracked): a stop
        # waits for them, so none is cut off between paying and being followed.
        self._paying = 0
        # While the store is down, every command fails on it alike: counted, not each logged.
        self._settings_failures = FailureLog(log, "reading a server's settings from the store")
        self._reserve_failures = FailureLog(log, "holding a submission's place in the store")
        self._store_failures = FailureLog(log, "recording a submission's status message")

    # -- building requests ---------------------------------------------------------------

    async def settings(self, guild_id: int | None) -> TeamSettings | StoreUnavailable:
        """The settings a command of this server runs under: one store read per command;
        StoreUnavailable while the store does not answer (nothing can be submitted then)."""
        try:
            settings = await self._settings_for(guild_id)
        except Exception as error:
            self._settings_failures.failed(error, about=f"guild {guild_id}")
            return StoreUnavailable()
        self._settings_failures.succeeded()
        return settings

    async def prepare(self, asked: Asked, who: Requester, defaults: Defaults) -> Prepared:
        """What was asked as a request to quote: options validated with the server's
        `defaults` (and, for `cast:`, the chosen members first, with fresh links; the cast is
        read only for a command that uses it); a request already whole as it is."""
        if isinstance(asked, GenerationRequest):
            return asked
        if self._cast is None or who.guild_id is None or not uses_cast(asked):
            return self.request_from(asked, defaults)
        return await self._with_cast(asked, who, defaults)

    def request_from(
        self, command: CommandInput, defaults: Defaults, cast: CastInput | None = None
    ) -> GenerationRequest | Invalid:
        """Validate the options and fix a seed so a result can be redone."""
        try:
            request = build_request(command, defaults, cast)
        except InputError as error:
            return Invalid(error)
        return request if request.seed is not None else request.with_random_seed(self._rng)

    async def _with_cast(
        self, command: CommandInput, who: Requester, defaults: Defaults
    ) -> Prepared:
        """The server's cast in a request: the members `cast:` chooses put first and the prompt
        that calls them (or cast members a redone task carries) by name rewritten; a cast name
        it uses unchosen is a notice, with or without `cast:`. Everything is checked before any
        link is asked of Discord."""
        assert self._cast is not None and who.guild_id is not None
        pick: CastPick = await self._cast.pick(
            who.guild_id,
            command.cast,
            prompt=command.prompt,
            negative_prompt=command.negative_prompt,
            carried=command.carried,
        )
        request = self.request_from(command, defaults, pick.cast)
        if isinstance(request, Invalid) or not pick.members:
            return request
        links = await self._cast.links(pick, who.origin.channel_id, who.origin.locale)
        if isinstance(links, CastLost | CastUnavailable):
            return links
        return request.with_cast_links(links)

    def rerolled(self, record: TaskRecord) -> GenerationRequest:
        return record.request.with_random_seed(self._rng)

    def edited(self, record: TaskRecord, changes: CommandInput) -> CommandInput:
        """Edit & re-run: the task's references with every other option as `changes` says; an
        empty seed gets a new random one (validated by `prepare`)."""
        return record.request.edited(changes)

    def continued(self, record: TaskRecord, video_url: str, prompt: str) -> CommandInput:
        """The next shot of a story: the delivered video as character1, then the task's
        references, with a new prompt and seed (validated by `prepare`)."""
        return record.request.continued_from(video_url, prompt)

    # -- the generation flow ---------------------------------------------------------------

    async def quote(
        self,
        request: GenerationRequest,
        who: Requester,
        limits: LimitSettings,
        *,
        parent: Lineage | None = None,
        private: bool = False,
    ) -> Quote:
        """Price the request under the server's `limits`; when the price must be confirmed,
        ask the limits now, so nobody is asked to confirm what would be refused. `submit` asks
        them in any case when it pays (a confirmation may wait for minutes), so without a
        confirmation they are asked once."""
        estimate = estimate_cost(request, self._prices, self._currency)
        confirm = price_needs_confirmation(limits, estimate)
        refusal = await self._refusal(who, limits, estimate) if confirm else None
        return Quote(
            request=request,
            estimate=estimate,
            limits=limits,
            refusal=refusal,
            confirm_timeout_s=limits.confirm_timeout_s if confirm else None,
            lineage=parent,
            private=private,
        )

    async def submit(self, quote: Quote, who: Requester, announce: Announce) -> Outcome:
        """Pay for the quoted request: limits, submit, store, announce, track."""
        if self._stopping:
            return Stopping()
        try:
            held = await self._ledger.reserve(
                who.user_id,
                who.guild_id,
                quote.spend,
                lambda: self._refusal(who, quote.limits, quote.estimate),
                hold_for_s=self._deadline_s,
                intent=_intent(quote, who),
                owner=self._tracker.owner,
            )
        except Exception as error:
            # The store cannot even hold the place: it could not record the task either.
            self._reserve_failures.failed(error, about=f"user {who.user_id}")
            return StoreUnavailable()
        if isinstance(held, Refusal):
            return OverLimit(held)
        self._paying += 1
        try:
            return await self._submit_reserved(quote, who, held, announce)
        finally:
            self._paying -= 1
            await self._ledger.release(held)  # a no-op once the task is stored or the hold kept

    async def _submit_reserved(
        self, quote: Quote, who: Requester, reservation: Reservation, announce: Announce
    ) -> Outcome:
        # Checked again after the last wait before paying: a stop may have begun meanwhile.
        if self._stopping:
            return Stopping()
        try:
            submitted = await self._api.submit(quote.request.to_payload())
        except MAYBE_SUBMITTED as error:
            # The task may exist and be billed; the member reads so in the answer.
            await self._ledger.told(reservation)
            return ApiFailed(error)
        except ApiError as error:
            return ApiFailed(error)
        except BaseException:
            self._ledger.hold(reservation)  # cancelled after sending
            raise
        now = self._clock()
        self._metrics.submitted()
        record = TaskRecord(
            task_id=submitted.task_id,
            origin=who.origin,
            request=quote.request,
            created_at=now,
            deadline_at=now + self._deadline_s,
            status=submitted.status,
            raw_status=submitted.status.value,
            submit_request_id=submitted.request_id,
            upload_limit=who.upload_limit,
            estimate=quote.estimate,
            updated_at=now,
            lineage=quote.lineage,
            private=quote.private,
        )
        try:
            # The task replaces its hold in one write; this process owns and tracks it.
            await self._store.add(record, owner=self._tracker.owner, reservation=reservation.id)
        except Exception as error:
            log.error(
                "task %s was submitted but could not be stored: %s",
                submitted.task_id,
                type(error).__name__,
            )
            # The member gets the task id in the answer; should the store not take even that
            # note, the next start tells them what it knows.
            await self._ledger.told(reservation, task_id=submitted.task_id)
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
        except Exception as error:
            self._store_failures.failed(error, about=f"task {record.task_id}")
        finally:
            # Whatever happened above: a stored task must be followed, or it is lost (the
            # tracker posts a status message of its own when none was recorded).
            self._tracker.track(record)
        return record

    async def _refusal(
        self, who: Requester, limits: LimitSettings, estimate: CostEstimate | None
    ) -> Refusal | None:
        """What the limits say, from the store's usage and the submissions on their way."""
        refusal = check_access(limits, who.channel_ids, who.role_ids)
        if refusal is not None:
            return refusal
        now = self._clock()
        usage = await self._store.usage(who.user_id, who.guild_id, day_start(now))
        usage = await self._ledger.add_pending(usage, who.user_id, who.guild_id)
        return check_limits(limits, usage, estimate, now)

    # -- stopping --------------------------------------------------------------------------

    def stop_accepting(self) -> None:
        """From now on every submission answers `Stopping` before anything is paid."""
        self._stopping = True

    async def drain(self, grace_s: float) -> None:
        """Wait (up to `grace_s`) until every submission that reached its hold is recorded,
        announced and followed (or refused): the store must not close under one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._paying:
            if loop.time() >= deadline:
                log.error(
                    "stopping with %d submission(s) not yet recorded and followed "
                    "(%d not yet recorded)",
                    self._paying,
                    self._ledger.on_the_way,
                )
                return
            await asyncio.sleep(0.05)


def _intent(quote: Quote, who: Requester) -> Intent:
    """What a later start needs to tell the member, should this submission go unrecorded."""
    return Intent(
        channel_id=who.origin.channel_id,
        locale=who.origin.locale,
        private=quote.private,
        model=quote.request.model,
        duration=quote.request.duration,
        prompt_start=quote.request.prompt[:PROMPT_START_CHARS],
    )
