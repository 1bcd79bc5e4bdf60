"""`r2v-bot backup FILE`: a consistent copy of the SQLite store while the bot runs, or the
pg_dump command for a PostgreSQL one.

The SQLite file is in WAL mode: committed rows may still sit in `-wal` beside it, so copying
the file alone (cp, rsync) can give a torn or stale copy. SQLite's online backup API copies
one consistent snapshot, while the bot goes on writing.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.redaction import REDACTED


@dataclass(frozen=True)
class BackedUp:
    path: Path
    tasks: int
    size_bytes: int


class BackupFailed(Exception):
    """The copy could not be made; the message says why in words for the operator."""


def backup_sqlite(source: Path, target: Path) -> BackedUp:
    """Copy the database `source` to `target` (its folder made if missing; the file replaced
    whole if it exists, never left half written), checked with `PRAGMA quick_check`, as one
    self-contained file (journal mode DELETE, no `-wal` beside it)."""
    if not source.is_file():
        raise BackupFailed(f"there is no task database at {source} (R2V_DB_PATH)")
    if target.resolve() == source.resolve():
        raise BackupFailed(f"{target} is the task database itself: name another file")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Read-only: a backup never writes to the live database.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupFailed(f"the copy of {source} does not check out: {check}")
            (tasks,) = copy.execute("SELECT count(*) FROM tasks").fetchone()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        raise BackupFailed(f"cannot copy {source} to {target}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackedUp(target, int(tasks), target.stat().st_size)


def pg_dump_command(database_url: str, target: Path) -> str:
    """The pg_dump command that backs up the PostgreSQL store at `database_url` to `target`,
    with the password left out of the URL (given by PGPASSWORD, shown redacted, or
    ~/.pgpass)."""
    parts = urlsplit(database_url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    # libpq also takes the password as a query parameter.
    params = [p for p in parts.query.split("&") if p]
    kept = [p for p in params if p.partition("=")[0] != "password"]
    has_password = bool(password) or len(kept) < len(params)
    query = f"?{'&'.join(kept)}" if kept else ""
    url = f"{parts.scheme}://{user}{at}{hostport}{parts.path}{query}"
    command = shlex.join(["pg_dump", "--format=custom", f"--file={target}", url])
    return f"PGPASSWORD={REDACTED} {command}" if has_password else command
