"""error_for_response: the one place deciding which error class a refusal becomes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    ContentRejectedError,
    ErrorKind,
    InsufficientBalanceError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_for_response,
    error_kind,
)


def body(code: str | None, message: str = "why", request_id: str = "req-1") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "InvalidApiKey", AuthenticationError),
        (401, None, AuthenticationError),
        (403, "AccessDenied", AuthenticationError),
        (403, None, AuthenticationError),
        (400, "InvalidApiKey", AuthenticationError),
        (400, "Arrearage", InsufficientBalanceError),
        (403, "Arrearage", InsufficientBalanceError),
        (400, "DataInspectionFailed", ContentRejectedError),
        (400, "IPInfringementSuspect", ContentRejectedError),
        (400, "InvalidParameter", InvalidRequestError),
        (400, "InvalidURL", InvalidRequestError),
        (400, "BadRequest.EmptyInput", InvalidRequestError),
        (400, None, InvalidRequestError),
        (429, "Throttling.RateQuota", RateLimitError),
        (429, None, RateLimitError),
        (400, "Throttling.RateQuota", RateLimitError),
        (400, "Throttling", RateLimitError),
        (400, "Throttling.AllocationQuota", RateLimitError),
        (500, "InternalError", ServerError),
        (502, None, ServerError),
        (503, "ServiceUnavailable", ServerError),
        (504, None, ServerError),
        (404, "NotFound", NotFoundError),
        (404, None, NotFoundError),
    ],
)
def test_status_and_code_decide_the_class(status, code, expected):
    error = error_for_response(status, body(code), None)

    assert type(error) is expected
    assert (error.status, error.code, error.message, error.request_id) == (
        status,
        code,
        "why",
        "req-1",
    )
    assert str(error) == f"HTTP {status} {code or '-'}: why"


def test_rate_limit_keeps_retry_after():
    error = error_for_response(429, body("Throttling"), 12.0)

    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0


def test_no_body_gives_the_status_as_message():
    error = error_for_response(502, None, None)

    assert isinstance(error, ServerError)
    assert (error.code, error.message, error.request_id) == (None, "HTTP 502", None)


def test_openai_style_error_object_is_read():
    error = error_for_response(
        401, {"error": {"code": "invalid_api_key", "message": "bad key"}}, None
    )

    assert isinstance(error, AuthenticationError)
    assert (error.code, error.message) == ("invalid_api_key", "bad key")


@pytest.mark.parametrize(
    ("status", "expected"),
    [(502, ServerError), (401, AuthenticationError), (400, InvalidRequestError)],
)
@pytest.mark.parametrize("error_value", ["upstream failed", ["x"], 5])
def test_error_that_is_not_an_object_is_tolerated(status, expected, error_value):
    # The proxy's own error shape is unconfirmed; some proxies answer {"error": "text"}.
    error = error_for_response(status, {"error": error_value}, None)

    assert type(error) is expected
    assert isinstance(error, ApiStatusError)


STATUS: dict[str, Any] = {"status": 400, "code": None, "message": "m", "request_id": None}


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ApiConnectionError("refused"), ErrorKind.CONNECTION),
        (ApiTimeoutError("slow"), ErrorKind.TIMEOUT),
        (MalformedResponseError("html", status=200), ErrorKind.MALFORMED),
        (RateLimitError(**STATUS), ErrorKind.RATE_LIMIT),
        (ServerError(**STATUS), ErrorKind.SERVER),
        (AuthenticationError(**STATUS), ErrorKind.AUTH),
        (InsufficientBalanceError(**STATUS), ErrorKind.BALANCE),
        (ContentRejectedError(**STATUS), ErrorKind.CONTENT),
        (NotFoundError(**STATUS), ErrorKind.NOT_FOUND),
        (InvalidRequestError(**STATUS), ErrorKind.INVALID),
        (ApiStatusError(**STATUS), ErrorKind.INVALID),
    ],
)
def test_each_error_has_its_kind_for_the_metrics(error: ApiError, kind: ErrorKind):
    assert error_kind(error) is kind
