"""How delivering a finished task goes, as values: what one attempt came to, which Discord
refusals may pass and which will not, and when the next attempt is due. Pure: time comes in as
an argument, nothing here does I/O.

The notifier makes one attempt and answers a `DeliveryOutcome`; the tracker saves the record it
carries and, for `NotYet`, asks `next_attempt` when to try again. A result is worth money, so
trouble that can pass is retried with capped exponential backoff for as long as the video can
still be had: the API's link lives 24 h after the task ended, the kept file as long as it is
kept (`until`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.store.records import TaskRecord

# The API's video URLs and task ids live 24 h after the task ends.
LINK_LIFETIME_S: Final = 24 * 3600.0

# Discord refusals that retrying will not change: the bot cannot see the channel (50001), may
# not post or attach there (50013), or the channel is gone (10003).
LASTING_REFUSALS: Final = frozenset({(403, 50001), (403, 50013), (404, 10003)})


class Place(StrEnum):
    """Where the message holding the result was posted (worded for the log)."""

    CHANNEL = "in its channel"
    DM = "by direct message"
    FOLLOWUP = "as a private follow-up"


@dataclass(frozen=True)
class Delivered:
    """A message holding the result exists (`record.result_message_id`); `as_link` when a
    finished video could not be attached and its link was posted instead."""

    record: TaskRecord
    place: Place
    as_link: bool = False


@dataclass(frozen=True)
class Redirected:
    """Neither the channel nor a DM could take the result; the status message now says where
    it can be fetched (`/r2v status`). No message holds the result."""

    record: TaskRecord
    reason: str


@dataclass(frozen=True)
class Undeliverable:
    """Nothing can be posted anywhere (the channel is gone and the requester's DMs are
    closed): the task ends without a message."""

    record: TaskRecord
    reason: str


@dataclass(frozen=True)
class NotYet:
    """Trouble that can pass (connection errors, 5xx, 429, timeouts): try again, but not after
    `until`, when what is to be posted can no longer be had."""

    record: TaskRecord
    reason: str
    until: float


DeliveryOutcome = Delivered | Redirected | Undeliverable | NotYet


@dataclass(frozen=True)
class Passing:
    reason: str


@dataclass(frozen=True)
class Lasting:
    reason: str


Failure = Passing | Lasting


def discord_failure(status: int, code: int) -> Failure:
    """What an HTTP error from Discord means for delivery. 5xx and 429 pass; so does 413 (the
    server lost its boost since the limit was read: the next attempt reads it again). The
    other 4xx are the channel's state or a bug in the request, which a retry will not change."""
    reason = f"Discord answered {status} (code {code})"
    if (status, code) in LASTING_REFUSALS:
        return Lasting(reason)
    if status >= 500 or status in (413, 429):
        return Passing(reason)
    return Lasting(reason)


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff: `first_s` after the first failure, doubling, at most
    `max_s`."""

    first_s: float = 10.0
    max_s: float = 600.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.first_s <= 0 or self.max_s < self.first_s or self.factor < 1:
            raise ValueError("backoff needs 0 < first_s ≤ max_s and factor ≥ 1")

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` (≥ 1) failed attempts in a row."""
        exponent = max(0, failures - 1)
        # Past ~60 doublings the float overflows long after the cap has been reached.
        if exponent > 60:
            return self.max_s
        return min(self.max_s, self.first_s * self.factor**exponent)


@dataclass(frozen=True)
class RetryAt:
    at: float


@dataclass(frozen=True)
class OutOfTime:
    """The last chance (`until`) has passed: nothing more can be done."""


def next_attempt(failures: int, now: float, until: float, backoff: Backoff) -> RetryAt | OutOfTime:
    """When to try again after `failures` failed attempts. The last try lands on `until` itself,
    so the notifier sees that moment pass (and can say the video is gone) rather than the
    retries just stopping."""
    if now >= until:
        return OutOfTime()
    return RetryAt(min(now + backoff.delay(failures), until))


def link_expires_at(record: TaskRecord) -> float:
    """When the API's video URL stops working."""
    ended = record.finished_at or record.updated_at or record.created_at
    return ended + LINK_LIFETIME_S


def resume_delay(record: TaskRecord, now: float) -> float:
    """How long after a start to try a task again: a delivery waiting out its backoff keeps its
    time; everything else right away."""
    if record.next_delivery_at is None:
        return 0.0
    return max(0.0, record.next_delivery_at - now)
