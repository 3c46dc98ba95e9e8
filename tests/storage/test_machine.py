"""Every backend behaves like the in-memory reference under random sequences of calls."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from pgschema import private_store

from workplan_core.storage import Put, Store, open_store
from workplan_core.storage.memory import MemoryStore
from workplan_core.testing.storage_machine import StoreComparison

TestMemoryAgainstReference = StoreComparison(
    lambda: open_store("memory://"), settings(max_examples=30, stateful_step_count=20)
).TestCase


@contextlib.contextmanager
def _fresh_sqlite() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as folder, open_store(f"sqlite:///{folder}/m.db") as store:
        yield store


TestSqliteAgainstReference = StoreComparison(
    _fresh_sqlite, settings(max_examples=40, stateful_step_count=25)
).TestCase


@pytest.mark.postgres
def test_postgres_against_reference(postgres_dsn: str) -> None:
    comparison = StoreComparison(
        lambda: private_store(postgres_dsn), settings(max_examples=15, stateful_step_count=20)
    )
    comparison.run()


class _ReversedScans(MemoryStore):
    """A store with a bug: scans come back in reverse key order."""

    def scan(self, collection, where=None):  # type: ignore[no-untyped-def]
        return iter(list(super().scan(collection, where))[::-1])


class _BlindToConflicts(MemoryStore):
    """A store with a bug: a put expecting a stale version overwrites anyway."""

    def write(self, writes):  # type: ignore[no-untyped-def]
        fixed = []
        for original in writes:
            write = original
            if isinstance(write, Put) and write.expected_version is not None:
                history = list(self.history(write.collection, write.key))
                write = Put(
                    write.collection,
                    write.key,
                    write.record,
                    history[-1].version if history else None,
                )
            fixed.append(write)
        return super().write(fixed)


@pytest.mark.parametrize("buggy", [_ReversedScans, _BlindToConflicts])
def test_the_machine_catches_a_store_that_breaks_the_rules(buggy: type[MemoryStore]) -> None:
    comparison = StoreComparison(
        buggy,
        settings(
            max_examples=100,
            stateful_step_count=20,
            report_multiple_bugs=False,
            phases=[Phase.generate],
            database=None,
        ),
    )
    with pytest.raises(AssertionError):
        comparison.run()


def test_a_factory_that_reuses_one_store_is_reported_as_such(tmp_path: Path) -> None:
    """A fixed file opened on every example is one store: the machine says so, not Flaky."""
    url = f"sqlite:///{tmp_path}/reused.db"
    comparison = StoreComparison(
        lambda: open_store(url), settings(max_examples=20, stateful_step_count=10, database=None)
    )
    with pytest.raises(AssertionError, match="fresh, empty store") as caught:
        comparison.run()
    assert "FlakyStrategyDefinition" not in str(caught.value)


@pytest.mark.parametrize("leftover", ["write", "declare"])
def test_a_store_that_is_not_empty_at_the_start_is_refused(leftover: str) -> None:
    def not_empty() -> MemoryStore:
        store = MemoryStore()
        if leftover == "write":
            store.write([Put("elsewhere", "k", {})])
        else:
            store.declare("alpha", indexed=["team"])
        return store

    comparison = StoreComparison(not_empty, settings(max_examples=5, database=None))
    with pytest.raises(AssertionError, match="factory must return a fresh, empty store"):
        comparison.run()


def test_the_test_case_checks_the_factory_before_hypothesis_starts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/reused.db"
    case = StoreComparison(lambda: open_store(url)).TestCase("runTest")
    with pytest.raises(AssertionError, match="second store it returned holds a record"):
        case.setUp()
