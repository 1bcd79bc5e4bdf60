"""Which workers on one SQLite file still run, told by a lock each holds on a file of its own.

Each worker registered on the file (a bot process's lease) holds an exclusive `flock` on
`<database>.workers/<owner>.lock` from its registration on: until its clean stop (`release`,
which removes the file) or the end of its process. The kernel drops the lock when the last
descriptor of the open file goes, however the process ended and in whatever pid namespace it
ran: a process killed in a container that was then started again (a new pid namespace, where
its pid proves nothing) leaves its lock free. So a worker whose lock another can take is proven
gone, and one whose lock is held runs, whatever its pid says. SQLite is one machine by
definition: every process on the file shares one kernel, hence these locks.

flock(2), not POSIX record locks (fcntl's F_SETLK, lockf): a record lock belongs to a process,
so two workers in one process never conflict, and a process that closes any descriptor of the
file (a probe of another worker's lock) drops every record lock it holds on it. A flock belongs
to the open file: two opens conflict, in one process as in two, across pid namespaces and
containers that share the folder on one kernel. Python opens the file close-on-exec: a program
the bot runs (ffmpeg) does not inherit the lock.

Not on a network file system (NFS, SMB, ...): Linux emulates flock there with record locks that
the server may lose (its restart, a lapsed lease), which would take a live worker for dead.
There no lock is taken or trusted (`WorkerLocks.beside` says so once): a worker is then proven
gone by its pid or waited out. SQLite itself is not safe on such a file system.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from collections.abc import Collection
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote

log = logging.getLogger(__name__)

# File systems whose locks are not the kernel's own (told by /proc/self/mountinfo).
NETWORK_FILE_SYSTEMS: Final = frozenset(
    {
        "9p",
        "afs",
        "ceph",
        "cifs",
        "fuse.ceph",
        "fuse.glusterfs",
        "fuse.sshfs",
        "glusterfs",
        "gpfs",
        "lustre",
        "ncpfs",
        "nfs",
        "nfs4",
        "smb3",
        "smbfs",
    }
)

_SUFFIX: Final = ".lock"


class WorkerLocks:
    """The lock files of the workers of one SQLite database, in one folder beside it; the locks
    this store's workers hold."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # The open (and locked) lock files of the workers registered through this store.
        self._held: dict[str, int] = {}

    @classmethod
    def beside(cls, database: Path) -> WorkerLocks | None:
        """The locks of `database`'s workers, in `<database>.workers`; None (said once in the
        log) when the database is on a network file system."""
        folder = database.with_name(f"{database.name}.workers")
        try:
            kind = file_system_of(database.parent, Path("/proc/self/mountinfo").read_text())
        except OSError:
            kind = None  # not Linux: the kernel's own file system, as far as anyone can tell
        if kind in NETWORK_FILE_SYSTEMS:
            log.warning(
                "the task database %s is on a network file system (%s), where SQLite is not "
                "safe and file locks may be lost: keep it on a local disk. Meanwhile a crashed "
                "process's tasks are taken over only when its pid proves it gone, or after "
                "R2V_WORKER_TIMEOUT_SECONDS",
                database,
                kind,
            )
            return None
        return cls(folder)

    def hold(self, owner: str) -> None:
        """Take `owner`'s lock, for as long as this store runs or until `remove`. Raises
        OSError when it cannot (a folder that cannot be written, or the lock held elsewhere)."""
        if owner in self._held:
            return
        self.folder.mkdir(exist_ok=True)
        path = self._path(owner)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(descriptor)
            raise
        self._held[owner] = descriptor

    def held(self, owner: str) -> bool | None:
        """Whether `owner`'s lock is held: True (here, or by another process: the worker runs),
        False (nobody holds it: the worker is gone), None (no lock file tells: a worker that
        took none, or one that cannot be read)."""
        if owner in self._held:
            return True
        try:
            descriptor = _take(self._path(owner))
        except OSError:
            return None
        if descriptor is None:
            return True
        os.close(descriptor)
        return False

    def remove(self, owner: str) -> None:
        """`owner` stopped cleanly, or was proven gone: its lock file goes, unless another
        process holds its lock."""
        path = self._path(owner)
        descriptor = self._held.pop(owner, None)
        if descriptor is None:
            try:
                descriptor = _take(path)
            except OSError:
                return
            if descriptor is None:
                return
        try:
            # While locked: whoever opens the file meanwhile finds its lock held, or gone.
            path.unlink(missing_ok=True)
        finally:
            os.close(descriptor)

    def sweep(self, live: Collection[str], older_than_s: float) -> None:
        """Remove the lock files that nobody holds of workers not in `live` (gone long since,
        their tasks taken over at their timeout) and written over `older_than_s` ago (a worker
        registering just now has not locked its new file yet)."""
        try:
            names = [entry.name for entry in os.scandir(self.folder)]
        except OSError:
            return
        for name in names:
            owner = unquote(name.removesuffix(_SUFFIX))
            if not name.endswith(_SUFFIX) or owner in live or owner in self._held:
                continue
            path = self.folder / name
            try:
                if time.time() - path.stat().st_mtime <= older_than_s:
                    continue
            except OSError:
                continue
            self.remove(owner)

    def close(self) -> None:
        """Drop the locks of this store's workers; their files stay, so that the others prove
        these workers gone."""
        while self._held:
            _, descriptor = self._held.popitem()
            os.close(descriptor)

    def _path(self, owner: str) -> Path:
        # Worker ids are host:pid:random; whatever else one holds cannot leave the folder.
        return self.folder / f"{quote(owner, safe=':')}{_SUFFIX}"


def _take(path: Path) -> int | None:
    """An open descriptor of `path` holding its lock, or None when another holds it. Raises
    OSError when there is no such file, or it cannot be opened."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


_ESCAPED: Final = re.compile(r"\\([0-7]{3})")


def file_system_of(path: Path, mountinfo: str) -> str | None:
    """The type of the file system `path` is on, by the mount table `mountinfo` (the text of
    /proc/self/mountinfo: the mount point is its 5th field, the type the first after " - ");
    None when no mount holds it."""
    target = os.path.realpath(path)
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        head, separator, tail = line.partition(" - ")
        fields = head.split()
        if not separator or len(fields) < 5 or not tail.split():
            continue
        point = _ESCAPED.sub(lambda m: chr(int(m.group(1), 8)), fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        # The last of equal mount points is the one on top.
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), tail.split()[0])
    return best[1] if best is not None else None
