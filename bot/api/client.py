"""The API client: one class holding the session, base URL and key, with methods named after the
API's verbs. It knows nothing of Discord."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Protocol
from urllib.parse import quote

import aiohttp

from bot.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    error_for_response,
    error_kind,
)
from bot.api.models import SubmitResult, TaskResult, TaskStatus, is_task_id
from bot.api.retry import RetryPolicy, backoff_delay, parse_retry_after
from bot.api.settings import QUERY_PATH_TEMPLATE, ApiSettings, ApiTimeouts
from bot.observe.failure_log import FailureLog
from bot.observe.metrics import Metrics

log = logging.getLogger(__name__)

SUBMIT_PATH: Final = "/task/bailian/ref2video"

# Failures of the API as a whole (down, slow, busy, the key refused), not of one request: while
# they last, every query fails alike, and they are counted rather than logged one by one.
API_DOWN: Final = (
    ApiConnectionError,
    ApiTimeoutError,
    ServerError,
    RateLimitError,
    AuthenticationError,
)

Sleep = Callable[[float], Awaitable[None]]


class Limiter(Protocol):
    """A shared cap on request rate (see bot.tracking.rate_limit.QueryShare)."""

    async def acquire(self) -> None: ...


class BailianClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str,
        *,
        query_path_template: str = QUERY_PATH_TEMPLATE,
        cancel_path_template: str = "",
        retry: RetryPolicy | None = None,
        timeouts: ApiTimeouts | None = None,
        sleep: Sleep = asyncio.sleep,
        query_limiter: Limiter | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self._query_path_template = query_path_template
        self._cancel_path_template = cancel_path_template
        self._retry = retry or RetryPolicy()
        self._timeouts = timeouts or ApiTimeouts()
        # Passed on every request: it replaces whatever timeout the shared session has.
        self._request_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._timeouts.connect, sock_read=self._timeouts.read
        )
        self._sleep = sleep
        # Unix time, for a Retry-After given as an HTTP date.
        self._clock = clock
        self._query_limiter = query_limiter
        # Queries sent and failed attempts by kind; a client of its own (the CLI's) counts
        # into a registry nobody scrapes.
        self._metrics = metrics or Metrics()
        # Queries are retried by the tracker's polls too: an outage is a few lines with counts.
        # A submit's retries are each logged (with its request id): a member waits on it.
        self._query_retries = FailureLog(log, "queries to the API", expected=API_DOWN)

    @classmethod
    def from_settings(
        cls,
        session: aiohttp.ClientSession,
        settings: ApiSettings,
        *,
        query_limiter: Limiter | None = None,
        metrics: Metrics | None = None,
    ) -> BailianClient:
        """The client the configured settings describe (the bot's and the CLI's alike)."""
        return cls(
            session,
            settings.base_url,
            settings.api_key,
            query_path_template=settings.query_path_template,
            cancel_path_template=settings.cancel_path_template,
            timeouts=settings.timeouts,
            query_limiter=query_limiter,
            metrics=metrics,
        )

    @property
    def submit_time_limit_s(self) -> float:
        """The longest one `submit` can take: every retry waiting its longest, then a last
        attempt that connects and reads as slowly as allowed."""
        retries = self._retry.max_attempts - 1
        wait = max(self._retry.max_delay, self._retry.max_retry_after)
        return (
            retries * (self._timeouts.connect + wait)
            + self._timeouts.connect
            + (self._timeouts.read)
        )

    def __repr__(self) -> str:
        return f"BailianClient(base_url={self._base_url!r})"

    async def submit(self, payload: Mapping[str, Any]) -> SubmitResult:
        """Create a task. Retried only where no task can have been created: the connection was
        never made, or the API answered 429. A timeout after sending raises ApiTimeoutError and is
        never retried, since the task may exist."""
        body, _ = await self._call(
            "POST", SUBMIT_PATH, json_body=payload, retry_server_errors=False, idempotent=False
        )
        output = body.get("output")
        if not isinstance(output, Mapping):
            output = {}
        task_id = output.get("task_id")
        if not is_task_id(task_id):
            raise MalformedResponseError(
                "the API accepted the request but sent no task id (or not one)",
                status=200,
                request_id=_request_id(body),
            )
        result = SubmitResult(
            task_id=task_id,
            status=TaskStatus.parse(output.get("task_status") or "PENDING"),
            request_id=_request_id(body),
        )
        log.info("submitted task %s (request_id=%s)", result.task_id, result.request_id)
        return result

    async def get_task(self, task_id: str) -> TaskResult:
        """Query a task. Safe to repeat, so 429, 5xx, timeouts and connection errors are retried."""
        path = self._query_path_template.format(task_id=quote(task_id, safe=""))
        body, status = await self._call(
            "GET", path, json_body=None, retry_server_errors=True, idempotent=True
        )
        try:
            return TaskResult.from_json(body, task_id)
        except ValueError as error:
            raise MalformedResponseError(
                f"task answer not understood: {error}", status=status, request_id=_request_id(body)
            ) from error

    @property
    def can_cancel(self) -> bool:
        """Whether a cancel route is configured (the proxy's support for it is unconfirmed)."""
        return bool(self._cancel_path_template)

    async def cancel(self, task_id: str) -> None:
        """Cancel a PENDING task (DashScope's `POST /api/v1/tasks/{id}/cancel`). Not retried
        after sending: asking twice is harmless but a refusal must be seen. Raises ApiError;
        InvalidRequestError when the task is no longer queued."""
        if not self._cancel_path_template:
            raise ValueError("no cancel route is configured")
        path = self._cancel_path_template.format(task_id=quote(task_id, safe=""))
        await self._call("POST", path, json_body=None, retry_server_errors=False, idempotent=False)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None,
        retry_server_errors: bool,
        idempotent: bool,
    ) -> tuple[dict[str, Any], int]:
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._request_once(method, path, json_body)
            except ApiError as error:
                self._metrics.api_error(error_kind(error))
                delay = self._retry_delay(error, attempt, retry_server_errors, idempotent)
                if delay is None:
                    raise
                if method == "GET":
                    self._query_retries.failed(error, about=f"{method} {path}")
                else:
                    log.warning(
                        "%s %s failed (%s, request_id=%s); retry %d in %.1fs",
                        method,
                        path,
                        _describe(error),
                        error.request_id,
                        attempt,
                        delay,
                    )
                await self._sleep(delay)
                continue
            if method == "GET":
                self._query_retries.succeeded()
            return answer

    def _retry_delay(
        self, error: ApiError, attempt: int, retry_server_errors: bool, idempotent: bool
    ) -> float | None:
        if attempt >= self._retry.max_attempts:
            return None
        if isinstance(error, RateLimitError):
            if error.retry_after is not None and error.retry_after > self._retry.max_retry_after:
                return None
            return backoff_delay(self._retry, attempt, error.retry_after)
        retryable = isinstance(error, ApiConnectionError) or (
            idempotent
            and (
                isinstance(error, ApiTimeoutError | MalformedResponseError)
                or (retry_server_errors and isinstance(error, ServerError))
            )
        )
        return backoff_delay(self._retry, attempt) if retryable else None

    async def _request_once(
        self, method: str, path: str, json_body: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], int]:
        if method == "GET" and self._query_limiter is not None:
            # Every query attempt, retries included, counts against the global cap.
            await self._query_limiter.acquire()
        if method == "GET":
            self._metrics.query()
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                json=json_body,
                headers=self._headers,
                timeout=self._request_timeout,
            ) as response:
                text = await response.text(errors="replace")
                status = response.status
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), now=self._clock()
                )
                header_request_id = response.headers.get("X-Request-Id")
        except aiohttp.ConnectionTimeoutError as error:
            raise ApiConnectionError("could not connect to the API in time") from error
        except aiohttp.ClientConnectorError as error:
            raise ApiConnectionError(f"could not connect to the API: {error.os_error}") from error
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
            raise ApiTimeoutError(f"the API dropped the connection ({type(error).__name__})") from (
                error
            )
        except (aiohttp.ServerTimeoutError, TimeoutError) as error:
            raise ApiTimeoutError("the API did not answer in time") from error
        except aiohttp.ClientError as error:
            raise ApiTimeoutError(f"the API call failed ({type(error).__name__})") from error

        body = _parse_json(text)
        if status >= 400:
            refused = error_for_response(status, body, retry_after)
            if refused.request_id is None:
                refused.request_id = header_request_id
            raise refused
        if body is None:
            raise MalformedResponseError(
                f"the API answered HTTP {status} with something that is not JSON",
                status=status,
                request_id=header_request_id,
            )
        return body, status


def _parse_json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _request_id(body: Mapping[str, Any]) -> str | None:
    value = body.get("request_id")
    return value if isinstance(value, str) else None


def _describe(error: ApiError) -> str:
    return (
        str(error)
        if not isinstance(error, ApiConnectionError | ApiTimeoutError)
        else (error.message)
    )
