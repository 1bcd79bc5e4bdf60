"""Where the task store keeps its data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class StoreSettings:
    # Created with its folder if missing.
    db_path: Path = Path("data/r2v.sqlite3")
    # postgresql://user:password@host/db: a PostgreSQL store shared by several bot processes
    # instead of the SQLite file. Holds a password: kept out of repr.
    database_url: str | None = field(default=None, repr=False)
