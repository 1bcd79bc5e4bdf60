"""Typed errors of the API client. Which class a response becomes is decided in one place:
`error_for_response`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

INVALID_INPUT_CODES = frozenset({"InvalidParameter", "InvalidURL", "InvalidImage", "InvalidVideo"})
AUTH_CODES = frozenset({"InvalidApiKey", "AccessDenied", "Unauthorized"})
BALANCE_CODES = frozenset({"Arrearage"})
CONTENT_CODES = frozenset({"DataInspectionFailed", "IPInfringementSuspect"})


class ErrorKind(StrEnum):
    """What went wrong with one call to the API, in a word (the `kind` label of
    `r2v_api_errors_total`): `error_kind` names it."""

    CONNECTION = "connection"  # never reached the API
    TIMEOUT = "timeout"  # sent, but no answer in time (or the connection dropped)
    MALFORMED = "malformed"  # an answer that is not the documented JSON
    RATE_LIMIT = "rate_limit"  # 429 or Throttling
    SERVER = "server"  # 5xx
    AUTH = "auth"  # the API key was refused
    BALANCE = "balance"  # the account is out of balance
    CONTENT = "content"  # moderation refused the prompt or references
    NOT_FOUND = "not_found"  # no such route or task
    INVALID = "invalid"  # the request itself was refused


class ApiError(Exception):
    """Anything that went wrong talking to the API."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


class ApiConnectionError(ApiError):
    """The request never reached the API, so no task can have been created."""


class ApiTimeoutError(ApiError):
    """The request was sent but no answer came in time: the API may have acted on it."""


class MalformedResponseError(ApiError):
    """The API answered something that is not the documented JSON."""

    def __init__(self, message: str, *, status: int, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status


class ApiStatusError(ApiError):
    """The API refused with an HTTP error status and (usually) a `code`."""

    def __init__(
        self, *, status: int, code: str | None, message: str, request_id: str | None
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.code or '-'}: {self.message}"


class InvalidRequestError(ApiStatusError):
    """400-class refusal of the request itself: never retried."""


class AuthenticationError(ApiStatusError):
    """The bot's API key is not accepted."""


class InsufficientBalanceError(ApiStatusError):
    """The account behind the key is out of balance."""


class ContentRejectedError(ApiStatusError):
    """Moderation or IP-infringement refusal of the prompt or references."""


class NotFoundError(ApiStatusError):
    """The route or task does not exist."""


class RateLimitError(ApiStatusError):
    """429: too many requests; `retry_after` is the server's hint in seconds, if it gave one."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_after = retry_after


class ServerError(ApiStatusError):
    """5xx from the proxy or the service."""


def error_for_response(
    status: int, body: Mapping[str, Any] | None, retry_after: float | None
) -> ApiStatusError:
    """Map an error response to its class. Code wins over status where they disagree, since the
    proxy may wrap DashScope's refusal in its own status."""
    body = body or {}
    # Some proxies answer {"error": {...}}, others {"error": "text"}; only an object is read.
    nested = body.get("error")
    nested = nested if isinstance(nested, Mapping) else {}
    code = _text(body.get("code")) or _text(nested.get("code"))
    message = _text(body.get("message")) or _text(nested.get("message")) or f"HTTP {status}"
    request_id = _text(body.get("request_id"))
    fields: dict[str, Any] = {
        "status": status,
        "code": code,
        "message": message,
        "request_id": request_id,
    }
    family = (code or "").split(".")[0]
    if status == 429 or family == "Throttling":
        return RateLimitError(retry_after=retry_after, **fields)
    if family in AUTH_CODES:
        return AuthenticationError(**fields)
    if family in BALANCE_CODES:
        return InsufficientBalanceError(**fields)
    if family in CONTENT_CODES:
        return ContentRejectedError(**fields)
    if status in (401, 403):
        return AuthenticationError(**fields)
    if status >= 500:
        return ServerError(**fields)
    if status == 404:
        return NotFoundError(**fields)
    return InvalidRequestError(**fields)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def error_kind(error: ApiError) -> ErrorKind:
    """The kind of an API error. Subclasses before their bases; a status error of no known
    class is a refusal of the request."""
    if isinstance(error, ApiConnectionError):
        return ErrorKind.CONNECTION
    if isinstance(error, ApiTimeoutError):
        return ErrorKind.TIMEOUT
    if isinstance(error, MalformedResponseError):
        return ErrorKind.MALFORMED
    if isinstance(error, RateLimitError):
        return ErrorKind.RATE_LIMIT
    if isinstance(error, ServerError):
        return ErrorKind.SERVER
    if isinstance(error, AuthenticationError):
        return ErrorKind.AUTH
    if isinstance(error, InsufficientBalanceError):
        return ErrorKind.BALANCE
    if isinstance(error, ContentRejectedError):
        return ErrorKind.CONTENT
    if isinstance(error, NotFoundError):
        return ErrorKind.NOT_FOUND
    return ErrorKind.INVALID
