"""The PostgreSQL store passes the conformance kit; its URL, schema and error handling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import psycopg
import pytest

from workplan_core.errors import StorageError, ValidationError
from workplan_core.storage import BackendNotFoundError, Put, Store, StoreBusyError, open_store
from workplan_core.storage.postgres import PostgresStore
from workplan_core.testing.storage_kit import StoreConformance

pytestmark = pytest.mark.postgres


class TestPostgresStore(StoreConformance):
    @pytest.fixture
    def store(self, pg_url: str) -> Iterator[Store]:
        with open_store(pg_url) as store:
            yield store

    @pytest.fixture
    def reopen(self, pg_url: str) -> Callable[[], Store]:
        return lambda: open_store(pg_url)


def test_the_schema_parameter_picks_the_schema(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        schema = store.schema
        store.write([Put("c", "k", {"n": 1})])
    dsn = pg_url.rsplit("schema=", 1)[0].rstrip("?&")
    with psycopg.connect(dsn) as conn:
        count = conn.execute(f'SELECT count(*) FROM "{schema}".wp_log').fetchone()
    assert count == (1,)


@pytest.mark.parametrize("schema", ["bad-name", "x;drop", "1abc", "s" * 65])
def test_malformed_schema_names_are_refused(postgres_dsn: str, schema: str) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(f"{postgres_dsn}?schema={schema}")
    assert [p.path for p in caught.value.problems] == ["$.url.schema"]


def test_an_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError) as caught:
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


def test_a_missing_driver_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(BackendNotFoundError, match=r"workplan_core\[postgres\]"):
        PostgresStore("postgresql://nobody@127.0.0.1/none")


def test_a_store_of_a_newer_format_is_refused(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        schema = store.schema
    dsn = pg_url.rsplit("schema=", 1)[0].rstrip("?&")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"UPDATE \"{schema}\".wp_meta SET value = 7 WHERE name = 'format'")
    with pytest.raises(StorageError, match="format 7"):
        open_store(pg_url)


def test_a_lock_timeout_makes_writers_busy(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        schema = store.schema
        dsn = pg_url.rsplit("schema=", 1)[0].rstrip("?&")
        with psycopg.connect(dsn) as blocker:
            blocker.execute(
                f"UPDATE \"{schema}\".wp_meta SET value = value WHERE name = 'last_seq'"
            )
            with open_store(f"{pg_url}&options=-c%20lock_timeout%3D100") as impatient:
                with pytest.raises(StoreBusyError) as caught:
                    impatient.write([Put("c", "k", {})])
                assert isinstance(caught.value.__cause__, psycopg.errors.LockNotAvailable)
            blocker.rollback()
        assert store.write([Put("c", "k", {})]).versions == (1,)
