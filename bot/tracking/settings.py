"""How the background tracker polls (see README "Following a task to its video")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrackerSettings:
    concurrency: int = 8
    max_queries_per_second: float = 5.0
    min_interval_s: float = 4.0
    max_interval_s: float = 30.0
    jitter: float = 0.1
    deadline_s: float = 30 * 60.0
    status_edit_interval_s: float = 5.0
    # Deliveries (downloads, re-encodes, posts) run beside the polling: this many at once, and
    # of them at most this many fetching from one video host. A delivery mostly waits on the
    # network (re-encodes run one at a time anyway), so the lane is wide: video hosts that stall
    # fill it only when there are more of them than it has room for.
    delivery_concurrency: int = 32
    deliveries_per_host: int = 8
    # Delivery retries: capped exponential backoff for as long as the result can be had.
    delivery_retry_first_s: float = 10.0
    delivery_retry_max_s: float = 600.0
    # A process that sent no heartbeat for this long is presumed dead: its tasks move to another.
    worker_timeout_s: float = 60.0
    # How often a process looks for orphaned tasks (of dead processes) to take over.
    claim_interval_s: float = 5.0
    # Tasks the account runs at once per model (Alibaba: 5); the rest of this bot's wait, and a
    # status message shows their place.
    account_concurrency: int = 5
