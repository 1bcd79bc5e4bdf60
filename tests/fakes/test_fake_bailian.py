"""The Bailian fake must itself follow the contract, or tests built on it prove nothing."""

from __future__ import annotations

import asyncio
import copy
import re
import time
import uuid
from typing import Any

import aiohttp
import pytest

from fakes.fake_bailian import (
    Delay,
    Disconnect,
    FakeBailian,
    Malformed,
    ManualClock,
    Reply,
    ScaledClock,
    TaskPlan,
    max_in_window,
)
from fakes.media import make_mp4
from tests.common import API_KEY, AUTH, instant

SUBMIT = "/task/bailian/ref2video"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")

VALID: dict[str, Any] = {
    "model": "wan2.6-r2v-flash",
    "input": {
        "prompt": "character1 waves at character2",
        "reference_urls": ["https://example.com/a.png", "http://example.com/b.mp4"],
    },
    "parameters": {"size": "1280*720", "duration": 5, "audio": True, "shot_type": "single"},
}


def payload(**changes: Any) -> dict[str, Any]:
    """VALID with changes; keys are dotted paths, a value of ... deletes the key."""
    body = copy.deepcopy(VALID)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target = body
        for name in parents:
            target = target[name]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return body


async def submit(
    api: FakeBailian, http: aiohttp.ClientSession, body: Any = None, **kwargs: Any
) -> tuple[int, Any]:
    kwargs.setdefault("headers", AUTH)
    async with http.post(
        api.base_url + SUBMIT, json=VALID if body is None else body, **kwargs
    ) as r:
        return r.status, await r.json()


async def query(api: FakeBailian, http: aiohttp.ClientSession, task_id: str) -> tuple[int, Any]:
    async with http.get(f"{api.base_url}/task/{task_id}", headers=AUTH) as r:
        return r.status, await r.json()


async def new_task(api: FakeBailian, http: aiohttp.ClientSession) -> str:
    status, body = await submit(api, http)
    assert status == 200, body
    task_id: str = body["output"]["task_id"]
    return task_id


# --- auth --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}]
)
async def test_submit_without_the_right_key_is_refused(api, http, headers):
    status, body = await submit(api, http, headers=headers)

    assert status == 401
    assert body["code"] == "InvalidApiKey"
    assert body["message"] == "Invalid API-key provided."
    assert uuid.UUID(body["request_id"])
    assert api.tasks == {}
    assert api.submits[0].task_id is None and api.submits[0].status == 401


async def test_query_without_the_right_key_is_refused(api, http):
    task_id = await new_task(api, http)

    async with http.get(f"{api.base_url}/task/{task_id}") as r:
        assert r.status == 401
        assert (await r.json())["code"] == "InvalidApiKey"


# --- validation --------------------------------------------------------------------------------

