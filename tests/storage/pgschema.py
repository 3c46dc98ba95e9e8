"""Helpers for tests that need a private PostgreSQL schema."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from workplan_core.storage import Store, open_store


def with_schema(dsn: str, schema: str) -> str:
    """The store URL of `schema` on the server named by `dsn`."""
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


def new_schema() -> str:
    """A fresh schema name, unique to one test."""
    return f"wp_test_{uuid.uuid4().hex[:16]}"


def drop_schema(dsn: str, schema: str) -> None:
    """Drop a test schema and everything in it."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextlib.contextmanager
def private_store(dsn: str) -> Iterator[Store]:
    """A store in a fresh schema, dropped on exit."""
    schema = new_schema()
    try:
        with open_store(with_schema(dsn, schema)) as store:
            yield store
    finally:
        drop_schema(dsn, schema)
