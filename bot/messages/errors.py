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
from bot.generation.text import shorten
from bot.messages.validation import problem_list, refusal

GENERIC_APOLOGY = "Something went wrong on the bot's side. It has been logged; please try again."


def describe_submit_error(error: Exception) -> str:
    """A sentence for a failed submission. The ladder runs from specific to general:
    input, the API's refusals by kind, transport failures, then anything else."""
    if isinstance(error, InputError):
        return problem_list(error.problems)
    if isinstance(error, AuthenticationError):
        return "The bot's API key is not accepted by the video service; tell a server admin."
    if isinstance(error, InsufficientBalanceError):
        return (
            "The video service account is out of balance, so nothing was generated; "
            "tell a server admin to top it up."
        )
    if isinstance(error, ContentRejectedError):
        return (
            "The video service refused this content (moderation or suspected IP infringement). "
            "Change the prompt or use other references."
        ) + _reference(error)
    if isinstance(error, InvalidRequestError | NotFoundError):
        return f"The video service refused the request: {_api_text(error)}" + _reference(error)
    if isinstance(error, RateLimitError):
        wait = math.ceil(error.retry_after) if error.retry_after else 60
        return f"The video service is busy right now; try again in {wait} s. Nothing was charged."
    if isinstance(error, ServerError):
        # A proxy's 5xx may come after the service created the task.
        return (
            f"The video service had a server error (HTTP {error.status}) and gave no task ID. "
            "Your video **may have been submitted** anyway, and the bot cannot follow it; check "
            "with an admin before trying again, to avoid paying twice." + _reference(error)
        )
    if isinstance(error, ApiTimeoutError):
        return (
            "The video service did not answer in time. Your video **may have been submitted** "
            "anyway; the bot did not resend it, to avoid paying twice. Check with an admin "
            "before trying again." + _reference(error)
        )
    if isinstance(error, ApiConnectionError):
        return "The bot could not reach the video service; nothing was submitted. Try again soon."
    if isinstance(error, MalformedResponseError):
        return (
            "The video service answered something the bot could not read, so it cannot tell "
            "whether your video was started. Check with an admin before trying again."
            + _reference(error)
        )
    if isinstance(error, ApiError):
        return "The video service call failed; please try again." + _reference(error)
    return GENERIC_APOLOGY


def describe_query_error(error: ApiError) -> str:
    """A sentence for a failed status query: nothing was submitted, so nothing can have been
    paid for; only the answer is missing."""
    if isinstance(error, AuthenticationError):
        return "The bot's API key is not accepted by the video service; tell a server admin."
    if isinstance(error, NotFoundError):
        return "The video service knows no task with that ID (task IDs expire after 24 h)."
    if isinstance(error, RateLimitError):
        wait = math.ceil(error.retry_after) if error.retry_after else 60
        return f"The video service is busy right now; ask again in {wait} s."
    if isinstance(error, ServerError | ApiTimeoutError | ApiConnectionError):
        return (
            "The video service could not be asked right now; the task itself is not affected. "
            "Try again in a minute." + _reference(error)
        )
    return "The video service's answer could not be read; try again later." + _reference(error)


def describe_task_failure(code: str | None, message: str | None) -> str:
    """Plain words for a task that ended FAILED, with what to change."""
    text = f"{code or 'Failed'}: {shorten(message or 'no reason given', 300)}"
    family = (code or "").split(".")[0]
    lowered = (message or "").lower()
    if "download" in lowered or family == "InvalidURL":
        advice = (
            "Alibaba's servers could not download one of the references. Use public links "
            "or attach the files again (Discord's attachment links expire)."
        )
    elif family in ("DataInspectionFailed", "IPInfringementSuspect") or "inspection" in lowered:
        advice = "The content was refused by moderation; change the prompt or the references."
    elif family in ("InvalidImage", "InvalidVideo") or "format" in lowered:
        advice = (
            "A reference file was not accepted: use JPEG/PNG/BMP/WEBP images (PNG without "
            "transparency) and MP4/MOV clips of 1–30 s."
        )
    elif family == "InvalidParameter":
        advice = "A setting was not accepted; check size, duration and references."
    elif family == "Arrearage":
        advice = "The service account is out of balance; tell a server admin."
    else:
        advice = "Nothing was charged for a failed task; you can try again."
    return f"{advice}\n> {text}"


def _api_text(error: ApiError) -> str:
    return shorten(error.message, 400)


def _reference(error: ApiError) -> str:
    return f" (request ID `{error.request_id}`)" if error.request_id else ""


def describe_invalid(error: InputError) -> str:
    """A refusal of options that break the documented rules, within one message."""
    return refusal(error.problems)