REFUSED = {
    "unknown top-level key": (payload(callback="x"), "Unknown field: callback"),
    "unknown input key": (payload(input__prompts="x"), "input.prompts"),
    "unknown parameter key": (payload(parameters__shotType="multi"), "parameters.shotType"),
    "no model": (payload(model=...), "model"),
    "other model": (payload(model="wan2.5-i2v"), "Model not exist"),
    "no input": (payload(input=...), "input"),
    "no prompt": (payload(input__prompt=...), "input.prompt"),
    "empty prompt": (payload(input__prompt=""), "input.prompt"),
    "blank prompt": (payload(input__prompt="   "), "input.prompt"),
    "prompt not a string": (payload(input__prompt=5), "input.prompt"),
    "negative prompt not a string": (payload(input__negative_prompt=["x"]), "negative_prompt"),
    "no references": (payload(input__reference_urls=...), "reference_urls"),
    "references not a list": (payload(input__reference_urls="https://a/b.png"), "reference_urls"),
    "zero references": (payload(input__reference_urls=[]), "1 to 5"),
    "six references": (
        payload(input__reference_urls=[f"https://e/{i}.png" for i in range(6)]),
        "1 to 5",
    ),
    "reference not http": (payload(input__reference_urls=["ftp://e/a.png"]), "ftp://"),
    "reference not a string": (payload(input__reference_urls=[{"url": "https://e/a"}]), "http(s)"),
    "no parameters": (payload(parameters=...), "parameters"),
    "no size": (payload(parameters__size=...), "parameters.size"),
    "undocumented size": (payload(parameters__size="1280x720"), "size"),
    "duration too short": (payload(parameters__duration=1), "duration"),
    "duration too long": (payload(parameters__duration=11), "duration"),
    "duration a float": (payload(parameters__duration=5.0), "duration"),
    "duration a string": (payload(parameters__duration="5"), "duration"),
    "duration a bool": (payload(parameters__duration=True), "duration"),
    "shot type": (payload(parameters__shot_type="wide"), "shot_type"),
    "negative seed": (payload(parameters__seed=-1), "seed"),
    "seed too big": (payload(parameters__seed=2_147_483_648), "seed"),
    "seed a string": (payload(parameters__seed="42"), "seed"),
    "seed a bool": (payload(parameters__seed=True), "seed"),  # True == 1 would pass a range check
    "audio a string": (payload(parameters__audio="false"), "audio"),
    "audio an int": (payload(parameters__audio=0), "audio"),
    "body not an object": (["model"], "JSON object"),
}


@pytest.mark.parametrize(("body", "fragment"), REFUSED.values(), ids=REFUSED.keys())
async def test_invalid_submit_is_refused_with_a_specific_message(api, http, body, fragment):
    status, answer = await submit(api, http, body)

    assert status == 400
    assert answer["code"] == "InvalidParameter"
    assert fragment in answer["message"]
    assert uuid.UUID(answer["request_id"])
    assert api.tasks == {}


async def test_body_that_is_not_json_is_refused(api, http):
    async with http.post(api.base_url + SUBMIT, data=b"{not json", headers=AUTH) as r:
        assert r.status == 400
        assert (await r.json())["code"] == "InvalidParameter"


ACCEPTED = {
    "shortest": payload(parameters__duration=2),
    "longest": payload(parameters__duration=10),
    "no optional parameters": payload(parameters={"size": "1920*1080"}),
    "seed bounds low": payload(parameters__seed=0),
    "seed bounds high": payload(parameters__seed=2_147_483_647),
    "multi shot, silent": payload(parameters__shot_type="multi", parameters__audio=False),
    "five references, negative prompt": payload(
        input__reference_urls=[f"https://e/{i}.png" for i in range(5)],
        input__negative_prompt="blur",
    ),
    "other model, watermark": payload(model="wan2.6-r2v", parameters__watermark=False),
    "vertical 1080p": payload(parameters__size="1248*1632"),
}


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
async def test_valid_variants_are_accepted(api, http, body):
    status, answer = await submit(api, http, body)

    assert status == 200, answer
    assert api.tasks[answer["output"]["task_id"]].payload == body


# --- success and progression -------------------------------------------------------------------


async def test_submit_success_shape_and_record(api, http, clock):
    clock.advance(7)
    status, body = await submit(api, http)

    assert status == 200
    assert set(body) == {"request_id", "output"}
    assert body["output"]["task_status"] == "PENDING"
    task_id = body["output"]["task_id"]
    assert uuid.UUID(task_id) and uuid.UUID(body["request_id"])
    [record] = api.submits
    assert record.json == VALID
    assert record.headers["authorization"] == f"Bearer {API_KEY}"  # case-insensitive lookup
    assert record.at == 7
    assert record.task_id == task_id
    assert record.answer == body
    assert api.tasks[task_id].submitted_at == 7
    assert api.tasks[task_id].plan == TaskPlan()


