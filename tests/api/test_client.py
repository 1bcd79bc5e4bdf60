"""BailianClient against the fake API on loopback, with a real aiohttp session."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.api.client import BailianClient
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
from bot.api.models import TaskStatus
from bot.api.retry import RETRY_AFTER_MAX_S, RetryPolicy
from bot.api.settings import ApiTimeouts
from bot.generation.request import CommandInput, Defaults, build_request
from bot.observe.metrics import Metrics
from fakes.fake_bailian import (
    Delay,
    Disconnect,
    FakeBailian,
    Malformed,
    Reply,
    TaskPlan,
)
from tests.common import API_KEY

POLICY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8.0, max_retry_after=20.0)
SHORT = ApiTimeouts(connect=2.0, read=0.3)

PAYLOAD = build_request(
    CommandInput(
        prompt="character1 waves to character2",
        links="https://example.com/a.png https://example.com/b.mp4",
        size="1280*720",
        duration=4,
        seed=7,
        audio=False,
    ),
    Defaults(),
).to_payload()


class SleepRecorder:
    """Stands in for asyncio.sleep: records the delays the client asked for, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(api: FakeBailian, http: aiohttp.ClientSession, sleeps: SleepRecorder) -> BailianClient:
    return BailianClient(http, api.base_url, API_KEY, retry=POLICY, timeouts=SHORT, sleep=sleeps)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_until(condition, seconds: float = 3.0) -> None:
    """Poll a fake's record: the fake keeps handling a request after the client gave up."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


# --- submit ------------------------------------------------------------------------------------


async def test_submit_sends_the_payload_with_the_bearer_key_and_returns_the_task_id(
    api, client, sleeps
):
    result = await client.submit(PAYLOAD)

    assert result.task_id in api.tasks
    assert result.status is TaskStatus.PENDING
    assert result.request_id == api.submits[0].answer["request_id"]
    (sent,) = api.submits
    assert sent.json == PAYLOAD
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sleeps.delays == []


async def test_every_query_attempt_and_every_failed_attempt_is_counted(api, http, sleeps):
    metrics = Metrics()
    client = BailianClient(
        http, api.base_url, API_KEY, retry=POLICY, timeouts=SHORT, sleep=sleeps, metrics=metrics
    )
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(Reply(503, code="ServiceUnavailable"), Reply(429, code="Throttling"))
    await client.get_task(task_id)
    api.script_submit(Reply(400, code="InvalidParameter"))
    with pytest.raises(InvalidRequestError):
        await client.submit(PAYLOAD)

    text = metrics.exposition()[0].decode()
    assert "r2v_api_queries_total 3.0" in text  # two refused, one answered; submits are not
    assert 'r2v_api_errors_total{kind="server"} 1.0' in text
    assert 'r2v_api_errors_total{kind="rate_limit"} 1.0' in text
    assert 'r2v_api_errors_total{kind="invalid"} 1.0' in text


async def test_base_url_with_trailing_slash(api, http):
    client = BailianClient(http, api.base_url + "/", API_KEY, retry=POLICY)

    await client.submit(PAYLOAD)

    assert api.submits[0].path == "/task/bailian/ref2video"


async def test_wrong_key_is_an_authentication_error(api, http, sleeps):
    client = BailianClient(http, api.base_url, "sk-wrong", retry=POLICY, sleep=sleeps)

    with pytest.raises(AuthenticationError) as caught:
        await client.submit(PAYLOAD)

    assert (caught.value.status, caught.value.code) == (401, "InvalidApiKey")
    assert len(api.submits) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("InvalidParameter", InvalidRequestError),
        ("InvalidURL", InvalidRequestError),
        ("BadRequest.EmptyInput", InvalidRequestError),
        ("DataInspectionFailed", ContentRejectedError),
        ("IPInfringementSuspect", ContentRejectedError),
        ("Arrearage", InsufficientBalanceError),
        ("InvalidApiKey", AuthenticationError),
    ],
)
async def test_400_refusals_are_typed_and_never_retried(api, client, sleeps, code, expected):
    api.script_submit(Reply(400, code=code, message=f"refused: {code}"))

    with pytest.raises(expected) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.code == code
    assert caught.value.message == f"refused: {code}"
    assert caught.value.request_id == api.submits[0].answer["request_id"]
    assert len(api.submits) == 1
    assert sleeps.delays == []
    assert api.tasks == {}


async def test_the_fakes_own_validation_refusal_is_an_invalid_request(api, client):
    with pytest.raises(InvalidRequestError) as caught:
        await client.submit({**PAYLOAD, "parameters": {"size": "1x1"}})

    assert "size" in caught.value.message
    assert len(api.submits) == 1


async def test_429_honours_retry_after_then_succeeds(api, client, sleeps):
    api.script_submit(Reply(429, retry_after=1))

    result = await client.submit(PAYLOAD)

    assert sleeps.delays == [1.0]
    assert len(api.submits) == 2
    assert list(api.tasks) == [result.task_id]


async def test_429_without_retry_after_backs_off(api, client, sleeps):
    api.script_submit(Reply(429), Reply(429))

    await client.submit(PAYLOAD)

    assert len(sleeps.delays) == 2
    assert 0.375 <= sleeps.delays[0] <= 0.625
    assert 0.75 <= sleeps.delays[1] <= 1.25


async def test_429_repeated_gives_up_after_max_attempts(api, client, sleeps):
    api.script_submit(*[Reply(429, retry_after=1)] * 10)

    with pytest.raises(RateLimitError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.retry_after == 1.0
    assert len(api.submits) == POLICY.max_attempts
    assert sleeps.delays == [1.0] * (POLICY.max_attempts - 1)
    assert api.tasks == {}


async def test_retry_after_beyond_the_cap_is_raised_at_once(api, client, sleeps):
    api.script_submit(Reply(429, retry_after=60))

    with pytest.raises(RateLimitError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.retry_after == 60.0
    assert len(api.submits) == 1
    assert sleeps.delays == []


async def test_a_huge_retry_after_is_capped_and_raised_at_once(api, client, sleeps):
    api.script_submit(Reply(429, retry_after="1e308"))

    with pytest.raises(RateLimitError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.retry_after == RETRY_AFTER_MAX_S
    assert sleeps.delays == []


async def test_unreadable_retry_after_falls_back_to_backoff(api, client, sleeps):
    api.script_submit(Reply(429, retry_after="inf"))

    await client.submit(PAYLOAD)

    assert len(sleeps.delays) == 1
    assert 0.375 <= sleeps.delays[0] <= 0.625


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_submit_server_error_is_not_retried(api, client, sleeps, status):
    # A 5xx on submit may come after the task was created: resending could pay twice.
    api.script_submit(Reply(status, create_task=True))

    with pytest.raises(ServerError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.status == status
    assert len(api.submits) == 1
    assert sleeps.delays == []


async def test_submit_gateway_html_error_is_a_server_error_not_retried(api, client, sleeps):
    api.script_submit(Malformed(status=502))

    with pytest.raises(ServerError):
        await client.submit(PAYLOAD)

    assert len(api.submits) == 1


async def test_submit_timeout_after_sending_is_not_retried_and_the_task_may_exist(
    api, client, sleeps
):
    api.script_submit(Delay(0.6))  # then handled normally: the task is created

    with pytest.raises(ApiTimeoutError):
        await client.submit(PAYLOAD)

    assert len(api.submits) == 1
    assert sleeps.delays == []
    await wait_until(lambda: len(api.tasks) == 1)
    assert len(api.submits) == 1


@pytest.mark.parametrize("create_task", [False, True])
async def test_submit_disconnect_is_a_timeout_not_retried(api, client, sleeps, create_task):
    api.script_submit(Disconnect(create_task=create_task))

    with pytest.raises(ApiTimeoutError):
        await client.submit(PAYLOAD)

    assert len(api.submits) == 1
    assert sleeps.delays == []
    assert len(api.tasks) == int(create_task)


async def test_connection_refused_is_retried_then_a_connection_error(http, sleeps):
    client = BailianClient(
        http, f"http://127.0.0.1:{closed_port()}", API_KEY, retry=POLICY, sleep=sleeps
    )

    with pytest.raises(ApiConnectionError):
        await client.submit(PAYLOAD)

    assert len(sleeps.delays) == POLICY.max_attempts - 1


async def test_malformed_submit_answer_is_not_retried(api, client, sleeps):
    api.script_submit(Malformed(status=200))

    with pytest.raises(MalformedResponseError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.status == 200
    assert len(api.submits) == 1
    assert sleeps.delays == []


async def test_submit_answer_without_task_id_keeps_the_request_id(api, client):
    api.script_submit(Reply(200, body='{"request_id": "req-42", "output": {}}'))

    with pytest.raises(MalformedResponseError) as caught:
        await client.submit(PAYLOAD)

    assert caught.value.request_id == "req-42"
    assert len(api.submits) == 1


@pytest.mark.parametrize("task_id", ["a`b", "a b", "[x](https://evil.example)", "", 42, "x" * 129])
async def test_a_submit_answer_with_a_task_id_the_bot_cannot_show_is_malformed(
    api, client, task_id
):
    body = json.dumps({"request_id": "r", "output": {"task_id": task_id}})
    api.script_submit(Reply(200, body=body))

    with pytest.raises(MalformedResponseError):
        await client.submit(PAYLOAD)


# --- get_task ----------------------------------------------------------------------------------


async def test_get_task_follows_the_task_through_its_statuses(api, client, clock):
    api.plan_next(TaskPlan(pending_s=1, running_s=2, video_bytes=2048))
    task_id = (await client.submit(PAYLOAD)).task_id

    pending = await client.get_task(task_id)
    clock.advance(1.5)
    running = await client.get_task(task_id)
    clock.advance(2)
    done = await client.get_task(task_id)

    assert (pending.status, pending.raw_status) == (TaskStatus.PENDING, "PENDING")
    assert pending.video_url is None and pending.end_time is None
    assert running.status is TaskStatus.RUNNING
    assert running.scheduled_time == datetime(2026, 1, 29, 12, 0, 1, tzinfo=UTC)
    assert done.status is TaskStatus.SUCCEEDED and done.status.is_terminal
    assert done.task_id == task_id
    assert done.video_url is not None and done.video_url.startswith(api.base_url + "/files/")
    assert done.submit_time == datetime(2026, 1, 29, 12, 0, 0, tzinfo=UTC)
    assert done.end_time == datetime(2026, 1, 29, 12, 0, 3, tzinfo=UTC)
    assert done.request_id == api.queries[-1].answer["request_id"]
    assert api.queries[0].headers["Authorization"] == f"Bearer {API_KEY}"


async def test_get_task_failed_carries_code_and_message(api, client, clock):
    api.plan_next(
        TaskPlan(
            pending_s=0,
            running_s=1,
            outcome="FAILED",
            code="InvalidParameter.DownloadFailed",
            message="Unable to download the media resource",
        )
    )
    task_id = (await client.submit(PAYLOAD)).task_id
    clock.advance(5)

    result = await client.get_task(task_id)

    assert result.status is TaskStatus.FAILED
    assert result.code == "InvalidParameter.DownloadFailed"
    assert result.message == "Unable to download the media resource"
    assert result.video_url is None


async def test_get_task_unknown_status_is_other_with_the_raw_status_kept(api, client, clock):
    api.plan_next(TaskPlan(pending_s=0, running_s=0, outcome="SUSPENDED"))
    task_id = (await client.submit(PAYLOAD)).task_id
    clock.advance(1)

    result = await client.get_task(task_id)

    assert result.status is TaskStatus.OTHER
    assert result.raw_status == "SUSPENDED"
    assert not result.status.is_terminal


async def test_get_task_of_an_unknown_id_is_unknown(api, client):
    result = await client.get_task("no-such-task")

    assert result.status is TaskStatus.UNKNOWN and result.status.is_terminal


async def test_get_task_404_is_not_found_and_not_retried(api, client, sleeps):
    api.unknown_task_reply = "404"

    with pytest.raises(NotFoundError):
        await client.get_task("no-such-task")

    assert len(api.queries) == 1
    assert sleeps.delays == []


async def test_get_task_retries_server_errors_and_malformed_answers(api, client, sleeps):
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(Reply(500), Malformed(status=200), Reply(503), task_id=task_id)

    result = await client.get_task(task_id)

    assert result.status is TaskStatus.PENDING
    assert len(api.queries) == 4
    assert len(sleeps.delays) == 3


async def test_get_task_retries_a_timeout(api, client, sleeps):
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(Delay(0.6), task_id=task_id)

    result = await client.get_task(task_id)

    assert result.status is TaskStatus.PENDING
    assert len(api.queries) == 2
    assert len(sleeps.delays) == 1


async def test_get_task_survives_dropped_connections(api, client, sleeps):
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(Disconnect(), Disconnect(), task_id=task_id)

    result = await client.get_task(task_id)

    # aiohttp itself resends a GET once when a pooled connection was dropped, so the bot's own
    # retries may be fewer than the drops; what matters is that the query succeeds.
    assert result.status is TaskStatus.PENDING
    assert len(api.queries) == 3
    assert 1 <= len(sleeps.delays) <= 2


async def test_get_task_gives_up_after_max_attempts(api, client, sleeps):
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(*[Reply(503)] * 10, task_id=task_id)

    with pytest.raises(ServerError):
        await client.get_task(task_id)

    assert len(api.queries) == POLICY.max_attempts
    assert len(sleeps.delays) == POLICY.max_attempts - 1


async def test_get_task_does_not_retry_a_refusal(api, client, sleeps):
    task_id = (await client.submit(PAYLOAD)).task_id
    api.script_query(Reply(400, code="InvalidParameter"), task_id=task_id)

    with pytest.raises(InvalidRequestError):
        await client.get_task(task_id)

    assert len(api.queries) == 1


# --- secrets -----------------------------------------------------------------------------------


async def test_the_key_never_appears_in_repr_or_errors(api, http, sleeps):
    client = BailianClient(http, api.base_url, API_KEY, retry=POLICY, timeouts=SHORT, sleep=sleeps)
    api.script_submit(
        Reply(401),
        Reply(429, retry_after=60),
        Reply(500),
        Reply(400, code="InvalidParameter"),
        Malformed(),
        Disconnect(),
        Delay(0.6),
    )
    errors: list[ApiError] = []
    for _ in range(7):
        with pytest.raises(ApiError) as caught:
            await client.submit(PAYLOAD)
        errors.append(caught.value)
    refused = BailianClient(
        http, f"http://127.0.0.1:{closed_port()}", API_KEY, retry=POLICY, sleep=sleeps
    )
    with pytest.raises(ApiConnectionError) as caught:
        await refused.submit(PAYLOAD)
    errors.append(caught.value)

    assert API_KEY not in repr(client)
    assert api.base_url in repr(client)
    assert len({type(error) for error in errors}) >= 6
    for error in errors:
        assert API_KEY not in str(error)
        assert API_KEY not in repr(error)
