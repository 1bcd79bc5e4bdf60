"""Backoff and the server's Retry-After as pure functions, so both are tested with tables."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Final

# The longest wait a Retry-After is taken to ask for. A longer hint (`1e308`, a date next year)
# is data from the network, not a plan: it is read as "a long while" and shown as this.
RETRY_AFTER_MAX_S: Final = 3600.0
# delay-seconds (RFC 9110 10.2.3) as digits, also with a fraction or an exponent, ASCII only.
# An exponent of more than 18 digits is beyond what Decimal can hold: no number, no hint.
_SECONDS: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,18})?", re.ASCII)


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


def parse_retry_after(header: str | None, *, now: float) -> float | None:
    """The wait a Retry-After header asks for, in seconds from `now` (a unix time), between 0
    and `RETRY_AFTER_MAX_S`; None when there is no header or it is neither a number of seconds
    nor an HTTP date (then the caller's own backoff applies).

    Whatever the server sends is data: a huge number (`1e308`) or a date far off is capped, a
    date already past is 0, a fraction is kept, and a negative number, `inf`, `nan`, digits of
    other scripts or any other text are no hint at all."""
    if not header:
        return None
    value = header.strip()
    if _SECONDS.fullmatch(value):
        # Decimal: `1e999` is a number too large for a float, not an error.
        return float(min(Decimal(value), Decimal(RETRY_AFTER_MAX_S)))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, as HTTP dates are
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, when.timestamp() - now), RETRY_AFTER_MAX_S)
