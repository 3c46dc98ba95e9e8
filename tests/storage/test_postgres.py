"""The PostgreSQL store passes the conformance kit; its URL, schema and error handling."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from pgschema import drop_schema, new_schema, with_schema

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


def _open_after(url: str, barrier: Any, results: Any) -> None:
    """Open the store at `url` once every process is ready; report "ok" or the error."""
    barrier.wait()
    try:
        open_store(url).close()
        results.put("ok")
    except Exception as exc:  # reported to the test
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("round_", range(5))
def test_processes_opening_a_new_schema_at_once_all_succeed(postgres_dsn: str, round_: int) -> None:
    context = multiprocessing.get_context("fork")
    schema = new_schema()
    url = with_schema(postgres_dsn, schema)
    barrier = context.Barrier(6)
    results = context.Queue()
    processes = [
        context.Process(target=_open_after, args=(url, barrier, results)) for _ in range(6)
    ]
    try:
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)
    finally:
        drop_schema(postgres_dsn, schema)
    assert outcomes == ["ok"] * 6


def _terminate(conn: psycopg.Connection[Any] | None, dsn: str) -> None:
    """End the server process of one of a store's connections, as an admin or a crash would."""
    assert conn is not None
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))


def _terminate_reader(store: PostgresStore, dsn: str) -> None:
    """End the store's read connection."""
    _terminate(store._reader, dsn)


def test_a_lost_read_connection_fails_its_stream_and_is_reopened(
    pg_url: str, postgres_dsn: str
) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.write([Put("c", f"k{n:05d}", {"n": n}) for n in range(5000)])
        stream = store.scan("c")
        next(stream)
        _terminate_reader(store, postgres_dsn)
        with pytest.raises(StorageError) as caught:
            sum(1 for _ in stream)
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        assert sum(1 for _ in store.scan("c")) == 5000
        assert len(list(store.history("c", "k00001"))) == 1
        assert sum(1 for _ in store.changes()) == 5000


@pytest.mark.parametrize("feed", ["scan", "history", "changes"])
def test_a_read_connection_lost_while_idle_is_reopened(
    pg_url: str, postgres_dsn: str, feed: str
) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.write([Put("c", "k", {"n": 1})])
        assert len(list(store.scan("c"))) == 1  # opens the read connection
        _terminate_reader(store, postgres_dsn)
        reads = {
            "scan": lambda: store.scan("c"),
            "history": lambda: store.history("c", "k"),
            "changes": store.changes,
        }
        assert [r.key for r in reads[feed]()] == ["k"]


def test_a_kept_stream_on_a_lost_read_connection_does_not_block_new_ones(
    pg_url: str, postgres_dsn: str
) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.write([Put("c", f"k{n:05d}", {"n": n}) for n in range(3000)])
        kept = store.scan("c")
        next(kept)
        _terminate_reader(store, postgres_dsn)
        assert sum(1 for _ in store.changes()) == 3000
        assert sum(1 for _ in store.scan("c")) == 3000
        with pytest.raises(StorageError):
            list(kept)
        assert sum(1 for _ in store.scan("c")) == 3000


def _terminate_main(store: PostgresStore, dsn: str) -> None:
    """End the store's main connection (writes and single reads)."""
    _terminate(store._conn, dsn)


@pytest.mark.parametrize("first", ["write", "get", "get_many", "declare"])
def test_a_lost_main_connection_fails_one_call_and_is_reopened(
    pg_url: str, postgres_dsn: str, first: str
) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.write([Put("c", "k", {"n": 1})])
        _terminate_main(store, postgres_dsn)
        calls = {
            "write": lambda: store.write([Put("c", "k", {"n": 2}, expected_version=1)]),
            "get": lambda: store.get("c", "k"),
            "get_many": lambda: store.get_many("c", ["k"]),
            "declare": lambda: store.declare("c", indexed=["n"]),
        }
        with pytest.raises(StorageError) as caught:
            calls[first]()
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        # the store carries on: nothing of the failed call was written
        assert store.get("c", "k").record == {"n": 1}  # type: ignore[union-attr]
        store.write([Put("c", "k", {"n": 3}, expected_version=1)])
        assert [r.record for r in store.history("c", "k")] == [{"n": 1}, {"n": 3}]
        assert [r.key for r in store.scan("c")] == ["k"]
