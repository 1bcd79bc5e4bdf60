"""What every benchmark shares: a result row, percentiles, the table, and requests to submit."""

from __future__ import annotations

import asyncio
import inspect
import math
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

import aiohttp

from bot.api.client import BailianClient
from bot.config import Config
from bot.generation.pricing import CNY_LIST_PRICES
from bot.generation.request import CommandInput, Defaults, GenerationRequest, build_request
from bot.policy import LimitSettings
from bot.requester import Requester
from bot.service import Announce, GenerationService, Submitted
from bot.store.protocol import TaskStore
from bot.store.records import Origin, TaskRecord
from bot.team.values import TeamSettings
from bot.tracking.tracker import Tracker

DEFAULTS = Defaults(model="wan2.6-r2v-flash", size="1920*1080")
REQUESTER = Requester(Origin(requester_id=42, guild_id=1, channel_id=2))
# The benchmarks measure the bot, not the team's limits: a benchmark sends many commands.
UNLIMITED = LimitSettings(max_active_per_user=0, user_cooldown_s=0, confirm_above=None)
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=60)


async def _unlimited(guild_id: int | None) -> TeamSettings:
    return TeamSettings(UNLIMITED, DEFAULTS)


def make_service(
    api: BailianClient, store: TaskStore, tracker: Tracker, deadline_s: float
) -> GenerationService:
    """The real GenerationService as the bot wires it, with list prices and no user limits."""
    return GenerationService(
        api,
        store,
        tracker,
        settings_for=_unlimited,
        prices=CNY_LIST_PRICES,
        currency="CNY",
        deadline_s=deadline_s,
    )


async def _status_message_1(record: TaskRecord) -> int:
    return 1


async def submit_tracked(
    service: GenerationService,
    request: GenerationRequest,
    *,
    who: Requester = REQUESTER,
    post_status: Announce = _status_message_1,
) -> TaskRecord:
    """Quote, submit and track one request as the cog would, by `who`, with the status message
    `post_status` posts (by default one of id 1)."""
    quote = await service.quote(request, who, UNLIMITED)
    outcome = await service.submit(quote, who, post_status)
    assert isinstance(outcome, Submitted), outcome
    return outcome.record


@dataclass(frozen=True)
class Row:
    """One line of the table. `ours`/`peer` are numbers in `unit`; `target` is text."""

    figure: str
    ours: float | str
    unit: str = ""
    peer: float | None = None
    peer_name: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.peer is None or not isinstance(self.ours, int | float) or self.peer == 0:
            return None
        return self.ours / self.peer

    def to_json(self) -> dict[str, object]:
        return {
            "figure": self.figure,
            "ours": self.ours,
            "unit": self.unit,
            "peer": self.peer,
            "peer_name": self.peer_name,
            "target": self.target,
            "met": self.met,
        }


def cap_row(label: str, max_queries_1s: int, cap: float) -> Row:
    """The most queries seen in any 1 s window against the query cap."""
    return Row(
        label,
        float(max_queries_1s),
        "",
        peer=cap,
        peer_name="the cap",
        target="≤ cap",
        met=max_queries_1s <= cap,
    )


def delivered_row(once: int, twice: int, total: int, queries: int, wall_s: float) -> Row:
    """Every task delivered exactly once: `once` of `total`, none (`twice`) more than once."""
    return Row(
        f"delivered exactly once ({queries} queries, {wall_s:.0f} s)",
        f"{once}/{total}",
        target="all",
        met=once == total and not twice,
    )


def once_and_twice(counts: Sequence[int]) -> tuple[int, int]:
    """Of the deliveries per task: how many tasks had exactly one, how many more than one."""
    return counts.count(1), sum(1 for count in counts if count > 1)


async def until(
    check: Callable[[], object], timeout_s: float, what: str, every_s: float = 0.1
) -> None:
    """Poll every `every_s` until `check()` (a value or an awaitable one) is true; after
    `timeout_s`, raise TimeoutError(`what`)."""
    deadline = time.monotonic() + timeout_s
    while not await _value(check()):
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(every_s)


async def _value(result: object) -> object:
    return await result if inspect.isawaitable(result) else result


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux VmHWM, which starts afresh at exec:
    `ru_maxrss` of a child process starts at its parent's RSS at fork time (a bench worker
    started late in a full run would report the whole bench's memory)."""
    try:
        return status_kb("VmHWM") / 1024
    except (OSError, RuntimeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_kb(field: str) -> int:
    """A kB figure of this process from /proc/self/status (OSError or RuntimeError if none)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q / 100 * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def _number(value: float | str | None, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "n/a"
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def format_table(rows: Sequence[Row]) -> str:
    header = ("figure", "ours", "peer", "ratio", "target", "met?")
    lines = [header]
    for row in rows:
        peer = "—" if row.peer is None else f"{_number(row.peer, row.unit)} ({row.peer_name})"
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        met = "—" if row.met is None else ("yes" if row.met else "NO")
        lines.append((row.figure, _number(row.ours, row.unit), peer, ratio, row.target, met))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    ]
    rendered.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(rendered)


def make_request(
    model: str = "wan2.6-r2v-flash", size: str = "1920*1080", duration: int = 5, seed: int = 1
) -> GenerationRequest:
    """A valid request through the real validation (one linked image reference)."""
    command = CommandInput(
        prompt="character1 waves at the camera",
        links="https://example.com/ref.png",
        model=model,
        size=size,
        duration=duration,
        seed=seed,
    )
    return build_request(command, DEFAULTS)


def without_user_limits(config: Config) -> Config:
    """The config with per-user guardrails (cooldown, active cap, price confirmation) off, as
    the test suite runs it: a benchmark sends many commands as one user."""
    if "limits" not in {f.name for f in fields(config)}:
        return config  # a bot without guardrails
    from bot.policy import LimitBook

    return replace(config, limits=LimitBook(UNLIMITED))
