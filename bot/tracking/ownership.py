"""Which active tasks are this process's to follow: the lease the tracker holds them under.

A process alone on its store holds a `SoleLease`: every active task is its own, from start to
stop, and nothing is ever fenced.

Processes sharing one store each hold a `SharedLease` under their own worker id (see the store's
ownership contract in `bot.store.protocol`), registered with the process it runs in (host, pid
space, pid, start time). The lease renews its heartbeat every quarter of the worker timeout, and
runs a claim round at its start, every claim interval, and at the moment another live worker's
heartbeat times out (so a dead process's tasks move at its timeout, not up to a claim interval
later). A claim round:

1. releases every other worker proven dead (`proof_of_death`): by its lock, where the store
   keeps one (SQLite: free once its process ended, in whatever pid namespace it ran), or else
   by its process (it ran in this process's pid space and its pid is gone or names a process
   started at another time). A process killed and started again resumes its predecessor's
   tasks at once instead of after the timeout: on SQLite always (a container started again
   too), on PostgreSQL when it runs in the same pid space (the same machine, outside containers
   or in the same one);
2. works out each live worker's part (`balance`): the tasks it should follow, an even split of
   all active ones, and the share of the account's query cap that goes with them;
3. hands over the tasks it follows beyond its part, polled longest ago first, when another
   worker has fewer than its part: the tracker stops following them before the store lets
   them go, so no task is ever polled by two processes;
4. claims orphans (active tasks with no live owner) up to its part and the tracker's capacity;
5. takes its share of the cap from the store, which never grants more than the others leave.

Every save is fenced by ownership: a save that changes nothing means another process took the
task over, and the tracker forgets it. A lease not renewed for half the timeout (a stall, a lost
database) is `fenced`: the tracker neither polls nor delivers, nor queries at all (its share of
the cap lapses), until the lease has re-read which tasks are still its own. `release()` at a
clean stop hands the tasks and the share over at once instead of after the timeout.

How a process is named as a worker (`SharedLease.for_this_process`), when it is known dead
(`proof_of_death`) and what each worker takes on (`balance`) are decided in this module only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bot.observe.failure_log import FailureLog
from bot.store.protocol import TaskStore
from bot.store.records import TaskRecord
from bot.store.types import ProcessName, Worker, Workforce
from bot.tracking.rate_limit import QueryShare, apportion
from bot.tracking.settings import TrackerSettings

log = logging.getLogger(__name__)

# After a failed heartbeat, try again this soon (at most).
HEARTBEAT_RETRY_S = 1.0
# A claim for another process's timeout runs this long after it: its heartbeat is then older
# than the timeout, by the claim's own comparison.
PAST_TIMEOUT_S = 0.1


class Holder(Protocol):
    """The tracker, as its lease sees it: the tasks it follows under the lease."""

    @property
    def active_count(self) -> int:
        """How many tasks it follows now."""
        ...

    @property
    def capacity(self) -> int:
        """How many tasks it takes on at most by claiming."""
        ...

    def adopt(self, records: Iterable[TaskRecord]) -> None:
        """Follow these tasks (now the lease's) from where the store left them; a task it
        already follows is kept as it is."""
        ...

    def keep_only(self, task_ids: Collection[str]) -> int:
        """Stop following every task not in `task_ids` (no longer the lease's); returns how
        many it dropped."""
        ...

    def hand_over(self, count: int) -> list[TaskRecord]:
        """Stop following up to `count` tasks that are neither being polled nor delivered, those
        polled longest ago first, for another process to take; returns their records."""
        ...


class Lease(Protocol):
    """What the tracker asks of its lease."""

    @property
    def owner(self) -> str | None:
        """The worker id tasks are stored under, or None when the store is not shared."""
        ...

    @property
    def fenced(self) -> bool:
        """True when the tasks may be another process's by now: act on none of them."""
        ...

    async def start(self, holder: Holder) -> None:
        """Hand `holder` the tasks that are its own now, and keep the lease from here on."""
        ...

    async def save(self, record: TaskRecord) -> bool:
        """Write the whole record while its task is still held; False when nothing was written
        (its task is another process's now, or gone): stop following it."""
        ...

    async def release(self) -> None:
        """A clean stop: give the tasks up."""
        ...


def new_worker_id() -> str:
    """A name for this process as a task owner: readable in the database, never reused. The
    pid is its second field (host:pid:random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def this_process() -> ProcessName | None:
    """This process, as other processes can later tell it is gone; None where /proc does not
    tell (not Linux, or a /proc of another pid namespace): such a worker is proven gone only by
    its lock (SQLite), or timed out."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
        pid, _, started = _stat("self")
    except (OSError, ValueError, IndexError):
        return None
    if pid != os.getpid():
        return None
    return ProcessName(socket.gethostname(), f"{boot} {namespace}", pid, started)


def proof_of_death(worker: Worker, me: ProcessName | None) -> str | None:
    """How `worker` is proven no longer to run, as the log says it; None when it is not. One
    rule, with two kinds of evidence, the stronger first:

    1. its lock, where the store keeps one (SQLite's, `Worker.lock_held`): held, the worker
       runs, whatever its pid says; free, its process ended, in whatever pid namespace it ran
       (a container started again leaves nothing else to tell it by);
    2. otherwise its process, as registered, seen from this one (`me`; None: this process
       cannot look): `is_gone`."""
    if worker.lock_held is not None:
        return None if worker.lock_held else "its lock is free"
    process = worker.process
    if process is not None and me is not None and is_gone(process, me):
        return f"pid {process.pid} runs no more"
    return None


def is_gone(other: ProcessName, me: ProcessName) -> bool:
    """True only when `other` provably no longer runs: it ran in the pid space of `me` (the same
    boot of the same kernel, the same pid namespace) and its pid now names no process, a zombie,
    or a process started at another time (the pid was reused). A process elsewhere, or one this
    process may not look at, is never taken for gone."""
    if other.pid_space != me.pid_space or other.pid <= 0:
        return False
    try:
        _, state, started = _stat(str(other.pid))
    except FileNotFoundError:
        # No such process, or one /proc hides from this user (hidepid): kill(0) tells which.
        return not _exists(other.pid)
    except (OSError, ValueError, IndexError):
        return False
    return started != other.started or state in ("Z", "X")


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether there is such a process
    except ProcessLookupError:
        return False
    except OSError:
        return True  # there is one, which this process may not signal
    return True


def _stat(pid: str) -> tuple[int, str, int]:
    """The pid, state and start time (clock ticks from boot) of process `pid` in /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name, in parentheses, may itself hold spaces and parentheses.
    name_ends = stat.rindex(")")
    fields = stat[name_ends + 2 :].split()
    # Fields from the 3rd (state) on; the 22nd is the start time.
    return int(stat[: stat.index(" ")]), fields[0], int(fields[19])


@dataclass(frozen=True)
class Part:
    """What one worker takes on: the active tasks it should follow and its share of the
    account's query cap (queries per window)."""

    tasks: int
    share: int


def balance(force: Workforce, cap: int | None) -> dict[str, Part]:
    """Each live worker's part, by owner. The active tasks are split evenly; the odd ones go to
    those that follow most already, so that as few tasks as possible move. The cap's queries
    then follow those tasks (`apportion`), so that a worker's share is the one for the work it
    is about to have, not for what it had before the tasks moved. A worker that would be left
    without a query (more processes than the cap has queries: the least busy first) takes no
    task. Every worker computes this from what the store says, and so finds the same parts.
    Without a cap (`None`) every worker takes an even part of the tasks, and no share."""
    workers = force.workers
    loads = [worker.tasks for worker in workers]
    if cap is None:
        takers = list(range(len(workers)))
    else:
        takers = [i for i, share in enumerate(apportion(cap, loads)) if share > 0]
    targets = [0] * len(workers)
    if takers:
        even, odd = divmod(force.tasks, len(takers))
        for i in takers:
            targets[i] = even
        for i in sorted(takers, key=lambda i: -loads[i])[:odd]:
            targets[i] += 1
    shares = apportion(cap, targets) if cap is not None else [0] * len(workers)
    return {worker.owner: Part(targets[i], shares[i]) for i, worker in enumerate(workers)}


class SoleLease:
    """The lease of a process alone on its store: every active task is its own."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store

    @property
    def owner(self) -> None:
        return None

    @property
    def fenced(self) -> bool:
        return False

    async def start(self, holder: Holder) -> None:
        """Resume every active task."""
        records = await self._store.active()
        holder.adopt(records)
        if records:
            log.info("resumed tracking %d active task(s)", len(records))

    async def save(self, record: TaskRecord) -> bool:
        if await self._store.save(record):
            return True
        log.info("task %s is no longer in the store", record.task_id)
        return False

    async def release(self) -> None:
        """Nothing to hand over: the next start resumes every active task."""


class SharedLease:
    """The lease of one process among several on one store, under its worker id."""

    def __init__(
        self,
        store: TaskStore,
        owner: str,
        settings: TrackerSettings,
        *,
        process: ProcessName | None = None,
        share: QueryShare | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._owner = owner
        # Where this process runs: registered for the others, and compared with theirs to find
        # the dead. None: neither (a worker that can only be timed out).
        self._process = process
        # This process's share of the account's query cap, set at every claim round; None when
        # the caller limits queries some other way.
        self._share = share
        self._timeout_s = settings.worker_timeout_s
        self._claim_every_s = settings.claim_interval_s
        self._clock = clock
        self._holder: Holder | None = None
        self._keeping: asyncio.Task[None] | None = None
        self._released = False
        # Clock time of the last heartbeat the store took (the request's start, to be safe).
        self._renewed_at = clock()
        # When another live process's heartbeat times out, unless it renews it first.
        self._orphans_due_at: float | None = None
        # A store outage fails every heartbeat until it ends: a few lines, not one per retry.
        self._failures = FailureLog(log, "renewing this process's heartbeat")

    @classmethod
    def for_this_process(
        cls, store: TaskStore, settings: TrackerSettings, *, share: QueryShare | None = None
    ) -> SharedLease:
        """A lease under a new worker id, registered with this process's pid and start time: a
        restarted process must not pass for the one that died, whose tasks it takes over as
        soon as it sees that that one is gone."""
        owner = new_worker_id()
        log.info("worker id %s", owner)
        return cls(store, owner, settings, process=this_process(), share=share)

    @property
    def owner(self) -> str:
        return self._owner

    @property
    def fenced(self) -> bool:
        """True when the heartbeat has not been renewed for half the timeout: other processes
        may be about to take this one's tasks, so it must not act on them."""
        return self._clock() - self._renewed_at > self._timeout_s / 2

    async def start(self, holder: Holder) -> None:
        """Register, run a first claim round, then keep the lease in the background."""
        self._holder = holder
        now = self._clock()
        await self._store.register(self._owner, now, self._process)
        self._renewed(now)
        await self._claim(holder)
        self._keeping = asyncio.create_task(self._keep(holder), name="r2v-ownership")

    async def save(self, record: TaskRecord) -> bool:
        if await self._store.save(record, owner=self._owner):
            return True
        log.info("task %s is followed by another process now", record.task_id)
        return False

    async def release(self) -> None:
        """Stop renewing, then hand the tasks and the share over at once instead of after the
        timeout."""
        # A flag, not only cancel(): the loop checks it between waits, so a cancellation that
        # lands while the loop is between awaits cannot leave it running.
        self._released = True
        if self._keeping is not None:
            self._keeping.cancel()
            await asyncio.gather(self._keeping, return_exceptions=True)
        if self._share is not None:
            self._share.lower(0)
        try:
            await self._store.release(self._owner, self._clock())
        except Exception:
            log.exception(
                "could not release this process's tasks; others take them over "
                "after the worker timeout"
            )
        else:
            held = self._holder.active_count if self._holder is not None else 0
            log.info("released %d task(s) to the other processes", held)

    async def _keep(self, holder: Holder) -> None:
        """Heartbeat every quarter of the timeout; a claim round every claim interval and when
        another process's heartbeat times out."""
        heartbeat_every = self._timeout_s / 4
        next_heartbeat = self._clock() + heartbeat_every
        next_claim = self._clock() + self._claim_every_s
        while not self._released:
            due = self._orphans_due_at if self._orphans_due_at is not None else next_claim
            wake = min(next_heartbeat, next_claim, due)
            await asyncio.sleep(max(0.0, wake - self._clock()))
            now = self._clock()
            try:
                if now >= min(next_claim, due):
                    await self._claim(holder)
                    next_claim = now + self._claim_every_s
                else:
                    await self._heartbeat(holder)
                next_heartbeat = now + heartbeat_every
                self._failures.succeeded()
            except Exception as error:
                self._failures.failed(error)
                # A failed claim is retried then too, not at once (and again, in a loop).
                next_heartbeat = now + min(HEARTBEAT_RETRY_S, heartbeat_every)
                next_claim = max(next_claim, next_heartbeat)
                self._orphans_due_at = None

    async def _heartbeat(self, holder: Holder) -> None:
        now = self._clock()
        if self.fenced:
            await self._reclaim(holder, now)
            return
        await self._store.heartbeat(self._owner, now)
        self._renewed(now)

    async def _claim(self, holder: Holder) -> None:
        """One claim round (see the module's docstring); also a heartbeat."""
        now = self._clock()
        if self.fenced:
            await self._reclaim(holder, now)
        else:
            # Counted among the live workers below, whatever the last heartbeat's age.
            await self._store.heartbeat(self._owner, now)
            self._renewed(now)
        force = await self._bury_the_dead(await self._store.workforce(now, self._timeout_s), now)
        parts = balance(force, self._share.cap.queries if self._share is not None else None)
        mine = parts.get(self._owner, Part(0, 0))
        surplus = holder.active_count - mine.tasks
        if surplus > 0 and any(
            worker.tasks < parts[worker.owner].tasks
            for worker in force.workers
            if worker.owner != self._owner
        ):
            await self._hand_over(holder, surplus)
        room = min(holder.capacity, mine.tasks) - holder.active_count
        claimed = await self._store.claim_orphans(self._owner, now, self._timeout_s, max(0, room))
        self._renewed(now)
        holder.adopt(claimed)
        if claimed:
            log.info("took over %d task(s) without a live owner", len(claimed))
        await self._take_share(mine.share, now)
        others = [w.heartbeat_at for w in force.workers if w.owner != self._owner]
        self._orphans_due_at = min(others) + self._timeout_s + PAST_TIMEOUT_S if others else None

    async def _bury_the_dead(self, force: Workforce, now: float) -> Workforce:
        """Release every other worker proven gone (`proof_of_death`); the workforce without
        them."""
        gone = []
        for worker in force.workers:
            proof = None if worker.owner == self._owner else proof_of_death(worker, self._process)
            if proof is None:
                continue
            await self._store.release(worker.owner, now)
            gone.append(worker)
            log.warning(
                "worker %s is gone (%s); its %d task(s) are taken over now",
                worker.owner,
                proof,
                worker.tasks,
            )
        if not gone:
            return force
        return replace(
            force,
            workers=tuple(w for w in force.workers if w not in gone),
            orphans=force.orphans + sum(w.tasks for w in gone),
        )

    async def _hand_over(self, holder: Holder, count: int) -> None:
        """Stop following `count` tasks, then let the store give them up for others to claim."""
        records = holder.hand_over(count)
        if not records:
            return
        try:
            moved = await self._store.hand_over(self._owner, [r.task_id for r in records])
        except BaseException:
            holder.adopt(records)  # still this process's in the store
            raise
        log.info("handed %d task(s) over to less busy processes", moved)

    async def _take_share(self, wanted: int, now: float) -> None:
        """Ask the store for this process's share of the cap: a lower one is used from now on
        (before the store hands the rest to others), a higher one once the window has passed
        since another process last gave some back."""
        share = self._share
        if share is None:
            return
        cap = share.cap
        share.lower(wanted)
        grant = await self._store.take_share(
            self._owner,
            wanted,
            cap=cap.queries,
            now=now,
            timeout_s=self._timeout_s,
            window_s=cap.spread_s,
        )
        share.grant(
            grant.queries,
            usable_in=grant.freed_at + cap.spread_s - now,
            valid_for=self._valid_for(),
        )
        if grant.queries != wanted:
            log.debug("query share %d of %d (wanted %d)", grant.queries, cap.queries, wanted)

    async def _reclaim(self, holder: Holder, now: float) -> None:
        """After a stall: renew the heartbeat, then keep only the tasks still owned here. Until
        this is done, polls and deliveries wait."""
        await self._store.heartbeat(self._owner, now)
        owned = await self._store.owned(self._owner)
        lost = holder.keep_only({record.task_id for record in owned})
        holder.adopt(owned)
        self._renewed(now)
        log.warning(
            "heartbeat renewed after a stall; %d task(s) had moved to other processes", lost
        )

    def _renewed(self, now: float) -> None:
        """The store took a heartbeat sent at `now`: the lease, and the share, hold on."""
        self._renewed_at = now
        if self._share is not None:
            self._share.renew(self._valid_for())

    def _valid_for(self) -> float:
        """How long until the lease is fenced, unless renewed."""
        return self._timeout_s / 2 - (self._clock() - self._renewed_at)
