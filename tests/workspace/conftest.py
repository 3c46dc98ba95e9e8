"""Fixtures of the workspace tests: a store URL for every backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/plan.db"
    else:
        import psycopg

        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"wp_test_{uuid.uuid4().hex[:16]}"
        yield f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
