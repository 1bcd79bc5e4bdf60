"""A fake of the proxy's Alibaba Bailian (Wan 2.6 reference-to-video) API, served on loopback.

It follows the proxy's documented API (its ref2video and query pages, with DashScope's shapes):

- ``POST /task/bailian/ref2video`` validates the body like the real service and creates a task;
- ``GET /task/{task_id}`` answers in DashScope's shape;
- ``GET /files/{task_id}.mp4?...`` serves the result like a signed OSS URL (no Bearer header).

Everything is recorded (``submits``, ``queries``, ``downloads``) so tests can assert what the bot
sent, and answers can be scripted (``script_submit``, ``script_query``) to produce the failures the
bot must survive: refusals, 429s with ``Retry-After``, HTML from a gateway, slow answers, dropped
connections.

Task progress is computed from a clock when a task is queried (no timers), so a benchmark can run
thousands of tasks, and a test can step time with ``ManualClock``.

Times in answers: DashScope reports naive Beijing local times. The fake reports
``FAKE_EPOCH + (clock.now() - clock.now() at construction)``, so with ``ManualClock()`` clock 0.0
is ``2026-01-29 12:00:00.000``.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import hmac
import json
import struct
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web
from multidict import CIMultiDict

# --- the contract, as module constants --------------------------------------------------------

MODELS = frozenset({"wan2.6-r2v-flash", "wan2.6-r2v"})
SIZES_720P = frozenset({"1280*720", "720*1280", "960*960", "1088*832", "832*1088"})
SIZES_1080P = frozenset({"1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"})
SIZES = SIZES_720P | SIZES_1080P
SHOT_TYPES = frozenset({"single", "multi"})
MAX_REFERENCES = 5
MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 2, 10, 5
MAX_SEED = 2_147_483_647
MAX_PROMPT_CHARS = 1500  # longer prompts are silently cut, not refused
DEFAULT_SIZE = "1920*1080"

# Keys the service knows. Unknown top-level keys are refused (the brief asks for it); unknown keys
# inside `input` / `parameters` are refused too, so a typo such as "shotType" fails loudly in
# tests instead of being silently ignored. `watermark` is DashScope's (the proxy page omits it).
TOP_LEVEL_KEYS = frozenset({"model", "input", "parameters"})
INPUT_KEYS = frozenset({"prompt", "negative_prompt", "reference_urls"})
PARAMETER_KEYS = frozenset({"size", "duration", "shot_type", "seed", "audio", "watermark"})

TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"})
VIDEO_BODIES = frozenset({"video", "empty", "not_mp4"})

# GUESS (UNCONFIRMED in CONTRACT.md): how the proxy answers a task id it does not know. DashScope
# answers HTTP 200 with task_status UNKNOWN, which is also what an expired (>24 h) id gives, so the
# fake does that. Set `FakeBailian.unknown_task_reply = "404"` to try the other plausible answer
# (HTTP 404 with an error JSON).
UNKNOWN_TASK_REPLY = "UNKNOWN"

# Clock value 0 (relative to the clock at construction) maps to this naive Beijing-local time.
FAKE_EPOCH = datetime(2026, 1, 29, 12, 0, 0)
# The same instant as a Unix timestamp, for the OSS-style `Expires=` parameter.
FAKE_EPOCH_UNIX = FAKE_EPOCH.replace(tzinfo=timezone(timedelta(hours=8))).timestamp()
OSS_URL_LIFETIME_S = 24 * 3600

# Default error codes/messages for `Reply(status)` without an explicit code.
_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("InvalidParameter", "The request is invalid."),
    401: ("InvalidApiKey", "Invalid API-key provided."),
    403: ("AccessDenied", "Access denied."),
    404: ("NotFound", "Not found."),
    429: ("Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
    500: ("InternalError", "An internal error has occured, please try again later."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is unavailable, please try again later."),
    504: ("GatewayTimeout", "Gateway timeout."),
}

_SIGNING_KEY = b"fake-oss-signing-key"
_CHUNK = 256 * 1024
# A cheap, recognisable body: an MP4 `ftyp` box (so a magic-bytes check passes) then a pattern.
_FTYP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
_PATTERN = bytes(range(256)) * (_CHUNK // 256)


def _mp4_shell(size: int, duration_s: int) -> bytes:
    """The head of a pattern body laid out as an MP4: `ftyp`, a `moov` whose `mvhd` gives the
    task's duration, then an `mdat` box holding the rest of the `size` bytes. A probe of box
    headers sees a playable file; its pictures are the pattern, so re-encoding it fails."""
    timescale = 1000
    mvhd_payload = struct.pack(">B3xIIII", 0, 0, 0, timescale, duration_s * timescale)
    mvhd_payload += bytes(100 - len(mvhd_payload))
    mvhd = struct.pack(">I4s", 8 + len(mvhd_payload), b"mvhd") + mvhd_payload
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    head = _FTYP + moov
    if size < len(head) + 8:
        return _FTYP
    return head + struct.pack(">I4s", size - len(head), b"mdat")


# --- clocks ----------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> float:
        """Seconds, from any origin; only differences matter."""
        ...


class RealClock:
    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """Time moves only when a test says so."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds


