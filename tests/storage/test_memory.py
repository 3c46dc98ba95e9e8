"""The in-memory store passes the conformance kit."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from workplan_core.errors import ValidationError
from workplan_core.storage import Put, Store, open_store
from workplan_core.storage.memory import MemoryStore
from workplan_core.testing.storage_kit import StoreConformance


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        with open_store("memory://") as store:
            yield store


def test_memory_urls_open_fresh_stores() -> None:
    with open_store("memory://") as first, open_store("memory://") as second:
        assert isinstance(first, MemoryStore)
        assert first is not second


def _tracked() -> int:
    """Objects the collector tracks, once further collections untrack nothing more.

    One collection may meet a version before the tuples it holds (it reorders what it scans)
    and untracks it on a later look.
    """
    counts = [-1]
    while len(counts) < 10 and counts[-1] != len(gc.get_objects()):
        counts.append(len(gc.get_objects()))
        gc.collect()
    return counts[-1]


@pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
def test_kept_versions_are_not_traced_by_the_collector(nested: bool) -> None:
    """A million versions must not make every full collection of the process trace them."""
    count = 20_000
    with open_store("memory://") as store:
        store.declare("people", indexed=["team"])
        before = _tracked()
        for start in range(0, count, 1_000):
            store.write(
                Put("people", f"p-{i:06d}", _person(i, nested)) for i in range(start, start + 1_000)
            )
        for i in range(0, count, 2):  # second versions: history chains
            store.write([Put("people", f"p-{i:06d}", _person(i + 1, nested), expected_version=1)])
        assert _tracked() - before < count // 100
        assert store.get("people", "p-000002").record == _person(3, nested)  # type: ignore[union-attr]
        history = [v.record for v in store.history("people", "p-000002")]
        assert history == [_person(2, nested), _person(3, nested)]


def _person(i: int, nested: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": f"n{i}",
        "team": f"t{i % 7}",
        "score": i / 3,
        "ok": i % 2 == 0,
    }
    if nested:
        record["tags"] = [f"x{i}", {"depth": i}]
    return record


def test_flat_records_read_back_with_their_field_order_and_shape() -> None:
    with open_store("memory://") as store:
        records = {"a": {"z": 1, "a": None, "m": "x"}, "b": {"m": "y", "z": 2}, "c": {}}
        store.write([Put("things", key, record) for key, record in records.items()])
        for key, record in records.items():
            got = store.get("things", key)
            assert got is not None
            assert list(got.record.items()) == list(record.items())
            got.record["z"] = "changed"  # a fresh dict: the store keeps its own copy
            assert store.get("things", key).record == record  # type: ignore[union-attr]


@pytest.mark.parametrize("enabled", [True, False])
def test_writes_leave_the_collector_as_they_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        with open_store("memory://") as store:
            store.write([Put("things", "a", {"x": 1})])
            assert gc.isenabled() is enabled
            with pytest.raises(ValidationError):
                store.write([Put("things", "b", {"x": float("nan")})])
            assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