async def test_task_goes_pending_running_succeeded_and_serves_its_file(api, http, clock):
    api.default_plan = TaskPlan(pending_s=10, running_s=90.5, video_bytes=300_000)
    task_id = await new_task(api, http)

    _, pending = await query(api, http, task_id)
    assert pending["output"]["task_status"] == "PENDING"
    assert pending["output"]["submit_time"] == "2026-01-29 12:00:00.000"
    assert "scheduled_time" not in pending["output"] and "video_url" not in pending["output"]
    assert pending["output"]["orig_prompt"] == VALID["input"]["prompt"]

    clock.advance(10)
    _, running = await query(api, http, task_id)
    assert running["output"]["task_status"] == "RUNNING"
    assert running["output"]["scheduled_time"] == "2026-01-29 12:00:10.000"
    assert "end_time" not in running["output"]
    assert api.tasks[task_id].first_seen_done_at is None

    clock.advance(100.5 - 10 - 0.001)
    _, still = await query(api, http, task_id)
    assert still["output"]["task_status"] == "RUNNING"

    clock.advance(5)
    status, done = await query(api, http, task_id)
    assert status == 200
    out = done["output"]
    assert out["task_status"] == "SUCCEEDED"
    assert out["end_time"] == "2026-01-29 12:01:40.500"
    assert all(TIME_RE.match(out[k]) for k in ("submit_time", "scheduled_time", "end_time"))
    assert out["actual_prompt"] == VALID["input"]["prompt"]
    assert done["usage"] == {
        "duration": 5,
        "input_video_duration": 0,
        "output_video_duration": 5,
        "SR": 720,
        "size": "1280*720",
    }
    task = api.tasks[task_id]
    assert task.queries == 4
    assert task.done_at == 100.5
    assert task.first_seen_done_at == pytest.approx(105.499)
    assert [q.task_id for q in api.queries] == [task_id] * 4

    async with http.get(out["video_url"]) as r:  # no Bearer header: OSS URLs are signed
        assert r.status == 200
        assert r.headers["Content-Type"] == "video/mp4"
        assert r.headers["Content-Length"] == "300000"
        data = await r.read()
    assert len(data) == 300_000
    assert data[4:8] == b"ftyp"
    assert api.downloads[0].task_id == task_id and api.downloads[0].status == 200


async def test_long_prompt_is_accepted_and_cut(api, http, clock):
    api.default_plan = TaskPlan(pending_s=0, running_s=0)
    long_prompt = "character1 " * 200
    status, body = await submit(api, http, payload(input__prompt=long_prompt))
    assert status == 200
    _, done = await query(api, http, body["output"]["task_id"])

    assert done["output"]["orig_prompt"] == long_prompt
    assert done["output"]["actual_prompt"] == long_prompt[:1500]


async def test_failed_task_is_http_200_with_code_and_message(api, http, clock):
    api.default_plan = TaskPlan(
        outcome="FAILED", code="InvalidParameter.DataInspection", message="Unable to download"
    )
    task_id = await new_task(api, http)
    clock.advance(3)

    status, body = await query(api, http, task_id)

    assert status == 200
    assert body["output"]["task_status"] == "FAILED"
    assert body["output"]["code"] == "InvalidParameter.DataInspection"
    assert body["output"]["message"] == "Unable to download"
    assert "video_url" not in body["output"] and "usage" not in body
    assert "end_time" in body["output"]


async def test_expired_task_answers_unknown_and_its_file_is_refused(api, http, clock):
    api.default_plan = TaskPlan(expire_after_s=86_400)
    task_id = await new_task(api, http)
    clock.advance(3)
    _, done = await query(api, http, task_id)
    video_url = done["output"]["video_url"]

    clock.advance(86_400)
    status, body = await query(api, http, task_id)

    assert status == 200
    assert body["output"] == {"task_id": task_id, "task_status": "UNKNOWN"}
    assert api.tasks[task_id].done_at == 3  # it became terminal by succeeding, before expiring
    async with http.get(video_url) as r:
        assert r.status == 403
        assert "<Code>AccessDenied</Code>" in await r.text()


