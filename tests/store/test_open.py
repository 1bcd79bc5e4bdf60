"""The composition root's choice of store: PostgreSQL when a URL is set, else SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.open import open_store
from bot.store.postgres import PostgresTaskStore
from bot.store.sqlite import SqliteTaskStore
from tests.store.test_contract import FULL


async def test_open_store_takes_postgresql_when_a_url_is_set(postgres_url: str, tmp_path: Path):
    sqlite_path = tmp_path / "unused.sqlite3"

    store = await open_store(postgres_url, sqlite_path)
    try:
        assert isinstance(store, PostgresTaskStore)
    finally:
        await store.close()
    assert not sqlite_path.exists()


@pytest.mark.parametrize("url", [None, ""])
async def test_open_store_takes_sqlite_without_a_url(url: str | None, tmp_path: Path):
    sqlite_path = tmp_path / "data" / "tasks.sqlite3"

    store = await open_store(url, sqlite_path)
    try:
        assert isinstance(store, SqliteTaskStore)
        await store.add(FULL)
    finally:
        await store.close()
    assert sqlite_path.exists()
