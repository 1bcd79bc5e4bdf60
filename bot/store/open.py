"""Which task store the bot uses: PostgreSQL when a database URL is set, else SQLite."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from bot.store.cast import CastStore
from bot.store.postgres import PostgresTaskStore
from bot.store.protocol import TaskStore
from bot.store.sqlite import SqliteTaskStore
from bot.store.team import TeamSettingsStore

log = logging.getLogger(__name__)


class Store(TaskStore, CastStore, TeamSettingsStore, Protocol):
    """Everything the bot keeps: its tasks, each server's cast and each server's settings."""


async def open_store(database_url: str | None, sqlite_path: Path) -> Store:
    """Open (and migrate) the store: PostgreSQL at `database_url` (R2V_DATABASE_URL, e.g.
    postgresql://user:password@host/db) when it is set, else the SQLite file `sqlite_path`."""
    if database_url:
        store: Store = await PostgresTaskStore.open(database_url)
        log.info("task store: PostgreSQL")  # the URL may hold a password: not logged
        return store
    store = await SqliteTaskStore.open(sqlite_path)
    log.info("task store: SQLite at %s", sqlite_path)
    return store