class ScaledClock:
    """Fake seconds = real elapsed seconds × speed: at speed 600, 3 fake minutes take 0.3 s."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) * self.speed


# --- plans and tasks -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskPlan:
    """How one task will behave: PENDING for `pending_s`, RUNNING for `running_s`, then `outcome`.

    An outcome that is not terminal (e.g. "SUSPENDED") is reached the same way and then kept
    forever, to test how the bot copes with a status it does not know.
    """

    pending_s: float = 1.0
    running_s: float = 2.0
    outcome: str = "SUCCEEDED"
    code: str | None = None  # for FAILED; None gets a generic code so the answer stays realistic
    message: str | None = None
    video_bytes: int = 1024
    expire_after_s: float | None = None  # from submit: then UNKNOWN, and the file answers 403
    # How the video host serves the result file (`fakes.media.make_mp4` makes real ones).
    video_file: Path | None = None  # serve this file; None: `video_bytes` of an ftyp + pattern
    video_body: str = "video"  # "video", "empty" (200, no bytes) or "not_mp4" (an HTML page)
    video_redirects: int = 0  # redirect to the same file this many times, then serve it
    video_redirect_to: str | None = None  # redirect every request for the file there
    # Flaky host: the first `video_drop_first` requests are dropped unanswered, the next
    # `video_unavailable_first` answer 503, the next `video_stall_first` are accepted and then
    # stall (headers and the first bytes sent, then nothing until the fake stops); later ones
    # are served.
    video_drop_first: int = 0
    video_unavailable_first: int = 0
    video_stall_first: int = 0
    video_missing: bool = False  # 404 NoSuchKey, as OSS answers for a removed file
    # Answer this as the task's video_url instead of the fake's own signed link (a video on
    # another host).
    video_link: str | None = None
    video_chunked: bool = False  # send the pattern body without a Content-Length
    # The `usage` object of the SUCCEEDED answer verbatim (e.g. the proxy's shape, or billed
    # seconds that differ from the estimate); None: DashScope's shape for the output duration.
    usage: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if min(self.pending_s, self.running_s, self.video_bytes, self.video_stall_first) < 0:
            raise ValueError("pending_s, running_s and video_bytes must not be negative")
        if self.video_body not in VIDEO_BODIES:
            raise ValueError(f"video_body must be one of {sorted(VIDEO_BODIES)}")


@dataclass
class FakeTask:
    task_id: str
    plan: TaskPlan
    payload: dict[str, Any]
    submitted_at: float  # clock time
    queries: int = 0  # every GET of this id, scripted answers included
    first_seen_done_at: float | None = None  # clock time of the first answer with a terminal status
    file_requests: int = 0  # requests for the result file past its URL checks
    videos_served: int = 0  # times the whole file was sent (an empty or junk body counts)
    canceled_at: float | None = None  # clock time of an accepted cancel

    @property
    def scheduled_at(self) -> float:
        return self.submitted_at + self.plan.pending_s

    @property
    def finished_at(self) -> float:
        """When the plan's outcome is reached (terminal or not)."""
        return self.scheduled_at + self.plan.running_s

    @property
    def expires_at(self) -> float | None:
        if self.plan.expire_after_s is None:
            return None
        return self.submitted_at + self.plan.expire_after_s

    @property
    def done_at(self) -> float | None:
        """Clock time at which the task becomes terminal (by its outcome or by expiry).

        Computed from the plan, so it is known in advance; None if it never becomes terminal.
        """
        candidates = []
        if self.plan.outcome in TERMINAL_STATUSES:
            candidates.append(self.finished_at)
        if self.expires_at is not None:
            candidates.append(self.expires_at)
        return min(candidates) if candidates else None

    def status_at(self, now: float) -> str:
        if self.expires_at is not None and now >= self.expires_at:
            return "UNKNOWN"
        if self.canceled_at is not None:
            return "CANCELED"
        if now < self.scheduled_at:
            return "PENDING"
        if now < self.finished_at:
            return "RUNNING"
        return self.plan.outcome

    @property
    def duration(self) -> int:
        duration: int = self.payload.get("parameters", {}).get("duration", DEFAULT_DURATION)
        return duration

    @property
    def size(self) -> str:
        size: str = self.payload.get("parameters", {}).get("size", DEFAULT_SIZE)
        return size


