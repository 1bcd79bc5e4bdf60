"""What the bot counts, for `GET /metrics` (Prometheus text, written by prometheus-client).

One `Metrics` per bot, built by the composition root and passed to whoever counts; each has its
own registry, so several bots in one process (the tests) never share a count. Labels carry only
closed sets of words (a delivery route, an error kind, the configured currency): never a task
id, a member, a prompt or anything secret.

    metrics = Metrics(currency="CNY")
    metrics.query()                       # one task query sent to the API (retries included)
    metrics.api_error(ErrorKind.SERVER)   # one failed API call attempt, by kind (bot.api.errors)
    metrics.submitted()                   # one task created by the API
    metrics.delivered(Route.CHANNEL, 42.0)
    metrics.fitted(12.5)                  # one re-encode to fit an upload limit
    metrics.spent(5, Decimal("2.50"))     # billed seconds and amount of a finished task
    metrics.follow_active(lambda: tracker.active_count)
    body, content_type = metrics.exposition(accept_header)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot.api.errors import ErrorKind

# From the API's SUCCEEDED to the video posted: a download, maybe a re-encode, a post; longer
# when Discord or the video host is having a bad day and delivery is retried.
DELIVERY_BUCKETS_S: Final = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600)
# One ffmpeg pass over a video of at most 10 s (bot.video.fit; its own time limit is 10 min).
FIT_BUCKETS_S: Final = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600)


class Route(StrEnum):
    """How a finished task's result reached its requester."""

    CHANNEL = "channel"  # the video posted in the task's channel
    DM = "dm"  # the video sent by direct message
    FOLLOWUP = "followup"  # privately in the channel, through the command's follow-up
    LINK = "link"  # the video could not be made to fit: posted as a link


class Metrics:
    def __init__(self, *, currency: str = "CNY") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._currency = currency
        registry = self.registry
        self._submitted = Counter(
            "r2v_tasks_submitted", "Tasks the API created for this bot.", registry=registry
        )
        self._active = Gauge(
            "r2v_tasks_active",
            "Tasks this process follows now (queued, generating or being delivered).",
            registry=registry,
        )
        self._delivered = Counter(
            "r2v_videos_delivered",
            "Finished videos that reached their requester, by route.",
            ["route"],
            registry=registry,
        )
        self._queries = Counter(
            "r2v_api_queries",
            "Task queries sent to the API, retries included (what the account's rate cap counts).",
            registry=registry,
        )
        self._api_errors = Counter(
            "r2v_api_errors",
            "Failed API call attempts (submit, query, cancel), by kind.",
            ["kind"],
            registry=registry,
        )
        self._delivery = Histogram(
            "r2v_delivery_seconds",
            "Seconds from the API's SUCCEEDED to the video posted.",
            buckets=DELIVERY_BUCKETS_S,
            registry=registry,
        )
        self._fit = Histogram(
            "r2v_fit_seconds",
            "Seconds one ffmpeg re-encode took to fit a video under an upload limit.",
            buckets=FIT_BUCKETS_S,
            registry=registry,
        )
        self._billed = Counter(
            "r2v_billed_seconds",
            "Billed seconds of finished tasks, as the API reported them.",
            registry=registry,
        )
        self._spend = Counter(
            "r2v_spend_amount",
            "Money spent on finished tasks (billed seconds at the configured prices).",
            ["currency"],
            registry=registry,
        )
        # Every label value is known up front, so each series shows (at 0) from the first
        # scrape: a rate over a series that appears only with its first event misses that event.
        for route in Route:
            self._delivered.labels(route=route.value)
        for kind in ErrorKind:
            self._api_errors.labels(kind=kind.value)
        self._spend.labels(currency=currency)

    def submitted(self) -> None:
        self._submitted.inc()

    def delivered(self, route: Route, seconds: float | None = None) -> None:
        """One result delivered by `route`; `seconds` since the API's SUCCEEDED, when known."""
        self._delivered.labels(route=route.value).inc()
        if seconds is not None:
            self._delivery.observe(max(0.0, seconds))

    def query(self) -> None:
        self._queries.inc()

    def api_error(self, kind: ErrorKind) -> None:
        self._api_errors.labels(kind=kind.value).inc()

    def fitted(self, seconds: float) -> None:
        self._fit.observe(max(0.0, seconds))

    def spent(self, seconds: int, amount: Decimal) -> None:
        """What one finished task cost: billed seconds and amount in the configured currency."""
        self._billed.inc(max(0, seconds))
        self._spend.labels(currency=self._currency).inc(float(max(Decimal(0), amount)))

    def follow_active(self, count: Callable[[], int]) -> None:
        """`r2v_tasks_active` is `count()` at each scrape (the tracker's own count)."""
        self._active.set_function(count)

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The text a scrape gets and its content type: Prometheus text, or OpenMetrics when
        the scraper asks for it."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
