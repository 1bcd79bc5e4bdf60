"""Whether the SQLite store's file is still the one it opened.

SQLite keeps writing to the file it opened whatever happens to its name: deleted (`rm`), or
replaced by another file (`mv`, a restore done while the bot runs), the open file lives on
unnamed, and everything written to it is gone at the next start, which opens what the name
holds then. `FileWatch` remembers the file's device and inode at open and compares: the store
checks before every paid submit (`SqliteTaskStore.reserve` refuses while the file is not its
own) and now and then on its writes, which the lease's heartbeat makes several a minute; one
`os.stat`, a few microseconds.

When the name stops holding the open file, the store saves what the open file holds beside the
name (`<name>.rescued-<time>`, SQLite's backup API, consistent with the rows not yet
checkpointed) and logs one line saying what happened and what to do. When the same file is back
under its name (moved back), paid commands are taken again.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import aiosqlite

from bot.store.protocol import StoreFileGone

log = logging.getLogger(__name__)

# Between two checks on the store's writes (a paid submit always checks).
CHECK_EVERY_S: Final = 5.0


class FileProblem(enum.Enum):
    DELETED = "deleted"  # nothing at the name
    REPLACED = "replaced"  # another file at the name


class FileChange(enum.Enum):
    GONE = "gone"  # the name stopped holding the open file, just now
    BACK = "back"  # the open file is under its name again


@dataclass(frozen=True)
class _Identity:
    device: int
    inode: int


def _identity(path: Path) -> _Identity | None:
    """The file at `path`, or None when there is none; raises OSError when it cannot be told
    (a folder on the way that cannot be read)."""
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _Identity(found.st_dev, found.st_ino)


class FileWatch:
    """The database file at `path`, as it was when the store opened it."""

    def __init__(
        self,
        path: Path,
        *,
        every_s: float = CHECK_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        opened = _identity(path)
        if opened is None:
            raise FileNotFoundError(f"no database file at {path}")
        self._opened = opened
        self._every_s = every_s
        self._clock = clock
        self._checked_at = clock()
        self.problem: FileProblem | None = None

    def check(self) -> FileChange | None:
        """Look now; the change since the last look, if any (`problem` says what is wrong)."""
        self._checked_at = self._clock()
        try:
            found = _identity(self.path)
        except OSError:
            return None  # cannot be told: nothing is known to be wrong
        problem = (
            None
            if found == self._opened
            else FileProblem.DELETED
            if found is None
            else FileProblem.REPLACED
        )
        was, self.problem = self.problem, problem
        if was is None and problem is not None:
            return FileChange.GONE
        if was is not None and problem is None:
            return FileChange.BACK
        return None

    def check_now_and_then(self) -> FileChange | None:
        """`check`, unless the last look was less than `every_s` ago."""
        if self._clock() - self._checked_at < self._every_s:
            return None
        return self.check()


async def own_file(
    watch: FileWatch | None,
    db: aiosqlite.Connection,
    write_lock: asyncio.Lock,
    *,
    now: bool,
) -> None:
    """Look at the file's name (`now`, or when it is time to), say once when it stopped holding
    the file `db` writes to (after saving a copy between two of its write transactions, which
    `write_lock` orders) and once when it holds it again, and raise StoreFileGone while it does
    not. Nothing to look at for an in-memory database (`watch` None)."""
    if watch is None:
        return
    change = watch.check() if now else watch.check_now_and_then()
    problem = watch.problem
    if change is FileChange.GONE and problem is not None:
        rescued: Path | None = rescue_path(watch.path, time.time())
        error = None
        try:
            async with write_lock, aiosqlite.connect(str(rescued)) as copy:
                await db.backup(copy)
        except (sqlite3.Error, OSError) as failure:
            rescued, error = None, f"{type(failure).__name__}: {failure}"
        log.error(gone_line(watch.path, problem, rescued, error))
    elif change is FileChange.BACK:
        log.warning(back_line(watch.path))
    if problem is not None:
        raise StoreFileGone(f"the task database {watch.path} was {problem.value}")


def rescue_path(path: Path, now: float) -> Path:
    """Where a lost database file's contents are saved: beside its name."""
    return path.with_name(f"{path.name}.rescued-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}")


def gone_line(path: Path, problem: FileProblem, rescued: Path | None, error: str | None) -> str:
    """The one line for the operator when the database file's name stops holding it."""
    what = "was deleted" if problem is FileProblem.DELETED else "was replaced by another file"
    head = (
        f"the task database {path} {what} while the bot runs: the bot still writes to the file "
        "it opened, which the next start will not find, and refuses new paid commands until "
        "that file is back under its name"
    )
    if rescued is not None:
        return (
            f"{head}. What it holds is saved in {rescued}: stop the bot, move that file to "
            f"{path} (keep aside whatever is there now; remove {path}-wal and {path}-shm if a "
            "kill left them), and start the bot again."
        )
    return (
        f"{head}. Saving what it holds beside it failed ({error}): put the file back under "
        f"{path} if it was moved (paid commands resume at once), or stop the bot and restore "
        "a backup (r2v-bot backup); tasks recorded since that backup will be missing."
    )


def back_line(path: Path) -> str:
    return f"the task database {path} is back under its name: paid commands are taken again"
