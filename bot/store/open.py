"""Which task store the bot uses: PostgreSQL when a database URL is set, else SQLite."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.store.postgres import PostgresTaskStore
from bot.store.protocol import TaskStore
from bot.store.sqlite import SqliteTaskStore

log = logging.getLogger(__name__)


async def open_store(database_url: str | None, sqlite_path: Path) -> TaskStore:
    """Open (and migrate) the store: PostgreSQL at `database_url` (R2V_DATABASE_URL, e.g.
    postgresql://user:password@host/db) when it is set, else the SQLite file `sqlite_path`."""
    if database_url:
        store: TaskStore = await PostgresTaskStore.open(database_url)
        log.info("task store: PostgreSQL")  # the URL may hold a password: not logged
        return store
    store = await SqliteTaskStore.open(sqlite_path)
    log.info("task store: SQLite at %s", sqlite_path)
    return store
