"""The sentences users read when something fails: what happened and what to change."""

from __future__ import annotations

import pytest

from bot.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    MalformedResponseError,
    RateLimitError,
    error_for_response,
)
from bot.generation.request import CommandInput, Defaults, InputError, build_request
from bot.messages.catalog import ENGLISH
from bot.messages.errors import describe_submit_error, describe_task_failure, generic_apology

KEY = "sk-live-SECRET-123"


def refusal(status: int, code: str | None, message: str = "why", retry_after=None) -> ApiError:
    body = {"code": code, "message": message, "request_id": "req-9"}
    return error_for_response(status, body, retry_after)


def test_auth_error_points_to_an_admin_and_never_shows_the_key():
    error = refusal(401, "InvalidApiKey", f"Invalid API-key provided: {KEY}")

    text = describe_submit_error(ENGLISH, error)

    assert "admin" in text
    assert "API key" in text
    assert KEY not in text


def test_forbidden_is_an_admin_matter_too():
    assert "admin" in describe_submit_error(ENGLISH, refusal(403, None))


def test_arrearage_mentions_the_balance():
    text = describe_submit_error(
        ENGLISH, refusal(400, "Arrearage", "Access denied, account in arrears")
    )

    assert "balance" in text
    assert "admin" in text


@pytest.mark.parametrize("code", ["DataInspectionFailed", "IPInfringementSuspect"])
def test_moderation_asks_to_change_prompt_or_references(code):
    text = describe_submit_error(
        ENGLISH, refusal(400, code, "Input data may contain inappropriate content.")
    )

    assert "prompt" in text
    assert "references" in text
    assert "req-9" in text


def test_invalid_parameter_shows_the_apis_message():
    text = describe_submit_error(
        ENGLISH, refusal(400, "InvalidParameter", "The size is not match xxxxx")
    )

    assert "The size is not match xxxxx" in text
    assert "req-9" in text


def test_a_very_long_api_message_is_shortened():
    text = describe_submit_error(ENGLISH, refusal(400, "InvalidParameter", "x" * 5000))

    assert len(text) < 600
    assert "…" in text


def test_not_found_shows_the_apis_message():
    assert "no such route" in describe_submit_error(
        ENGLISH, refusal(404, "NotFound", "no such route")
    )


@pytest.mark.parametrize(
    ("retry_after", "wait"), [(1.0, "1 s"), (12.2, "13 s"), (60.0, "60 s"), (None, "60 s")]
)
def test_rate_limit_says_when_to_try_again(retry_after, wait):
    text = describe_submit_error(
        ENGLISH, refusal(429, "Throttling.RateQuota", retry_after=retry_after)
    )

    assert f"try again in {wait}" in text
    assert "Nothing was charged" in text


def test_throttling_with_status_400_reads_as_rate_limit():
    error = refusal(400, "Throttling.RateQuota", retry_after=5.0)

    assert isinstance(error, RateLimitError)
    assert "try again in 5 s" in describe_submit_error(ENGLISH, error)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_warns_the_task_may_exist_so_nobody_pays_twice(status):
    text = describe_submit_error(ENGLISH, refusal(status, None))

    assert f"HTTP {status}" in text
    assert "may have been submitted" in text and "paying twice" in text


def test_timeout_warns_the_video_may_have_been_submitted():
    text = describe_submit_error(
        ENGLISH, ApiTimeoutError("the API did not answer in time", request_id="r1")
    )

    assert "may have been submitted" in text
    assert "did not resend" in text
    assert "r1" in text


def test_connection_error_says_nothing_was_submitted():
    text = describe_submit_error(ENGLISH, ApiConnectionError("could not connect"))

    assert "nothing was submitted" in text


def test_malformed_answer_says_the_outcome_is_unknown():
    text = describe_submit_error(
        ENGLISH, MalformedResponseError("html", status=200, request_id="r2")
    )

    assert "cannot tell whether" in text
    assert "r2" in text


def test_input_errors_are_listed_one_per_line():
    with pytest.raises(InputError) as caught:
        build_request(CommandInput(prompt="", duration=11), Defaults())

    text = describe_submit_error(ENGLISH, caught.value)

    lines = text.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("• ") for line in lines)
    assert "not 11" in text and "Write a prompt" in text and "reference" in text


def test_unknown_errors_get_the_apology_and_no_raw_text():
    text = describe_submit_error(ENGLISH, KeyError(f"secret internals {KEY}"))

    assert text == generic_apology(ENGLISH)
    assert KEY not in text


def test_task_failure_to_download_mentions_links():
    text = describe_task_failure(
        ENGLISH, "InvalidParameter", "Unable to download the media resource"
    )

    assert "download" in text
    assert "links" in text
    assert "Unable to download the media resource" in text


@pytest.mark.parametrize(
    ("code", "message", "words"),
    [
        ("InvalidURL", "bad url", ["download", "links"]),
        ("DataInspectionFailed", "Input data may contain inappropriate content.", ["moderation"]),
        ("IPInfringementSuspect", "suspected", ["moderation"]),
        ("InvalidImage.FileFormat", "bad file", ["JPEG", "MP4"]),
        ("InvalidVideo", "too long", ["MP4/MOV", "1–30 s"]),
        ("InvalidParameter", "The size is not match", ["size, duration"]),
        ("Arrearage", "no money", ["balance", "admin"]),
        ("InternalError", "boom", ["Nothing was charged"]),
        (None, None, ["Nothing was charged", "no reason given"]),
    ],
)
def test_task_failures_say_what_to_change(code, message, words):
    text = describe_task_failure(ENGLISH, code, message)

    for word in words:
        assert word in text
    assert f"> {code or 'Failed'}:" in text
