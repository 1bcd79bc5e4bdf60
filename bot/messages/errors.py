"""Sentences for failed API calls (a submission, a query) and for tasks that ended FAILED.

Pure: no discord import, no I/O. Sentences say what happened and what to change; they never
carry secrets, tracebacks or raw exception text.
"""

from __future__ import annotations

import math

from bot.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    ContentRejectedError,
    InsufficientBalanceError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from bot.generation.request import InputError
from bot.generation.text import one_line, plain, shorten
from bot.messages.catalog import text
from bot.messages.validation import problem_list, refusal


def generic_apology(locale: str | None) -> str:
    return text(locale, "generic-apology")


def describe_submit_error(locale: str | None, error: Exception) -> str:
    """A sentence for a failed submission. The ladder runs from specific to general:
    input, the API's refusals by kind, transport failures, then anything else."""
    if isinstance(error, InputError):
        return problem_list(locale, error.problems)
    if isinstance(error, AuthenticationError):
        return text(locale, "submit-auth")
    if isinstance(error, InsufficientBalanceError):
        return text(locale, "submit-no-balance")
    if isinstance(error, ContentRejectedError):
        return text(locale, "submit-content-rejected") + _reference(locale, error)
    if isinstance(error, InvalidRequestError | NotFoundError):
        return text(locale, "submit-invalid", api_text=_api_text(error)) + _reference(locale, error)
    if isinstance(error, RateLimitError):
        return text(locale, "submit-rate-limited", wait=_wait(error))
    if isinstance(error, ServerError):
        # A proxy's 5xx may come after the service created the task.
        return text(locale, "submit-server-error", status=error.status) + _reference(locale, error)
    if isinstance(error, ApiTimeoutError):
        return text(locale, "submit-timeout") + _reference(locale, error)
    if isinstance(error, ApiConnectionError):
        return text(locale, "submit-unreachable")
    if isinstance(error, MalformedResponseError):
        return text(locale, "submit-malformed") + _reference(locale, error)
    if isinstance(error, ApiError):
        return text(locale, "submit-failed") + _reference(locale, error)
    return generic_apology(locale)


def describe_query_error(locale: str | None, error: ApiError) -> str:
    """A sentence for a failed status query: nothing was submitted, so nothing can have been
    paid for; only the answer is missing."""
    if isinstance(error, AuthenticationError):
        return text(locale, "query-auth")
    if isinstance(error, NotFoundError):
        return text(locale, "query-not-found")
    if isinstance(error, RateLimitError):
        return text(locale, "query-rate-limited", wait=_wait(error))
    if isinstance(error, ServerError | ApiTimeoutError | ApiConnectionError):
        return text(locale, "query-unavailable") + _reference(locale, error)
    return text(locale, "query-unreadable") + _reference(locale, error)


def describe_task_failure(locale: str | None, code: str | None, message: str | None) -> str:
    """Plain words for a task that ended FAILED, with what to change."""
    # The service's own words, shown as written: its message may echo the prompt's markdown.
    summary = text(
        locale,
        "failure-summary",
        code=plain(shorten(one_line(code), 80)) if code else text(locale, "failure-default-code"),
        message=(
            plain(shorten(one_line(message), 300)) if message else text(locale, "failure-no-reason")
        ),
    )
    family = (code or "").split(".")[0]
    lowered = (message or "").lower()
    if "download" in lowered or family == "InvalidURL":
        advice = "failure-download"
    elif family in ("DataInspectionFailed", "IPInfringementSuspect") or "inspection" in lowered:
        advice = "failure-moderation"
    elif family in ("InvalidImage", "InvalidVideo") or "format" in lowered:
        advice = "failure-format"
    elif family == "InvalidParameter":
        advice = "failure-parameter"
    elif family == "Arrearage":
        advice = "failure-arrearage"
    else:
        advice = "failure-other"
    return f"{text(locale, advice)}\n> {summary}"


def _wait(error: RateLimitError) -> int:
    return math.ceil(error.retry_after) if error.retry_after else 60


def _api_text(error: ApiError) -> str:
    return plain(shorten(one_line(error.message), 400))


def _reference(locale: str | None, error: ApiError) -> str:
    if not error.request_id:
        return ""
    return text(locale, "request-reference", request_id=error.request_id)


def describe_invalid(locale: str | None, error: InputError) -> str:
    """A refusal of options that break the documented rules, within one message."""
    return refusal(locale, error.problems)
