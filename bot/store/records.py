"""What the store keeps of a task."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bot.api.models import TaskStatus
from bot.generation.request import GenerationRequest


class Phase(StrEnum):
    """Where the bot is with a task, apart from the API's own status."""

    TRACKING = "tracking"  # polling the API
    DELIVERING = "delivering"  # terminal status seen, result being posted
    DONE = "done"  # final message posted; nothing left to do


class Ending(StrEnum):
    """How a task ended for its requester; None while the bot still follows it."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"  # the API answered UNKNOWN: the task id is older than 24 h
    DEADLINE = "deadline"  # the bot stopped waiting
    UNREACHABLE = "unreachable"  # the API could not be reached for a day
    UNTRACKED = "untracked"  # an admin stopped tracking it
    NO_VIDEO = "no_video"  # SUCCEEDED without a usable video_url
    BAD_VIDEO = "bad_video"  # the video was empty or not an MP4
    VIDEO_GONE = "video_gone"  # the video link could not be fetched while it lived


@dataclass(frozen=True)
class TaskRecord:
    task_id: str
    requester_id: int
    guild_id: int | None
    channel_id: int
    request: GenerationRequest
    created_at: float
    deadline_at: float
    status: TaskStatus = TaskStatus.PENDING
    raw_status: str = "PENDING"
    phase: Phase = Phase.TRACKING
    status_message_id: int | None = None
    submit_request_id: str | None = None
    upload_limit: int | None = None
    billed_seconds: int | None = None
    cost_text: str | None = None
    api_times: dict[str, float] = field(default_factory=dict)
    video_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    result_message_id: int | None = None
    finished_at: float | None = None
    updated_at: float | None = None
    parent_task_id: str | None = None
    # The amount budgets count: the estimate until the query reports the real usage, then the
    # actual cost (`estimated_amount` then keeps the estimate).
    cost_amount: Decimal | None = None
    ending: Ending | None = None
    # The catalog locale the requester was answered in (None: the default), for later posts.
    locale: str | None = None
    # What the interaction's own answers may attach (it counts the member's Nitro); the bot's
    # channel posts are capped by `upload_limit`, the server's boost-tier limit.
    interaction_upload_limit: int | None = None
    # Delivery retries: failed attempts so far and when the next one is due.
    delivery_attempts: int = 0
    next_delivery_at: float | None = None
    # Written just before a post is sent: after a crash in that state the channel's history
    # around this time says whether the post was made. The nonce lets Discord drop a repeat.
    delivery_attempt_at: float | None = None
    delivery_nonce: str | None = None
    # Shown only to the requester: ephemeral status, the video by DM.
    private: bool = False
    # Link to the result message of the task this one was made from (re-roll, edit, continue).
    parent_result_url: str | None = None
    estimated_amount: Decimal | None = None

    @property
    def actual_cost_known(self) -> bool:
        return self.estimated_amount is not None

    @property
    def is_active(self) -> bool:
        return self.phase is not Phase.DONE
