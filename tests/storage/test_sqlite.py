"""The SQLite store passes the conformance kit; its URL forms, file settings and errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workplan_core.errors import StorageError, ValidationError
from workplan_core.storage import Put, Store, StoreBusyError, open_store
from workplan_core.storage.sqlite import SqliteStore
from workplan_core.testing.storage_kit import StoreConformance


class TestSqliteStore(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        with open_store(f"sqlite:///{tmp_path}/kit.db") as store:
            yield store

    @pytest.fixture
    def reopen(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: open_store(f"sqlite:///{tmp_path}/kit.db")


def test_everything_after_three_slashes_is_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///relative.db") as relative:
        assert isinstance(relative, SqliteStore)
        assert relative.path == "relative.db"
    with open_store(f"sqlite:///{tmp_path}/my%20plan.db?timeout=2") as absolute:
        assert isinstance(absolute, SqliteStore)
        assert absolute.path == f"{tmp_path}/my plan.db"
    assert (tmp_path / "relative.db").exists()
    assert (tmp_path / "my plan.db").exists()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite://host/x.db", "$.url"),
        ("sqlite:///", "$.url"),
        ("sqlite:///x.db?cache=shared", "$.url.cache"),
        ("sqlite:///x.db?timeout=soon", "$.url.timeout"),
        ("sqlite:///x.db?timeout=nan", "$.url.timeout"),
        ("sqlite:///x.db?timeout=-1", "$.url.timeout"),
        ("sqlite:///x.db?timeout=inf", "$.url.timeout"),
    ],
)
def test_malformed_urls_are_refused(url: str, path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(url)
    assert [p.path for p in caught.value.problems] == [path]


def test_the_file_uses_wal_and_full_sync(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        store.write([Put("c", "k", {})])
    conn = sqlite3.connect(tmp_path / "s.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"wp_log", "wp_head", "wp_index", "wp_collections", "wp_meta"} <= tables
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database file, not at all" * 100)
    with pytest.raises(StorageError) as caught:
        SqliteStore(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_store_of_a_newer_format_is_refused(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "s.db").close()
    conn = sqlite3.connect(tmp_path / "s.db")
    with conn:
        conn.execute("UPDATE wp_meta SET value = 99 WHERE name = 'format'")
    conn.close()
    with pytest.raises(StorageError, match="format 99"):
        SqliteStore(tmp_path / "s.db")


def test_a_held_write_lock_makes_writers_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SqliteStore(path, timeout=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusyError) as caught:
                store.write([Put("c", "k", {})])
            assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.write([Put("c", "k", {})]).versions == (1,)


def test_a_store_belongs_to_the_thread_that_opened_it(tmp_path: Path) -> None:
    import threading

    errors: list[BaseException] = []
    with SqliteStore(tmp_path / "s.db") as store:

        def use() -> None:
            try:
                store.get("c", "k")
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=use)
        thread.start()
        thread.join()
    assert len(errors) == 1
    assert isinstance(errors[0], StorageError)


def _store_with_one_record(path: Path) -> None:
    with SqliteStore(path) as store:
        store.write([Put("c", "k", {"n": 1})])


def test_opening_to_read_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _store_with_one_record(path)
    writer = sqlite3.connect(path, isolation_level=None)  # another writer, mid-batch
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE wp_meta SET value = value + 1 WHERE name = 'last_seq'")
    try:
        with open_store(f"sqlite:///{path}?timeout=0.5") as store:
            assert [r.key for r in store.scan("c")] == ["k"]
            assert store.get("c", "k") is not None
            with pytest.raises(StoreBusyError):
                store.write([Put("c", "j", {})])
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _read_as_nobody(url: str) -> str:
    """Open `url` and read it in a forked child running as user 65534 (root ignores modes)."""
    import os

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        outcome = "?"
        try:
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            with open_store(url) as store:
                outcome = f"{[r.key for r in store.scan('c')]} {store.get('c', 'k') is not None}"
        except BaseException as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write_end, outcome.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(child, 0)
    return outcome


def test_a_read_only_file_opens_for_reads(tmp_path: Path) -> None:
    import os
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="wp_ro_"))  # reachable by another user, if root
    try:
        folder.chmod(0o777)
        path = folder / "s.db"
        _store_with_one_record(path)
        copy = folder / "copy.db"
        shutil.copyfile(path, copy)
        copy.chmod(0o444)
        url = f"sqlite:///{copy}"
        if not os.access(copy, os.W_OK):
            with open_store(url) as store:
                assert [r.key for r in store.scan("c")] == ["k"]
                with pytest.raises(StorageError, match="readonly"):
                    store.write([Put("c", "j", {})])
        elif hasattr(os, "setresuid") and os.geteuid() == 0:
            assert _read_as_nobody(url) == "['k'] True"
        else:
            pytest.skip("this user can write a file of mode 0444")
        assert copy.read_bytes() == path.read_bytes()  # nothing was written to it
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("path", ["", "a\x00b.db"])
def test_a_path_that_names_no_file_is_refused(path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SqliteStore(path)
    assert [p.path for p in caught.value.problems] == ["$.path"]