async def test_task_expiring_before_it_finishes_is_done_at_expiry(api, http, clock):
    api.default_plan = TaskPlan(pending_s=100, expire_after_s=50)
    task_id = await new_task(api, http)
    clock.advance(50)

    _, body = await query(api, http, task_id)

    assert body["output"]["task_status"] == "UNKNOWN"
    assert api.tasks[task_id].done_at == 50 == api.tasks[task_id].first_seen_done_at


async def test_unknown_status_is_kept_forever_and_never_terminal(api, http, clock):
    api.plan_next(TaskPlan(outcome="SUSPENDED"))
    task_id = await new_task(api, http)
    clock.advance(1_000_000)

    _, body = await query(api, http, task_id)

    assert body["output"]["task_status"] == "SUSPENDED"
    assert "end_time" not in body["output"]
    assert api.tasks[task_id].done_at is None
    assert api.tasks[task_id].first_seen_done_at is None


async def test_unknown_task_id_answers_unknown(api, http):
    status, body = await query(api, http, "no-such-task")

    assert status == 200
    assert body["output"] == {"task_id": "no-such-task", "task_status": "UNKNOWN"}


async def test_unknown_task_id_can_answer_404_instead(api, http):
    api.unknown_task_reply = "404"

    status, body = await query(api, http, "no-such-task")

    assert status == 404
    assert "code" in body and "request_id" in body


async def test_plans_come_from_queue_then_factory_then_default(api, http, clock):
    api.default_plan = TaskPlan(running_s=3)
    api.plan_next(TaskPlan(running_s=1))
    seen: list[dict[str, Any]] = []
    first = await new_task(api, http)

    def factory(body: dict[str, Any]) -> TaskPlan:
        seen.append(body)
        return TaskPlan(running_s=2)

    api.plan_factory = factory
    second = await new_task(api, http)
    api.plan_factory = None
    third = await new_task(api, http)

    assert [api.tasks[t].plan.running_s for t in (first, second, third)] == [1, 2, 3]
    assert seen == [VALID]


async def test_file_with_a_tampered_signature_or_unknown_name_is_refused(api, http, clock):
    api.default_plan = TaskPlan(pending_s=0, running_s=0)
    task_id = await new_task(api, http)
    _, done = await query(api, http, task_id)
    url = done["output"]["video_url"]

    async with http.get(url.split("?")[0]) as r:
        assert r.status == 403
        assert "SignatureDoesNotMatch" in await r.text()
    async with http.get(f"{api.base_url}/files/{uuid.uuid4()}.mp4") as r:
        assert r.status == 404
        assert "NoSuchKey" in await r.text()


# --- scripted answers --------------------------------------------------------------------------


async def test_scripted_reply_with_retry_after_then_normal(api, http):
    api.script_submit(Reply(429, retry_after=3))

    async with http.post(api.base_url + SUBMIT, json=VALID, headers=AUTH) as r:
        assert r.status == 429
        assert r.headers["Retry-After"] == "3"
        body = await r.json()
    assert body["code"] == "Throttling.RateQuota"
    assert uuid.UUID(body["request_id"])
    assert api.tasks == {}
    assert api.submits[0].step == Reply(429, retry_after=3)

    status, _ = await submit(api, http)  # the script is used up: normal handling again
    assert status == 200
    assert len(api.tasks) == 1


async def test_scripted_reply_code_message_and_body(api, http):
    api.script_submit(Reply(400, code="Arrearage", message="No balance."), Reply(502, body="oops"))

    status, body = await submit(api, http)
    assert (status, body["code"], body["message"]) == (400, "Arrearage", "No balance.")
    async with http.post(api.base_url + SUBMIT, json=VALID, headers=AUTH) as r:
        assert r.status == 502
        assert await r.text() == "oops"


async def test_scripted_reply_can_create_the_task(api, http):
    api.script_submit(Reply(500, create_task=True))

    async with http.post(api.base_url + SUBMIT, json=VALID, headers=AUTH) as r:
        assert r.status == 500

    assert len(api.tasks) == 1
    assert api.submits[0].task_id in api.tasks


