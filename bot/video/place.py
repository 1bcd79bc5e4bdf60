"""Where finished videos are kept (`R2V_VIDEO_DIR`), checked: can a file be written there, and
how much room is left. Asked once at start, so the operator reads in one line whether videos
will be kept; a folder that cannot be written does not stop the bot (videos are then posted
without keeping a copy, see `VideoPipeline.fetch`). Blocking file-system calls: call from a
thread."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.video.keep import size

# Results are 10–25 MB: below this much room a busy day can fill the folder.
LOW_FREE_BYTES: Final = 1024**3


@dataclass(frozen=True)
class Writable:
    path: Path
    free_bytes: int


@dataclass(frozen=True)
class Unusable:
    path: Path
    reason: str


Place = Writable | Unusable


def check(path: Path) -> Place:
    """Make the folder if it is missing, write and remove a small file in it, and measure its
    free space."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".r2v-check-") as probe:
            probe.write(b"r2v")
            probe.flush()
        free = shutil.disk_usage(path).free
    except OSError as error:
        return Unusable(path, error.strerror or str(error))
    return Writable(path, free)


def describe(place: Place) -> tuple[int, str]:
    """The log level and the one line that says what the check found."""
    match place:
        case Writable(path, free) if free >= LOW_FREE_BYTES:
            return (
                logging.INFO,
                f"finished videos are kept in {path.absolute()} ({size(free)} free)",
            )
        case Writable(path, free):
            return logging.WARNING, (
                f"finished videos are kept in {path.absolute()} (R2V_VIDEO_DIR), which has only "
                f"{size(free)} free: once it is full, videos are posted without keeping a copy"
            )
        case Unusable(path, reason):
            return logging.WARNING, (
                f"R2V_VIDEO_DIR {path.absolute()} cannot be written ({reason}): finished videos "
                "are posted without keeping a copy until it can be"
            )
