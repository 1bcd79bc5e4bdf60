"""What the store keeps of a task."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.api.models import TaskStatus
from bot.generation.pricing import ActualCost, CostEstimate
from bot.generation.request import GenerationRequest
from bot.store.types import UNBILLED, Spend


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
class Origin:
    """Who asked for a task and where: the facts of the command, fixed at submission."""

    requester_id: int
    guild_id: int | None
    channel_id: int
    # The catalog locale the requester was answered in (None: the default), for later posts.
    locale: str | None = None
    # What the interaction's own answers may attach (it counts the member's Nitro); the bot's
    # channel posts are capped by `TaskRecord.upload_limit`, the server's boost-tier limit.
    interaction_upload_limit: int | None = None


class Derivation(StrEnum):
    """How a task was made from its parent."""

    REROLL = "reroll"  # the same request, a new seed
    EDIT = "edit"  # Edit & re-run: the same references, other options
    CONTINUE = "continue"  # the next shot: the parent's video is its character1


@dataclass(frozen=True)
class Lineage:
    """The task a re-roll, re-run or continuation was made from."""

    parent_task_id: str
    # Link to the parent's result message; None when it was private or not delivered.
    parent_result_url: str | None = None
    # None: recorded before 0.3, which did not keep it.
    kind: Derivation | None = None


@dataclass(frozen=True)
class TaskRecord:
    task_id: str
    origin: Origin
    request: GenerationRequest
    created_at: float
    deadline_at: float
    status: TaskStatus = TaskStatus.PENDING
    raw_status: str = "PENDING"
    phase: Phase = Phase.TRACKING
    status_message_id: int | None = None
    submit_request_id: str | None = None
    # The bot's own upload limit in the channel, as last read (a server can lose its boost).
    upload_limit: int | None = None
    # The price at submission (None: the price table had none) and, once the service reported
    # the billed seconds, what it actually cost. Words: bot.messages.
    estimate: CostEstimate | None = None
    actual: ActualCost | None = None
    api_times: dict[str, float] = field(default_factory=dict)
    video_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    result_message_id: int | None = None
    finished_at: float | None = None
    updated_at: float | None = None
    lineage: Lineage | None = None
    ending: Ending | None = None
    # Delivery retries: failed attempts so far and when the next one is due.
    delivery_attempts: int = 0
    next_delivery_at: float | None = None
    # Written just before a post is sent: after a crash in that state the channel's history
    # around this time says whether the post was made. The nonce lets Discord drop a repeat.
    delivery_attempt_at: float | None = None
    delivery_nonce: str | None = None
    # Shown only to the requester: ephemeral status, the video by DM.
    private: bool = False
    # Who asked the API to cancel the task (its requester, with Cancel), before asking.
    cancelled_by: int | None = None

    @property
    def counted(self) -> Spend | None:
        """What budgets count: the actual cost once known, else the estimate; None unpriced."""
        if self.actual is not None:
            return Spend(self.actual.billed_seconds, self.actual.amount)
        if self.estimate is not None:
            return Spend(self.estimate.billed_seconds, self.estimate.amount)
        return None

    @property
    def billed(self) -> Spend | None:
        """What the task costs once the service finished it: what budgets count, unless it
        failed or was canceled (those cost nothing)."""
        return None if self.status.value in UNBILLED else self.counted

    @property
    def is_active(self) -> bool:
        return self.phase is not Phase.DONE

    @property
    def result_url(self) -> str | None:
        """The link to the result message in its channel; None for a private task (its result
        is in a DM) or one not delivered."""
        origin = self.origin
        if self.private or self.result_message_id is None or origin.guild_id is None:
            return None
        return (
            f"https://discord.com/channels/{origin.guild_id}/{origin.channel_id}/"
            f"{self.result_message_id}"
        )

    def as_parent(self, kind: Derivation) -> Lineage:
        """What a task made from this one (a re-roll, re-run, continuation) keeps of it."""
        return Lineage(self.task_id, self.result_url, kind)