# --- scripted answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """Answer `status` with `{"code","message","request_id"}` (or `body` verbatim).

    `create_task=True` (submits only) creates the task first, as when the proxy loses the
    upstream's answer after the task exists.
    """

    status: int
    code: str | None = None
    message: str | None = None
    retry_after: float | str | None = None
    body: str | None = None
    content_type: str = "application/json"
    create_task: bool = False


@dataclass(frozen=True)
class Malformed:
    """A non-JSON answer, as a gateway's HTML error page."""

    status: int = 200
    body: str = "<html>bad gateway</html>"
    content_type: str = "text/html"
    create_task: bool = False


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` of real time, then answer `then`, or handle normally if None.

    Handling normally after a client timeout is the "may have been submitted" case: the task
    exists although the client never saw the answer.
    """

    seconds: float
    then: Step | None = None


@dataclass(frozen=True)
class Disconnect:
    """Close the connection without answering (the client sees ServerDisconnectedError)."""

    create_task: bool = False


Step = Reply | Malformed | Delay | Disconnect


# --- records ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as received, and what the fake answered."""

    path: str
    headers: CIMultiDict[str]
    raw: bytes
    json: Any  # the parsed request body, or None (GET, or not JSON)
    at: float  # clock time
    real_at: float  # time.monotonic()
    task_id: str | None = None  # created (submit) or asked about (query/download)
    status: int | None = None  # HTTP status answered; None if the connection was dropped
    answer: Any = None  # the JSON answered, if any
    step: Step | None = None  # the scripted step that decided the answer, if any


def max_in_window(times: Iterable[float], window_s: float) -> int:
    """Most events in any half-open window [t, t + window_s) of the given times."""
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        end = bisect.bisect_left(ordered, start + window_s, lo=i)
        best = max(best, end - i)
    return best


# --- the server ------------------------------------------------------------------------------


class _InvalidParameter(Exception):
    pass


CANCEL_ROUTE = "/api/v1/tasks/{task_id}/cancel"


class FakeBailian:
    def __init__(
        self,
        *,
        api_key: str = "test-api-key",
        clock: Clock | None = None,
        default_plan: TaskPlan | None = None,
    ) -> None:
        self.api_key = api_key
        self.clock: Clock = clock or RealClock()
        self.default_plan = default_plan or TaskPlan()
        self.plan_factory: Callable[[dict[str, Any]], TaskPlan] | None = None
        self.unknown_task_reply = UNKNOWN_TASK_REPLY

        self.tasks: dict[str, FakeTask] = {}
        self.submits: list[Recorded] = []
        self.queries: list[Recorded] = []
        self.downloads: list[Recorded] = []
        self.cancels: list[Recorded] = []
        self.query_times: list[float] = []  # time.monotonic() of every GET /task/...
        self.stalling = 0  # video requests accepted and stalled right now (`video_stall_first`)
        self.submit_times: list[float] = []  # time.monotonic() of every POST

        self._origin = self.clock.now()
        self._planned: deque[TaskPlan] = deque()
        self._submit_script: deque[Step] = deque()
        self._query_script: dict[str | None, deque[Step]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()

    # lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/task/bailian/ref2video", self._handle_submit)
        app.router.add_get("/task/{task_id}", self._handle_query)
        app.router.add_get("/files/{name}", self._handle_file)
        # DashScope's cancel route; whether the proxy offers it is unconfirmed.
        app.router.add_post(CANCEL_ROUTE, self._handle_cancel)
        # handler_cancellation=False (aiohttp's default, made explicit): a handler keeps running
        # after the client gives up, so a delayed submit still creates its task.
        # A short shutdown_timeout keeps stop() fast if a download is still streaming.
        self._runner = web.AppRunner(
            app, handler_cancellation=False, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._stopping.set()  # wakes scripted delays so they do not hold the shutdown
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBailian:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBailian is not started")
        return f"http://127.0.0.1:{self._port}"

    # scripting

    def script_submit(self, *steps: Step) -> None:
        """Answer the next submits with these steps, in order, before normal handling."""
        self._submit_script.extend(steps)

    def script_query(self, *steps: Step, task_id: str | None = None) -> None:
        """Answer the next queries of `task_id` (None: of any task) with these steps.

        A query uses its task's own script first, then the any-task script.
        """
        self._query_script.setdefault(task_id, deque()).extend(steps)

    def forget_scripts(self) -> None:
        """Drop the scripted answers not given yet: from now on every request is handled
        normally (the service is back)."""
        self._submit_script.clear()
        self._query_script.clear()

    def plan_next(self, *plans: TaskPlan) -> None:
        """Use these plans for the next created tasks, before `plan_factory` / `default_plan`."""
        self._planned.extend(plans)

    # measurements

    def max_queries_in_window(self, window_s: float) -> int:
        """Most queries (real time) in any window of `window_s` seconds."""
        return max_in_window(self.query_times, window_s)

    def max_submits_in_window(self, window_s: float) -> int:
        return max_in_window(self.submit_times, window_s)

    def time_string(self, clock_time: float) -> str:
        moment = FAKE_EPOCH + timedelta(seconds=clock_time - self._origin)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"

    # handlers

    async def _handle_submit(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request, self.submits)
        self.submit_times.append(record.real_at)
        step = self._submit_script.popleft() if self._submit_script else None
        return await self._answer(
            request, record, step, lambda: self._submit(request, record), is_submit=True
        )

    async def _handle_cancel(self, request: web.Request) -> web.StreamResponse:
        """Cancels a PENDING task, as DashScope does; anything else is refused."""
        record = await self._record(request, self.cancels)
        if not self._authorized(request):
            return self._refuse(record, 401, "InvalidApiKey", "Invalid API-key provided.")
        task_id = request.match_info["task_id"]
        record.task_id = task_id
        task = self.tasks.get(task_id)
        if task is None:
            return self._refuse(record, 404, "NotFound", f"Task {task_id} not found.")
        if task.status_at(self.clock.now()) != "PENDING":
            return self._refuse(
                record, 400, "UnsupportedOperation", "Only PENDING tasks can be canceled."
            )
        task.canceled_at = self.clock.now()
        return self._json(record, {"request_id": _new_id()})

    async def _handle_query(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request, self.queries)
        self.query_times.append(record.real_at)
        task_id = request.match_info["task_id"]
        record.task_id = task_id
        if task_id in self.tasks:
            self.tasks[task_id].queries += 1
        step = self._next_query_step(task_id)
        return await self._answer(request, record, step, lambda: self._query(request, record))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request, self.downloads)
        name = request.match_info["name"]
        task_id = name.removesuffix(".mp4")
        record.task_id = task_id
        task = self.tasks.get(task_id)
        now = self.clock.now()
        if task is None or not name.endswith(".mp4") or task.status_at(now) == "PENDING":
            return self._oss_error(record, 404, "NoSuchKey", "The specified key does not exist.")
        expires = request.query.get("Expires", "")
        signature = request.query.get("Signature", "")
        if not hmac.compare_digest(signature, _sign(task_id, expires)):
            return self._oss_error(
                record,
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if task.expires_at is not None and now >= task.expires_at:
            return self._oss_error(record, 403, "AccessDenied", "Request has expired.")
        if task.plan.outcome != "SUCCEEDED" or now < task.finished_at:
            return self._oss_error(record, 404, "NoSuchKey", "The specified key does not exist.")
        return await self._serve_video(request, record, task)

    async def _serve_video(
        self, request: web.Request, record: Recorded, task: FakeTask
    ) -> web.StreamResponse:
        plan = task.plan
        task.file_requests += 1
        if task.file_requests <= plan.video_drop_first:
            record.status = None
            return _drop(request)
        if task.file_requests <= plan.video_drop_first + plan.video_unavailable_first:
            return self._oss_error(record, 503, "ServiceUnavailable", "Please try again later.")
        stalls_until = plan.video_drop_first + plan.video_unavailable_first + plan.video_stall_first
        if task.file_requests <= stalls_until:
            return await self._stall(request, record, task)
        if plan.video_missing:
            return self._oss_error(record, 404, "NoSuchKey", "The specified key does not exist.")
        if plan.video_redirect_to is not None:
            return self._redirect(record, plan.video_redirect_to)
        hop = int(request.query.get("hop", "0"))
        if hop < plan.video_redirects:
            return self._redirect(record, str(request.rel_url.update_query(hop=str(hop + 1))))
        task.videos_served += 1
        record.status = 200
        if plan.video_body == "empty":
            return web.Response(status=200, body=b"", content_type="video/mp4")
        if plan.video_body == "not_mp4":
            page = "<html><body>Access through the CDN requires a login.</body></html>"
            return web.Response(status=200, text=page, content_type="text/html")
        if plan.video_file is not None:
            # From disk with sendfile: a 100 MB file is never read into this process.
            return web.FileResponse(plan.video_file, headers={"Content-Type": "video/mp4"})
        return await self._stream_video(
            request,
            record,
            plan.video_bytes,
            declare_size=not plan.video_chunked,
            head=_mp4_shell(plan.video_bytes, task.duration),
        )

    async def _stall(
        self, request: web.Request, record: Recorded, task: FakeTask
    ) -> web.StreamResponse:
        """Accept, answer 200 with the headers and the first bytes of the file, then send
        nothing more until the fake stops (or the client goes: a handler is not cancelled)."""
        record.status = 200
        size = max(task.plan.video_bytes, len(_FTYP))
        response = web.StreamResponse(
            headers={"Content-Type": "video/mp4", "Content-Length": str(size)}
        )
        await response.prepare(request)
        await response.write(_FTYP)
        self.stalling += 1
        try:
            while request.transport is not None and not request.transport.is_closing():
                if await self._sleep_or_stop(0.05):
                    break
        finally:
            self.stalling -= 1
        if request.transport is not None:
            request.transport.close()
        return response

    @staticmethod
    def _redirect(record: Recorded, location: str) -> web.Response:
        record.status = 302
        return web.Response(status=302, headers={"Location": location})

    # answering

    async def _record(self, request: web.Request, into: list[Recorded]) -> Recorded:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = Recorded(
            path=request.path_qs,
            headers=CIMultiDict(request.headers),
            raw=raw,
            json=body,
            at=self.clock.now(),
            real_at=time.monotonic(),
        )
        into.append(record)
        return record

    def _next_query_step(self, task_id: str) -> Step | None:
        for key in (task_id, None):
            script = self._query_script.get(key)
            if script:
                return script.popleft()
        return None

    async def _answer(
        self,
        request: web.Request,
        record: Recorded,
        step: Step | None,
        normal: Callable[[], web.Response],
        *,
        is_submit: bool = False,
    ) -> web.StreamResponse:
        record.step = step
        while isinstance(step, Delay):
            if await self._sleep_or_stop(step.seconds):
                return _drop(request)
            step = step.then
        if step is None:
            return normal()
        if is_submit and getattr(step, "create_task", False):
            normal()  # create the task, then answer as scripted instead
            record.answer = None
        if isinstance(step, Disconnect):
            record.status = None
            return _drop(request)
        if isinstance(step, Malformed):
            record.status = step.status
            return web.Response(status=step.status, text=step.body, content_type=step.content_type)
        assert isinstance(step, Reply)
        headers = {}
        if step.retry_after is not None:
            headers["Retry-After"] = _format_retry_after(step.retry_after)
        record.status = step.status
        if step.body is not None:
            return web.Response(
                status=step.status, text=step.body, content_type=step.content_type, headers=headers
            )
        default_code, default_message = _DEFAULT_ERRORS.get(step.status, ("Error", "Error."))
        answer = {
            "code": step.code or default_code,
            "message": step.message or default_message,
            "request_id": _new_id(),
        }
        return self._json(record, answer, status=step.status, headers=headers)

    async def _sleep_or_stop(self, seconds: float) -> bool:
        """Sleep in real time; True if the fake is stopping meanwhile."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return False
        return True

    def _json(
        self,
        record: Recorded,
        answer: dict[str, Any],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        record.status = status
        record.answer = answer
        return web.json_response(answer, status=status, headers=headers)

    def _refuse(self, record: Recorded, status: int, code: str, message: str) -> web.Response:
        return self._json(
            record, {"code": code, "message": message, "request_id": _new_id()}, status=status
        )

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.api_key}"

    def _submit(self, request: web.Request, record: Recorded) -> web.Response:
        if not self._authorized(request):
            return self._refuse(record, 401, "InvalidApiKey", "Invalid API-key provided.")
        try:
            payload = validate_payload(record.json)
        except _InvalidParameter as error:
            return self._refuse(record, 400, "InvalidParameter", str(error))
        task = FakeTask(
            task_id=_new_id(),
            plan=self._plan_for(payload),
            payload=payload,
            submitted_at=self.clock.now(),
        )
        self.tasks[task.task_id] = task
        record.task_id = task.task_id
        answer = {
            "request_id": _new_id(),
            "output": {"task_id": task.task_id, "task_status": "PENDING"},
        }
        return self._json(record, answer)

    def _plan_for(self, payload: dict[str, Any]) -> TaskPlan:
        if self._planned:
            return self._planned.popleft()
        if self.plan_factory is not None:
            return self.plan_factory(payload)
        return self.default_plan

    def _query(self, request: web.Request, record: Recorded) -> web.Response:
        if not self._authorized(request):
            return self._refuse(record, 401, "InvalidApiKey", "Invalid API-key provided.")
        task_id = request.match_info["task_id"]
        task = self.tasks.get(task_id)
        if task is None:
            if self.unknown_task_reply == "404":
                return self._refuse(record, 404, "NotFound", f"Task {task_id} not found.")
            output = {"task_id": task_id, "task_status": "UNKNOWN"}
            return self._json(record, {"request_id": _new_id(), "output": output})
        now = self.clock.now()
        status = task.status_at(now)
        if status in TERMINAL_STATUSES and task.first_seen_done_at is None:
            task.first_seen_done_at = now
        return self._json(record, self._task_answer(task, status))

    def _task_answer(self, task: FakeTask, status: str) -> dict[str, Any]:
        answer: dict[str, Any] = {"request_id": _new_id()}
        output: dict[str, Any] = {"task_id": task.task_id, "task_status": status}
        answer["output"] = output
        if status == "UNKNOWN" and task.plan.outcome != "UNKNOWN":
            return answer  # expired: DashScope no longer knows anything about it
        prompt = task.payload["input"]["prompt"]
        output["submit_time"] = self.time_string(task.submitted_at)
        if status != "PENDING":
            output["scheduled_time"] = self.time_string(task.scheduled_at)
        if status in TERMINAL_STATUSES:
            output["end_time"] = self.time_string(task.finished_at)
        output["orig_prompt"] = prompt
        if status == "SUCCEEDED":
            output["actual_prompt"] = prompt[:MAX_PROMPT_CHARS]
            output["video_url"] = self._video_url(task)
            answer["usage"] = (
                task.plan.usage
                if task.plan.usage is not None
                else {
                    "duration": task.duration,
                    "input_video_duration": 0,
                    "output_video_duration": task.duration,
                    "SR": 720 if task.size in SIZES_720P else 1080,
                    "size": task.size,
                }
            )
        elif status == "FAILED":
            output["code"] = task.plan.code or "InternalError"
            output["message"] = task.plan.message or "An internal error has occured."
        return answer

    def _video_url(self, task: FakeTask) -> str:
        if task.plan.video_link is not None:
            return task.plan.video_link
        lifetime = task.plan.expire_after_s
        valid_until = task.submitted_at + (OSS_URL_LIFETIME_S if lifetime is None else lifetime)
        expires = str(int(FAKE_EPOCH_UNIX + valid_until - self._origin))
        # Like OSS, the signature is base64 and URL-encoded (+ / = escaped), so a client that
        # re-encodes or decodes the URL breaks here as it would against the real thing.
        signature = quote(_sign(task.task_id, expires), safe="")
        return (
            f"{self.base_url}/files/{task.task_id}.mp4"
            f"?OSSAccessKeyId=LTAIfake&Expires={expires}&Signature={signature}"
        )

    def _oss_error(self, record: Recorded, status: int, code: str, message: str) -> web.Response:
        record.status = status
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
            f"  <Code>{code}</Code>\n  <Message>{message}</Message>\n"
            f"  <RequestId>{uuid.uuid4().hex.upper()[:24]}</RequestId>\n"
            "  <HostId>fake-oss.aliyuncs.com</HostId>\n</Error>\n"
        )
        return web.Response(status=status, text=body, content_type="application/xml")

    async def _stream_video(
        self,
        request: web.Request,
        record: Recorded,
        size: int,
        *,
        declare_size: bool = True,
        head: bytes = _FTYP,
    ) -> web.StreamResponse:
        record.status = 200
        headers = {"Content-Type": "video/mp4"}
        if declare_size:
            headers["Content-Length"] = str(size)
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        # Chunks are slices of one shared buffer: a 50 MB file never sits in memory.
        sent = 0
        while sent < size:
            chunk = (head + _PATTERN[len(head) :]) if sent == 0 else _PATTERN
            n = min(len(chunk), size - sent)
            await response.write(chunk[:n])
            sent += n
        await response.write_eof()
        return response


# --- helpers ---------------------------------------------------------------------------------


def validate_payload(body: Any) -> dict[str, Any]:
    """Check a submit body against the contract; raise _InvalidParameter with a specific message."""
    if not isinstance(body, dict):
        raise _InvalidParameter("The request body must be a JSON object.")
    unknown = sorted(set(body) - TOP_LEVEL_KEYS)
    if unknown:
        raise _InvalidParameter(f"Unknown field: {unknown[0]}")

    model = body.get("model")
    if model is None:
        raise _InvalidParameter("Field required: model")
    if model not in MODELS:
        raise _InvalidParameter(f"Model not exist: {model!r}")

    inp = body.get("input")
    if not isinstance(inp, dict):
        raise _InvalidParameter("Field required: input (an object)")
    _reject_unknown(inp, INPUT_KEYS, "input")
    prompt = inp.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise _InvalidParameter("input.prompt must be a non-empty string")
    if "negative_prompt" in inp and not isinstance(inp["negative_prompt"], str):
        raise _InvalidParameter("input.negative_prompt must be a string")
    urls = inp.get("reference_urls")
    if not isinstance(urls, list):
        raise _InvalidParameter("Field required: input.reference_urls (an array)")
    if not 1 <= len(urls) <= MAX_REFERENCES:
        raise _InvalidParameter(
            f"input.reference_urls must hold 1 to {MAX_REFERENCES} urls, got {len(urls)}"
        )
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _InvalidParameter(f"input.reference_urls: not an http(s) url: {url!r}")

    params = body.get("parameters")
    if not isinstance(params, dict):
        raise _InvalidParameter("Field required: parameters (an object)")
    _reject_unknown(params, PARAMETER_KEYS, "parameters")
    size = params.get("size")
    if size is None:
        raise _InvalidParameter("Field required: parameters.size")
    if size not in SIZES:
        raise _InvalidParameter(f"The size is not match the allowed sizes: {size!r}")
    if "duration" in params:
        duration = params["duration"]
        if not _is_int(duration) or not MIN_DURATION <= duration <= MAX_DURATION:
            raise _InvalidParameter(
                f"parameters.duration must be an integer {MIN_DURATION}-{MAX_DURATION}: "
                f"{duration!r}"
            )
    if "shot_type" in params and params["shot_type"] not in SHOT_TYPES:
        raise _InvalidParameter(
            f"parameters.shot_type must be single or multi: {params['shot_type']!r}"
        )
    if "seed" in params:
        seed = params["seed"]
        if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
            raise _InvalidParameter(f"parameters.seed must be an integer 0-{MAX_SEED}: {seed!r}")
    for flag in ("audio", "watermark"):
        if flag in params and not isinstance(params[flag], bool):
            raise _InvalidParameter(f"parameters.{flag} must be a boolean: {params[flag]!r}")
    return body


def _reject_unknown(obj: dict[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(obj) - known)
    if unknown:
        raise _InvalidParameter(f"Unknown field: {where}.{unknown[0]}")


def _is_int(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python counts as int: the service would not.
    return isinstance(value, int) and not isinstance(value, bool)


def _sign(task_id: str, expires: str) -> str:
    digest = hmac.new(_SIGNING_KEY, f"{task_id}\n{expires}".encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _format_retry_after(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _new_id() -> str:
    return str(uuid.uuid4())


def _drop(request: web.Request) -> web.Response:
    """Close the connection with no answer; aiohttp then has nowhere to write the response."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


__all__ = [
    "FAKE_EPOCH",
    "UNKNOWN_TASK_REPLY",
    "Clock",
    "Delay",
    "Disconnect",
    "FakeBailian",
    "FakeTask",
    "Malformed",
    "ManualClock",
    "RealClock",
    "Recorded",
    "Reply",
    "ScaledClock",
    "Step",
    "TaskPlan",
    "max_in_window",
    "validate_payload",
]