async def test_malformed_answer_is_html(api, http):
    api.script_submit(Malformed())

    async with http.post(api.base_url + SUBMIT, json=VALID, headers=AUTH) as r:
        assert r.status == 200
        assert r.content_type == "text/html"
        with pytest.raises(aiohttp.ContentTypeError):
            await r.json()
    assert api.tasks == {}


async def test_delay_times_the_client_out_but_the_task_is_created(api, http):
    api.script_submit(Delay(0.3))

    with pytest.raises(asyncio.TimeoutError):
        await submit(api, http, timeout=aiohttp.ClientTimeout(total=0.05))
    assert api.tasks == {}  # not yet: the server is still "thinking"

    for _ in range(100):
        if api.tasks:
            break
        await asyncio.sleep(0.02)
    assert len(api.tasks) == 1
    assert api.submits[0].task_id in api.tasks


async def test_delay_then_scripted_answer(api, http):
    api.script_submit(Delay(0.05, then=Reply(503)))
    started = time.monotonic()

    async with http.post(api.base_url + SUBMIT, json=VALID, headers=AUTH) as r:
        assert r.status == 503
    assert time.monotonic() - started >= 0.05
    assert api.tasks == {}


async def test_disconnect_gives_no_answer_and_no_task(api, http):
    api.script_submit(Disconnect())

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await submit(api, http)
    assert api.tasks == {}
    assert api.submits[0].status is None

    status, _ = await submit(api, http)  # the client recovers on a new connection
    assert status == 200


async def test_query_script_targets_one_task_or_any(api, http, clock):
    first, second = await new_task(api, http), await new_task(api, http)
    api.script_query(Reply(503), task_id=second)
    api.script_query(Malformed())

    async with http.get(f"{api.base_url}/task/{first}", headers=AUTH) as r:
        assert r.status == 200 and r.content_type == "text/html"  # the any-task script
    async with http.get(f"{api.base_url}/task/{second}", headers=AUTH) as r:
        assert r.status == 503  # its own script
    assert (await query(api, http, first))[1]["output"]["task_status"] == "PENDING"
    assert (await query(api, http, second))[1]["output"]["task_status"] == "PENDING"
    assert api.tasks[second].queries == 2


async def test_query_disconnect(api, http):
    task_id = await new_task(api, http)
    # aiohttp retries an idempotent GET once when a reused keep-alive connection is dropped,
    # so one Disconnect is invisible to the client; the second one reaches it.
    api.script_query(Disconnect(), Disconnect(), task_id=task_id)

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await query(api, http, task_id)
    assert [q.status for q in api.queries] == [None, None]


async def test_one_dropped_query_is_retried_by_aiohttp(api, http):
    task_id = await new_task(api, http)
    api.script_query(Disconnect(), task_id=task_id)

    status, body = await query(api, http, task_id)

    assert status == 200 and body["output"]["task_status"] == "PENDING"
    assert [q.status for q in api.queries] == [None, 200]


async def test_stop_does_not_wait_for_a_long_delay(clock):
    fake = FakeBailian(clock=clock)
    await fake.start()
    fake.script_submit(Delay(30))
    async with aiohttp.ClientSession() as session:
        request = asyncio.create_task(
            session.post(fake.base_url + SUBMIT, json=VALID, headers=AUTH)
        )
        for _ in range(200):
            if fake.submits:
                break
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await fake.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(aiohttp.ClientError):
            await request
    assert fake.tasks == {}


# --- rate measurement and clocks ---------------------------------------------------------------


def test_max_in_window_counts_a_sliding_half_open_window():
    # Binary-exact times, so the window edges are not blurred by float rounding.
    times = [0.0, 0.25, 0.5, 1.0, 1.125, 1.25, 1.375, 5.0]

    assert max_in_window(times, 0.5) == 4  # 1.0 .. 1.375
    assert max_in_window(times, 0.25) == 2  # [1.0, 1.25) holds 1.0 and 1.125, not 1.25
    assert max_in_window(times, 10) == 8
    assert max_in_window([], 1) == 0


