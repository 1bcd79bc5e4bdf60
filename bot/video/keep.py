"""Finished videos kept on disk, one file per task, so a retried delivery never downloads twice.

Names: `<safe id>.mp4` for the original, `<safe id>.fit-<limit>.mp4` for a copy fitted under an
upload limit. Files are written under a `.part` name and renamed into place, so a name that
exists is always a whole file. Blocking file-system calls: call from a thread (the pipeline
does).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Real task ids are UUIDs; anything else is hashed. Hashed names start with "_", which a
# passed-through id cannot, so the two never collide.
_SAFE_ID: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,79}")
_PART_SUFFIX: Final = ".part"
# A partial file this old belongs to a download or encode that died with the process.
STALE_PART_S: Final = 3600.0
DAY_S: Final = 86400.0


@dataclass(frozen=True)
class PruneReport:
    deleted: int
    freed_bytes: int
    kept_bytes: int


def safe_name(task_id: str) -> str:
    if _SAFE_ID.fullmatch(task_id):
        return task_id
    return "_" + hashlib.sha256(task_id.encode()).hexdigest()[:40]


class VideoKeeper:
    def __init__(self, video_dir: Path, *, keep_days: float, max_total_bytes: int) -> None:
        self.video_dir = video_dir
        self._keep_s = keep_days * DAY_S
        self._max_total_bytes = max_total_bytes

    def path_for(self, task_id: str) -> Path:
        return self.video_dir / f"{safe_name(task_id)}.mp4"

    def fit_path_for(self, task_id: str, limit_bytes: int) -> Path:
        return self.video_dir / f"{safe_name(task_id)}.fit-{limit_bytes}.mp4"

    def has(self, task_id: str) -> bool:
        return self.path_for(task_id).is_file()

    def postable_until(self, task_id: str, link_expires_at: float) -> float:
        """Until when a task's video can still be had: its kept file while it is kept (for ever
        with no age limit; pruning for size may end it sooner), else the API's link. Blocking:
        one stat."""
        try:
            kept_at = self.path_for(task_id).stat().st_mtime
        except OSError:  # not kept, or pruned meanwhile
            return link_expires_at
        if self._keep_s == 0:
            return float("inf")
        return max(link_expires_at, kept_at + self._keep_s)

    def partial_path_for(self, final: Path) -> Path:
        """A fresh temp name beside `final`; `commit` renames it into place. The folder is made
        by whoever writes the file (the downloader, off the event loop)."""
        return final.with_name(f"{final.name}.{secrets.token_hex(4)}{_PART_SUFFIX}")

    def commit(self, partial: Path, final: Path) -> None:
        os.replace(partial, final)  # atomic on one file system

    def discard(self, path: Path) -> None:
        # Gone already, or never made (a folder that cannot be written holds nothing to
        # remove); a stale partial left anyway is pruned later.
        with contextlib.suppress(OSError):
            path.unlink()

    def prune(self, now: float) -> PruneReport:
        """Delete files older than keep_days (unless 0), then the oldest until every kept file
        together is under max_total_bytes. `now` is Unix time (`time.time()`)."""
        files: list[tuple[float, int, Path]] = []
        deleted = freed = 0
        try:
            entries = list(os.scandir(self.video_dir))
        except FileNotFoundError:
            return PruneReport(0, 0, 0)
        for entry in entries:
            if not entry.is_file(follow_symlinks=False):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            path = Path(entry.path)
            age = now - stat.st_mtime
            if entry.name.endswith(_PART_SUFFIX):
                if age > STALE_PART_S and self._delete(path):
                    deleted, freed = deleted + 1, freed + stat.st_size
                continue
            if not entry.name.endswith(".mp4"):
                continue  # not ours
            if self._keep_s > 0 and age > self._keep_s:
                if self._delete(path):
                    deleted, freed = deleted + 1, freed + stat.st_size
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self._max_total_bytes:
                break
            if self._delete(path):
                deleted, freed, total = deleted + 1, freed + size, total - size
        return PruneReport(deleted=deleted, freed_bytes=freed, kept_bytes=total)

    @staticmethod
    def _delete(path: Path) -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True


def size(n_bytes: int) -> str:
    """A byte count in the units of the settings (MB of 1024×1024 bytes): "12.4 MB"."""
    if n_bytes < 1024:
        return f"{n_bytes} B"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1024:.1f} KB"
