"""Fixtures shared by the storage tests: a private PostgreSQL schema per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pgschema import drop_schema, new_schema, with_schema


@pytest.fixture
def pg_url(postgres_dsn: str) -> Iterator[str]:
    """The URL of a fresh, private schema; dropped after the test."""
    schema = new_schema()
    yield with_schema(postgres_dsn, schema)
    drop_schema(postgres_dsn, schema)