async def test_max_queries_in_window_uses_real_query_times(api, http):
    task_id = await new_task(api, http)
    for _ in range(5):
        await query(api, http, task_id)
    await asyncio.sleep(0.3)
    for _ in range(2):
        await query(api, http, task_id)

    assert len(api.query_times) == 7
    assert api.max_queries_in_window(0.25) == 5
    assert api.max_queries_in_window(60) == 7
    assert api.max_submits_in_window(60) == 1


async def test_scaled_clock_runs_faster_than_real_time():
    clock = ScaledClock(1000)
    start = clock.now()
    await asyncio.sleep(0.02)

    assert clock.now() - start >= 20


def test_manual_clock_does_not_go_back():
    clock = ManualClock(start=5)
    clock.advance(2.5)

    assert clock.now() == 7.5
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_base_url_needs_a_started_server():
    with pytest.raises(RuntimeError):
        _ = FakeBailian().base_url


# --- the video host ---------------------------------------------------------------------------


async def finished_video_url(api: FakeBailian, http: aiohttp.ClientSession, plan: TaskPlan) -> str:
    api.plan_next(plan)
    _, done = await query(api, http, await new_task(api, http))
    url: str = done["output"]["video_url"]
    return url


async def test_a_real_mp4_file_is_served_as_it_is(api, http):
    clip = make_mp4(320, 240, 1, "200k")
    url = await finished_video_url(api, http, instant(video_file=clip))

    async with http.get(url) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "video/mp4"
        data = await r.read()

    assert data == clip.read_bytes()
    task = next(iter(api.tasks.values()))
    assert (task.file_requests, task.videos_served) == (1, 1)


@pytest.mark.parametrize(
    ("body", "content_type", "starts"),
    [("empty", "video/mp4", b""), ("not_mp4", "text/html", b"<html>")],
)
async def test_a_body_that_is_not_a_video(api, http, body, content_type, starts):
    url = await finished_video_url(api, http, instant(video_body=body))

    async with http.get(url) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith(content_type)
        data = await r.read()

    assert data.startswith(starts) and (data == b"") == (body == "empty")


async def test_redirects_to_itself_then_serves(api, http):
    url = await finished_video_url(api, http, instant(video_redirects=2))

    async with http.get(url) as r:
        assert r.status == 200
        assert len(await r.read()) == 1024

    assert [d.status for d in api.downloads] == [302, 302, 200]
    assert "Signature=" in api.downloads[-1].path and "hop=2" in api.downloads[-1].path


async def test_redirects_to_a_given_url(api, http):
    url = await finished_video_url(api, http, instant(video_redirect_to="https://cdn.test/v.mp4"))

    async with http.get(url, allow_redirects=False) as r:
        assert r.status == 302
        assert r.headers["Location"] == "https://cdn.test/v.mp4"


async def test_a_flaky_host_drops_then_answers_503_then_recovers(api, http):
    plan = instant(video_drop_first=2, video_unavailable_first=1)
    url = await finished_video_url(api, http, plan)

    # Two drops: aiohttp retries a GET once by itself when the connection drops.
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await http.get(url)
    async with http.get(url) as r:
        assert r.status == 503
        assert b"<Code>ServiceUnavailable</Code>" in await r.read()
    async with http.get(url) as r:
        assert r.status == 200

    assert [d.status for d in api.downloads] == [None, None, 503, 200]


async def test_a_removed_file_answers_404(api, http):
    url = await finished_video_url(api, http, instant(video_missing=True))

    async with http.get(url) as r:
        assert r.status == 404
        assert b"<Code>NoSuchKey</Code>" in await r.read()


def test_an_unknown_video_body_is_refused():
    with pytest.raises(ValueError):
        TaskPlan(video_body="gzip")
