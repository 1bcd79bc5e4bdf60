"""Both task stores behind one fixture: SQLite in a temporary folder, PostgreSQL in a fresh
database of the session's throwaway server (started only if a PostgreSQL test runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store.open import Store
from bot.store.postgres import PostgresTaskStore
from bot.store.protocol import TaskStore
from bot.store.sqlite import SqliteTaskStore
from tests.pg import postgres_server, postgres_url

__all__ = ["Backend", "backend", "postgres_server", "postgres_url", "store"]


@dataclass(frozen=True)
class Backend:
    """One database, which `open` opens as a new store each time it is called."""

    name: str
    open: Callable[[], Awaitable[Store]]
    location: str


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "tasks.sqlite3"
        return Backend("sqlite", lambda: SqliteTaskStore.open(path), str(path))
    url: str = request.getfixturevalue("postgres_url")
    return Backend("postgres", lambda: PostgresTaskStore.open(url), url)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[TaskStore]:
    store = await backend.open()
    yield store
    await store.close()
