"""What only the PostgreSQL store does: its schema_version table, refusing a newer schema, and
migrating once when several processes start together."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.store.postgres import PostgresTaskStore
from bot.store.postgres_schema import MIGRATIONS
from tests.store.test_contract import FULL


async def test_a_database_newer_than_the_code_refuses_to_open(postgres_url: str):
    db = await asyncpg.connect(postgres_url)
    try:
        await db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await db.execute("INSERT INTO schema_version VALUES ($1)", len(MIGRATIONS) + 1)
    finally:
        await db.close()

    with pytest.raises(RuntimeError, match="upgrade the bot"):
        await PostgresTaskStore.open(postgres_url)


async def test_processes_starting_together_migrate_once(postgres_url: str):
    stores = await asyncio.gather(*(PostgresTaskStore.open(postgres_url) for _ in range(4)))
    try:
        await stores[0].add(FULL)
        assert [await store.get(FULL.task_id) for store in stores] == [FULL] * 4
    finally:
        for store in stores:
            await store.close()

    db = await asyncpg.connect(postgres_url)
    try:
        versions = [row["version"] for row in await db.fetch("SELECT version FROM schema_version")]
    finally:
        await db.close()
    assert versions == list(range(1, len(MIGRATIONS) + 1))
