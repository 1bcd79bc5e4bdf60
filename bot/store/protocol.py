"""What the rest of the bot may ask of a task store, whichever database is behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Protocol, TypeVar

from bot.store.records import TaskRecord
from bot.store.types import Hold, OpenIntent, ProcessName, ShareGrant, Spend, Usage, Workforce

RefusalT = TypeVar("RefusalT")


class DuplicateTaskError(Exception):
    """`add` of a task id that is already stored."""


class StoreFileGone(OSError):
    """The store's database file was deleted or replaced while the bot runs (SQLite): what is
    written goes to a file the next start will not find, so nothing new is paid for. An
    OSError, like the other ways a file system lets a store down."""


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer bot than this one: opening it is refused."""


class TaskStore(Protocol):
    """Every submitted task, written before its requester hears of it.

    Billing: failed and canceled tasks cost nothing; every other task created in a window
    counts with its billed seconds and amount (a task still running may yet be billed).

    Ownership, so that several bot processes can share one database: each process (a worker,
    named by an id such as `bot.tracking.ownership.new_worker_id()`, and `register`ed with the
    process it runs in) owns the tasks it follows and proves it is alive with `heartbeat`. An
    active task whose owner is gone (no heartbeat within the timeout, or `release`d: at a clean
    stop, or by another worker that proved it dead) or that has none is an orphan, which
    `claim_orphans` hands to exactly one claimer. A fenced `save` writes only while the task is
    still the caller's. `hand_over` gives tasks up so that a less busy worker claims them.

    The account's query cap is shared out in whole queries per window: `take_share` grants a
    worker at most what the other live workers leave, so that the shares never add up to more
    than the cap.

    Reservations (holds) make per-member limits hold across processes: `reserve` decides and
    inserts under one lock per member, and `add(reservation=)` swaps the hold for the task in
    one transaction, so a submission is counted exactly once.

    A hold is also the submission's intent, written before anything is paid: when its task is
    never stored (the process died mid-submit, or the store failed as the task was written),
    `open_intents` finds it for a later start, which tells the member and marks it
    `intent_told`.
    """

    async def add(
        self, record: TaskRecord, *, owner: str | None = None, reservation: int | None = None
    ) -> None:
        """Store a new task, owned by `owner` (the submitting worker), and its first event (its
        status at submission); in the same transaction drop the hold `reservation`, which the
        task now replaces. A task id that is already stored raises DuplicateTaskError and
        changes nothing."""

    async def save(self, record: TaskRecord, *, owner: str | None = None) -> bool:
        """Write the whole mutable state of a stored task (every field but the key and the
        request fields fixed at submission). With `owner`, only if the task is still owned by
        it and not done. False when nothing was written: no such task, another worker took it
        over or it ended elsewhere (stop following it)."""

    async def get(self, task_id: str) -> TaskRecord | None: ...

    async def active(self) -> list[TaskRecord]:
        """Tasks not yet done, oldest first: what a restart resumes."""

    async def active_for_user(self, requester_id: int) -> list[TaskRecord]:
        """One user's tasks not yet done, oldest first."""

    async def recent_for_user(self, requester_id: int, limit: int = 10) -> list[TaskRecord]:
        """One user's tasks, newest first."""

    async def recent_finished(self, limit: int = 500) -> list[TaskRecord]:
        """Done, succeeded tasks, newest first: the tracker learns typical durations from them."""

    async def usage(self, user_id: int, guild_id: int | None, since: float) -> Usage:
        """What counts against the limits: the user's running tasks and last submission, and
        the billed spend of the user and of the guild since `since`."""

    async def spend_since(
        self, since: float, *, requester_id: int | None = None, guild_id: int | None = None
    ) -> Spend:
        """Billed spend since `since` of one requester (if given) or else of one guild."""

    async def guild_spend_by_user(self, guild_id: int, since: float) -> list[tuple[int, Spend]]:
        """Per member spend in a guild since `since`, largest amount first."""

    async def guild_tasks_since(self, guild_id: int, since: float) -> list[TaskRecord]:
        """Every task made in a guild since `since`, oldest first (for accounting)."""

    async def add_event(self, task_id: str, at: float, status: str) -> None: ...

    async def events(self, task_id: str) -> list[tuple[float, str]]:
        """(time, status) of a task, in time order (insertion order among equal times)."""

    async def register(self, owner: str, now: float, process: ProcessName | None) -> None:
        """Worker `owner` starts, in `process` (None: unknown), and is alive at `now`. On
        SQLite it takes the worker's lock first, held until its `release` or the store's
        `close` (the kernel drops it when the process ends): see `Worker.lock_held`."""

    async def heartbeat(self, owner: str, now: float) -> None:
        """Record that worker `owner` is alive at `now`."""

    async def workforce(self, now: float, timeout_s: float) -> Workforce:
        """The workers with a heartbeat since `now - timeout_s`, by owner, each with its process,
        share, count of active tasks and whether its lock is held, and the count of active tasks
        none of them owns."""

    async def claim_orphans(
        self, owner: str, now: float, timeout_s: float, limit: int
    ) -> list[TaskRecord]:
        """Take over up to `limit` active tasks, oldest first, that have no owner or whose
        owner sent no heartbeat since `now - timeout_s`; also a heartbeat of `owner`. Among
        concurrent claimers each task goes to one."""

    async def hand_over(self, owner: str, task_ids: Collection[str]) -> int:
        """Give up these active tasks of `owner`: they become orphans. Returns how many."""

    async def owned(self, owner: str) -> list[TaskRecord]:
        """The active tasks `owner` owns, oldest first."""

    async def take_share(
        self, owner: str, wanted: int, *, cap: int, now: float, timeout_s: float, window_s: float
    ) -> ShareGrant:
        """Set the share of the query cap `owner` holds to `wanted`, or to what is left of `cap`
        when the other workers hold more: a worker holds its share from its last heartbeat
        until `timeout_s + window_s` later, when its last queries are out of the window. A
        worker that lowers its share gives it back at `now` (see `ShareGrant.freed_at`). No
        other `take_share`, in any process, runs in between."""

    async def reserve(
        self, hold: Hold, decide: Callable[[], Awaitable[RefusalT | None]]
    ) -> int | RefusalT:
        """Ask `decide` whether one more submission fits and, if it does, store `hold` (with
        its owner and intent); no other `reserve` of the same member, in any process, runs in
        between. `decide` must read (`usage`, `holds`) through this same store: on SQLite its
        one connection holds the lock. Returns the hold's id, or what `decide` refused with.
        Expired holds go, but for open intents (until their member is told). Raises
        StoreFileGone, before anything is written, while the store's file is not its own."""

    async def holds(self, user_id: int | None, guild_id: int | None, now: float) -> list[Hold]:
        """Unexpired holds of the member, or in the guild (a None matches nothing: SQL's
        `= NULL` is never true)."""

    async def drop_hold(self, reservation: int) -> None:
        """The submission failed for certain: it no longer counts."""

    async def open_intents(
        self, owner: str | None, live_since: float, started_at: float
    ) -> list[OpenIntent]:
        """Holds with an intent, whose task is not stored and whose member was not told, that
        no live process will finish: their owner is another worker with no heartbeat since
        `live_since`, or (for a process alone on its store, `owner` None) they have no owner
        and were written before `started_at`. Oldest first."""

    async def intent_told(self, reservation: int, now: float, task_id: str | None = None) -> bool:
        """The member of an open intent is told (at `now`; with the task id, when known): it
        is open no more. False when it was not open (told by another process, or gone). The
        hold goes on counting until its `until`."""

    async def intent_untold(self, reservation: int) -> None:
        """Telling the member failed for now: the intent is open again, for a later round."""

    async def release(self, owner: str, now: float) -> None:
        """A worker's clean exit, or its death proven by another worker: its tasks become
        orphans at once, it is no longer live, its share of the cap is given back at `now`, and
        its lock file (SQLite), unless someone still holds the lock, goes."""

    async def ping(self) -> None:
        """One trip to the database and back, for `/healthz`; raises when it does not answer
        (the caller bounds the wait), and StoreFileGone while its file is not its own."""

    async def close(self) -> None: ...
