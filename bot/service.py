"""Submitting a generation: the part of the command that is neither Discord nor HTTP.

It builds and prices the request, submits it, and writes the task to the store before anyone
is told its ID. The Discord layer calls it and shows what it returns.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.api.client import BailianClient
from bot.config import Config
from bot.generation.pricing import CostEstimate, estimate_cost
from bot.generation.request import CommandInput, Defaults, GenerationRequest, build_request
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

    def prepare(self, command: CommandInput) -> GenerationRequest:
        """Validate the options (raises InputError) and fix a seed so a result can be redone."""
        request = build_request(command, self._defaults)
        return self.with_seed(request)

    def with_seed(self, request: GenerationRequest) -> GenerationRequest:
        return request if request.seed is not None else request.with_random_seed(self._rng)

    def reroll(self, request: GenerationRequest) -> GenerationRequest:
        return request.with_random_seed(self._rng)

    def estimate(self, request: GenerationRequest) -> CostEstimate | None:
        return estimate_cost(request, self._config.prices, self._config.currency)

    async def submit(
        self, request: GenerationRequest, requester: Requester, *, parent_task_id: str | None = None
    ) -> TaskRecord:
        """Submit and store. Raises the API client's typed errors; nothing is stored then."""
        submitted = await self.api.submit(request.to_payload())
        now = self._clock()
        estimate = self.estimate(request)
        record = TaskRecord(
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
            updated_at=now,
            parent_task_id=parent_task_id,
        )
        await self.store.add(record)
        return record

    async def start_tracking(self, record: TaskRecord, status_message_id: int | None) -> TaskRecord:
        """Hand the task to the tracker once its status message exists (or could not be made:
        then the tracker posts one)."""
        if status_message_id is not None:
            await self.store.update(record.task_id, status_message_id=status_message_id)
            record = replace(record, status_message_id=status_message_id)
        self.tracker.track(record)
        return record
