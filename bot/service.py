"""Submitting a generation: the part of the command that is neither Discord nor HTTP.

It builds and prices the request, submits it, and writes the task to the store before anyone
is told its ID. The Discord layer calls it and shows what it returns.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from bot.api.client import BailianClient
from bot.api.errors import ApiTimeoutError, MalformedResponseError, ServerError
from bot.api.models import SubmitResult
from bot.config import Config
from bot.generation.pricing import CostEstimate, estimate_cost
from bot.generation.request import CommandInput, Defaults, GenerationRequest, build_request
from bot.policy import (
    LimitSettings,
    Refusal,
    check_access,
    check_limits,
    day_start,
    needs_confirmation,
)
from bot.store.records import TaskRecord
from bot.store.sqlite import SqliteTaskStore
from bot.store.types import Spend, Usage
from bot.tracking.tracker import Tracker

log = logging.getLogger(__name__)


# Submit failures after which a task may nevertheless exist (and be billed).
MAYBE_SUBMITTED = (ApiTimeoutError, ServerError, MalformedResponseError)


class LimitExceeded(Exception):
    """A team limit refuses this submission; `refusal` says which and when it frees up."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.limit)
        self.refusal = refusal


class UnrecordedTask(Exception):
    """The API took the task but the store could not record it: the user must get the ID."""

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id)
        self.task_id = task_id


@dataclass(eq=False)
class Reservation:
    """A submission on its way: counts against the limits until the store has the task."""

    user_id: int
    guild_id: int | None
    at: float
    spend: Spend
    # Set when the submit's outcome is unknown: counted until then, whatever `release` says.
    expires_at: float | None = None


def _plus(base: Spend, extra: Iterable[Spend]) -> Spend:
    extra = list(extra)
    return Spend(
        seconds=base.seconds + sum(s.seconds for s in extra),
        amount=base.amount + sum((s.amount for s in extra), Decimal(0)),
    )


@dataclass(frozen=True)
class Requester:
    """Who asked, and where the answer goes."""

    user_id: int
    guild_id: int | None
    channel_id: int
    upload_limit: int | None = None


