"""Backoff as a pure function, so the schedule is tested with a table."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait. `max_retry_after` caps the server's hint: a longer
    wait is reported to the user rather than sat through."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 20.0
    jitter: float = 0.25


def backoff_delay(
    policy: RetryPolicy,
    attempt: int,
    retry_after: float | None = None,
    rand: float | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1 = first retry). A server's Retry-After is
    honoured as given (the caller has already checked it against `max_retry_after`); otherwise
    capped exponential backoff, spread by ± `jitter` so clients do not retry in step."""
    if retry_after is not None:
        return max(0.0, retry_after)
    exponential = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    spread = (random.random() if rand is None else rand) * 2 - 1
    return float(min(policy.max_delay, max(0.0, exponential * (1 + policy.jitter * spread))))


def parse_retry_after(header: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is not used by these APIs and is ignored."""
    if not header:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        return None
    # "inf" and "nan" parse as floats but are no delay: a wait of inf seconds cannot be shown.
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
