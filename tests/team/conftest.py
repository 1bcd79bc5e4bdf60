"""The settings service runs against both stores (fixtures shared with tests/store)."""

from tests.store.conftest import backend, postgres_server, postgres_url, store

__all__ = ["backend", "postgres_server", "postgres_url", "store"]
