"""Where the task store keeps its data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoreSettings:
    # Created with its folder if missing.
    db_path: Path = Path("data/r2v.sqlite3")
