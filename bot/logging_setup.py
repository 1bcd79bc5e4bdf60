"""Log format, the guarantee that secrets never reach a log line, and which of discord.py's and
asyncpg's own lines an operator sees."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.observe.failure_log import FailureLog, RepeatsInOneLine
from bot.redaction import REDACTED, Redactor

__all__ = ["REDACTED", "RedactingFormatter", "configure_logging", "tune_discord_logging"]


class RedactingFormatter(logging.Formatter):
    """Replaces every secret in the finished line, tracebacks included, whoever logged it."""

    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        self._redactor = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        return self._redactor.text(text)


class _NoVoiceNotice(logging.Filter):
    """discord.py warns at every start that voice support is missing; this bot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


# discord.py's gateway tells of a lost connection or a refused resume only at DEBUG or INFO,
# among a DEBUG line per event. These are the lines an operator needs, raised to WARNING. (A close
# it cannot recover from raises out of `start()`, and a clean stop closes with 1000: neither is
# one of these.)
_GATEWAY_PROBLEMS = (
    "Websocket closed with %s, attempting a reconnect.",
    "Timed out receiving packet. Attempting a reconnect.",
    "Shard ID %s session has been invalidated.",
)


class _GatewayProblems(logging.Filter):
    """On discord.gateway: connection problems at WARNING, the rest from `threshold` up."""

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self._threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in _GATEWAY_PROBLEMS:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return record.levelno >= self._threshold


class _ReconnectInOneLine(logging.Filter):
    """On discord.client: "Attempting a reconnect" comes with a full traceback of what is usually
    a network drop; one WARNING line naming the error says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Attempting a reconnect in %.2fs" and record.exc_info:
            error = record.exc_info[1]
            record.msg = "lost the connection to Discord (%s: %s); reconnecting in %.2fs"
            record.args = (type(error).__name__, error, *(record.args or ()))
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def tune_discord_logging(level: str) -> None:
    """discord.py's INFO lines (log-in, gateway connected/resumed) and its connection problems
    stay visible; its per-request and per-event DEBUG lines never show."""
    # Even at LOG_LEVEL=DEBUG: discord.py's DEBUG is a line per request and per event.
    threshold = max(logging.INFO, logging.getLevelName(level))
    logging.getLogger("discord").setLevel(threshold)
    gateway = logging.getLogger("discord.gateway")
    # DEBUG, so the problem lines above are created at all; the filter drops the rest.
    gateway.setLevel(logging.DEBUG)
    client = logging.getLogger("discord.client")
    for logger, wanted in (
        (gateway, _GatewayProblems(threshold)),
        (client, _ReconnectInOneLine()),
    ):
        for old in [f for f in logger.filters if type(f) is type(wanted)]:
            logger.removeFilter(old)
        logger.addFilter(wanted)


# asyncpg's pool says this, with a traceback, at every retry (1 s, doubling to 60 s) while
# PostgreSQL cannot be reached.
_POOL_RETRY = "Failed to restore the pool connection floor; retrying"


def count_library_repeats() -> None:
    """asyncpg's retry line becomes a few lines with counts (`bot.observe.failure_log`)."""
    pool = logging.getLogger("asyncpg.pool")
    for old in [f for f in pool.filters if isinstance(f, RepeatsInOneLine)]:
        pool.removeFilter(old)
    failures = FailureLog(pool, "reconnecting asyncpg's pool to PostgreSQL")
    pool.addFilter(RepeatsInOneLine(_POOL_RETRY, failures))


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    handler.addFilter(_NoVoiceNotice())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    tune_discord_logging(level)
    count_library_repeats()
