"""The same failure again and again (a store or API outage), logged as a few lines with counts
instead of a line or a traceback per attempt.

A `FailureLog` stands for one place that retries by itself (the lease's heartbeat, the tracker's
polls, asyncpg's pool). The first failure of a streak is logged at once, in one line naming the
error; the failures after it are counted and logged at most once per interval, with their
count and the last error; the first success after them (`succeeded`, where the place knows one)
ends the streak in one line. Each repeat is a DEBUG line. A place that sees no clear success
ends a streak by going quiet for an interval: its next failure starts a new streak, and says
how many went unlogged before.

An outage is expected trouble: its errors (`OUTAGE_ERRORS`, or the place's own) never bring a
traceback. Any other error is a bug: the first of its streak is logged with its traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Final

import asyncpg

# Errors of a store or network that is down or unreachable: nothing in the traceback would help.
OUTAGE_ERRORS: Final[tuple[type[BaseException], ...]] = (
    OSError,  # connection refused or reset, socket gone, and the like
    TimeoutError,
    sqlite3.Error,
    # e.g. CannotConnectNowError while the server shuts down, ConnectionDoesNotExistError
    asyncpg.PostgresError,
    asyncpg.InterfaceError,  # e.g. a pool that is closing, a connection released twice
    # "cannot switch to state …; another operation is in progress": a connection lost mid-query
    asyncpg.InternalClientError,
)

INTERVAL_S: Final = 60.0
# An error's own words are cut to this many characters: one line, whatever the driver says.
_MESSAGE_MAX: Final = 200


class FailureLog:
    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        interval_s: float = INTERVAL_S,
        expected: tuple[type[BaseException], ...] = OUTAGE_ERRORS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`what` names the place in the lines ("the lease's heartbeat")."""
        self._log = logger
        self._what = what
        self._interval_s = interval_s
        self._expected = expected
        self._clock = clock
        self._started_at: float | None = None  # None: no streak
        self._last_failure_at = 0.0
        self._last_line_at = 0.0
        self._total = 0  # failures in this streak
        self._unlogged = 0  # failures since the last line

    @property
    def failing(self) -> bool:
        """Whether a streak is going on (its last failure less than an interval ago)."""
        return self._started_at is not None and not self._quiet(self._clock())

    def failed(
        self, error: BaseException, *, about: str = "", level: int = logging.WARNING
    ) -> None:
        """One more failure (of `about`, such as "task abc", when the place has several);
        logs only when the streak begins or an interval has passed."""
        now = self._clock()
        cause = f"{describe(error)}{f' ({about})' if about else ''}"
        if self._started_at is None or self._quiet(now):
            self._begin(error, cause, now, level)
            return
        self._last_failure_at = now
        self._total += 1
        self._unlogged += 1
        # Every attempt is still there for whoever runs at LOG_LEVEL=DEBUG.
        self._log.debug("%s failed again: %s", self._what, cause)
        if now - self._last_line_at >= self._interval_s:
            self._log.log(
                level,
                "%s failed %d more time(s) in the last %.0f s (last: %s)",
                self._what,
                self._unlogged,
                now - self._last_line_at,
                cause,
            )
            self._last_line_at = now
            self._unlogged = 0

    def succeeded(self) -> None:
        """The place works (again): a streak going on ends in one line."""
        if self._started_at is None:
            return
        now = self._clock()
        self._log.info(
            "%s succeeded again, after %d failure(s) in %.0f s",
            self._what,
            self._total,
            now - self._started_at,
        )
        self._started_at = None
        self._unlogged = 0

    def _begin(self, error: BaseException, cause: str, now: float, level: int) -> None:
        earlier = f" ({self._unlogged} earlier failure(s) not logged)" if self._unlogged else ""
        bug = not isinstance(error, self._expected)
        self._log.log(
            level,
            "%s failed: %s%s (repeats are counted and logged every %.0f s)",
            self._what,
            cause,
            earlier,
            self._interval_s,
            exc_info=error if bug else None,
        )
        self._started_at = self._last_failure_at = self._last_line_at = now
        self._total = 1
        self._unlogged = 0

    def _quiet(self, now: float) -> bool:
        return now - self._last_failure_at >= self._interval_s


def describe(error: BaseException) -> str:
    """The error's type and first line of its words, shortened: `OSError: [Errno 111] …`."""
    words = str(error).strip().splitlines()
    first = words[0] if words else ""
    if len(first) > _MESSAGE_MAX:
        first = first[: _MESSAGE_MAX - 1] + "…"
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


class RepeatsInOneLine(logging.Filter):
    """A logger filter for a library's own retry line ("Failed to restore the pool connection
    floor; retrying", with a traceback, from asyncpg's pool): the record's error goes through a
    `FailureLog`, which logs it its own way, and the record itself is dropped."""

    def __init__(self, message: str, failures: FailureLog) -> None:
        super().__init__()
        self._message = message
        self._failures = failures

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self._message or not record.exc_info:
            return True
        error = record.exc_info[1]
        if error is not None:
            self._failures.failed(error, level=record.levelno)
        return False