class GenerationService:
    def __init__(
        self,
        api: BailianClient,
        store: SqliteTaskStore,
        tracker: Tracker,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.api = api
        self.store = store
        self.tracker = tracker
        self._config = config
        self._defaults = Defaults(model=config.default_model, size=config.default_size)
        self._clock = clock
        self._rng = rng or random.Random()
        self._reservation_lock = asyncio.Lock()
        self._reservations: list[Reservation] = []

    def prepare(self, command: CommandInput) -> GenerationRequest:
        """Validate the options (raises InputError) and fix a seed so a result can be redone."""
        request = build_request(command, self._defaults)
        return self.with_seed(request)

    def with_seed(self, request: GenerationRequest) -> GenerationRequest:
        return request if request.seed is not None else request.with_random_seed(self._rng)

    def reroll(self, request: GenerationRequest) -> GenerationRequest:
        return request.with_random_seed(self._rng)

    def limits_for(self, guild_id: int | None) -> LimitSettings:
        return self._config.limits_for(guild_id)

    @property
    def currency(self) -> str:
        return self._config.currency

    async def check_policy(
        self,
        requester: Requester,
        request: GenerationRequest,
        *,
        channel_ids: Collection[int],
        role_ids: Collection[int],
    ) -> Refusal | None:
        """Would this request pass access, concurrency, cooldown and budgets right now? Used
        before asking for confirmation; `reserve` checks again when it is really submitted."""
        return await self._refusal(requester, self.estimate(request), channel_ids, role_ids)

    async def reserve(
        self,
        requester: Requester,
        request: GenerationRequest,
        *,
        channel_ids: Collection[int],
        role_ids: Collection[int],
    ) -> Reservation:
        """Check every limit and hold a place for this submission until `release`, so two
        quick commands or clicks cannot both slip under a limit. Raises LimitExceeded."""
        estimate = self.estimate(request)
        async with self._reservation_lock:
            refusal = await self._refusal(requester, estimate, channel_ids, role_ids)
            if refusal is not None:
                raise LimitExceeded(refusal)
            reservation = Reservation(
                user_id=requester.user_id,
                guild_id=requester.guild_id,
                at=self._clock(),
                spend=Spend(
                    estimate.billed_seconds if estimate else 0,
                    estimate.amount if estimate else Decimal(0),
                ),
            )
            self._reservations.append(reservation)
            return reservation

    async def _refusal(
        self,
        requester: Requester,
        estimate: CostEstimate | None,
        channel_ids: Collection[int],
        role_ids: Collection[int],
    ) -> Refusal | None:
        limits = self.limits_for(requester.guild_id)
        refusal = check_access(limits, channel_ids, role_ids)
        if refusal is not None:
            return refusal
        now = self._clock()
        usage = await self._usage_with_reservations(requester, now)
        return check_limits(limits, usage, estimate, now)

    def release(self, reservation: Reservation | None) -> None:
        """Stop counting a reservation, unless it is held because its task may exist."""
        held = reservation is not None and reservation.expires_at is not None
        if reservation is not None and not held and reservation in self._reservations:
            self._reservations.remove(reservation)

    async def _usage_with_reservations(self, requester: Requester, now: float) -> Usage:
        # `reserve` calls this under the reservation lock, which `submit` also holds while it
        # moves a task from its reservation into the store: each submission counts exactly
        # once. (`check_policy` calls it without the lock; it only advises, `reserve` decides.)
        self._reservations = [
            r for r in self._reservations if r.expires_at is None or r.expires_at > now
        ]
        pending = list(self._reservations)
        usage = await self.store.usage(requester.user_id, requester.guild_id, day_start(now))
        mine = [r for r in pending if r.user_id == requester.user_id]
        guild = [r for r in pending if r.guild_id == requester.guild_id]
        if not mine and not guild:
            return usage
        last_times = [t for t in (usage.last_submit_at, *(r.at for r in mine)) if t is not None]
        return Usage(
            active_tasks=usage.active_tasks + len(mine),
            last_submit_at=max(last_times) if last_times else None,
            user_today=_plus(usage.user_today, (r.spend for r in mine)),
            guild_today=_plus(usage.guild_today, (r.spend for r in guild)),
        )

    def needs_confirmation(self, request: GenerationRequest, guild_id: int | None) -> bool:
        return needs_confirmation(self.limits_for(guild_id), self.estimate(request))

    def estimate(self, request: GenerationRequest) -> CostEstimate | None:
        return estimate_cost(request, self._config.prices, self._config.currency)

    async def submit(
        self,
        request: GenerationRequest,
        requester: Requester,
        *,
        parent_task_id: str | None = None,
        reservation: Reservation | None = None,
    ) -> TaskRecord:
        """Submit and store, then release the reservation. Raises the API client's typed
        errors; nothing is stored then. If the store fails after a successful submit, raises
        UnrecordedTask with the task ID."""
        try:
            submitted = await self.api.submit(request.to_payload())
        except MAYBE_SUBMITTED:
            self._hold(reservation)  # the task may exist and be billed: keep counting it
            raise
        except BaseException:
            self.release(reservation)
            raise
        record = self._new_record(request, requester, submitted, parent_task_id)
        try:
            async with self._reservation_lock:
                await self.store.add(record)
                self.release(reservation)
        except BaseException as error:
            self._hold(reservation)
            log.error(
                "task %s was submitted but could not be stored: %s",
                submitted.task_id,
                type(error).__name__,
            )
            if isinstance(error, Exception):
                raise UnrecordedTask(submitted.task_id) from error
            raise
        return record

    async def drain(self, grace_s: float) -> None:
        """Wait (up to `grace_s`) until no submission is between the API and the store."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while any(r.expires_at is None for r in self._reservations):
            if loop.time() >= deadline:
                log.error(
                    "stopping with %d submission(s) not yet recorded", len(self._reservations)
                )
                return
            await asyncio.sleep(0.05)

    def _hold(self, reservation: Reservation | None) -> None:
        """Keep counting a submission whose task may exist without being in the store, until
        such a task would have ended."""
        if reservation is not None:
            reservation.expires_at = self._clock() + self._config.tracker.deadline_s

    def _new_record(
        self,
        request: GenerationRequest,
        requester: Requester,
        submitted: SubmitResult,
        parent_task_id: str | None,
    ) -> TaskRecord:
        now = self._clock()
        estimate = self.estimate(request)
        return TaskRecord(
            task_id=submitted.task_id,
            requester_id=requester.user_id,
            guild_id=requester.guild_id,
            channel_id=requester.channel_id,
            request=request,
            created_at=now,
            deadline_at=now + self._config.tracker.deadline_s,
            status=submitted.status,
            raw_status=submitted.status.value,
            submit_request_id=submitted.request_id,
            upload_limit=requester.upload_limit,
            billed_seconds=estimate.billed_seconds if estimate else None,
            cost_text=estimate.describe() if estimate else None,
            cost_amount=estimate.amount if estimate else None,
            updated_at=now,
            parent_task_id=parent_task_id,
        )

    async def start_tracking(self, record: TaskRecord, status_message_id: int | None) -> TaskRecord:
        """Hand the task to the tracker once its status message exists (or could not be made:
        then the tracker posts one)."""
        try:
            if status_message_id is not None:
                await self.store.update(record.task_id, status_message_id=status_message_id)
                record = replace(record, status_message_id=status_message_id)
        finally:
            # Even if the update failed: a stored task must be followed, or it is lost.
            self.tracker.track(record)
        return record
