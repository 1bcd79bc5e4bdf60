"""Submitting a generation: the part of the command that is neither Discord nor HTTP.

It builds and prices the request, submits it, and writes the task to the store before anyone
is told its ID. The Discord layer calls it and shows what it returns.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from bot.api.client import BailianClient
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
from bot.tracking.tracker import Tracker

log = logging.getLogger(__name__)


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
        self._in_flight: Counter[int] = Counter()

    def prepare(self, command: CommandInput) -> GenerationRequest:
        """Validate the options (raises InputError) and fix a seed so a result can be redone."""
        request = build_request(command, self._defaults)
        return self.with_seed(request)

    def with_seed(self, request: GenerationRequest) -> GenerationRequest:
        return request if request.seed is not None else request.with_random_seed(self._rng)

    def reroll(self, request: GenerationRequest) -> GenerationRequest:
        return request.with_random_seed(self._rng)

    @property
    def limits(self) -> LimitSettings:
        return self._config.limits

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
        """Access, concurrency, cooldown and budgets for this request, from the store's usage
        plus submissions still on their way (two quick commands must not both slip through)."""
        refusal = check_access(self._config.limits, channel_ids, role_ids)
        if refusal is not None:
            return refusal
        now = self._clock()
        usage = await self.store.usage(requester.user_id, requester.guild_id, day_start(now))
        in_flight = self._in_flight[requester.user_id]
        if in_flight:
            usage = replace(usage, active_tasks=usage.active_tasks + in_flight)
        return check_limits(self._config.limits, usage, self.estimate(request), now)

    def needs_confirmation(self, request: GenerationRequest) -> bool:
        return needs_confirmation(self._config.limits, self.estimate(request))

    def estimate(self, request: GenerationRequest) -> CostEstimate | None:
        return estimate_cost(request, self._config.prices, self._config.currency)

    async def submit(
        self, request: GenerationRequest, requester: Requester, *, parent_task_id: str | None = None
    ) -> TaskRecord:
        """Submit and store. Raises the API client's typed errors; nothing is stored then."""
        # Counted as running from before the call until the store has it.
        self._in_flight[requester.user_id] += 1
        try:
            submitted = await self.api.submit(request.to_payload())
            record = self._new_record(request, requester, submitted, parent_task_id)
            await self.store.add(record)
        finally:
            self._in_flight[requester.user_id] -= 1
        return record

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
        if status_message_id is not None:
            await self.store.update(record.task_id, status_message_id=status_message_id)
            record = replace(record, status_message_id=status_message_id)
        self.tracker.track(record)
        return record
