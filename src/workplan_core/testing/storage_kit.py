"""The storage conformance kit: pytest test mixins that check every rule of the store protocol.

Plugin authors (and the library's own backends) run exactly these tests. Subclass
`StoreConformance` in a class whose name starts with ``Test`` and override the `store`
fixture to yield a fresh, empty store::

    import pytest
    from workplan_core.testing.storage_kit import StoreConformance

    class TestMyStore(StoreConformance):
        @pytest.fixture
        def store(self, tmp_path):
            with MyStore(tmp_path / "data") as store:
                yield store

        @pytest.fixture
        def reopen(self, tmp_path):          # optional: enables the persistence tests
            return lambda: MyStore(tmp_path / "data")

The mixins' names do not start with ``Test``, so pytest collects only your class. Each mixin
(`WriteTests`, `DeleteTests`, `HistoryTests`, `ReadTests`, `ScanTests`, `ChangeFeedTests`,
`ValueTests`, `ValidationTests`, `LifecycleTests`, `PersistenceTests`) can also be used alone.
For randomised checks against the in-memory reference, see
[workplan_core.testing.storage_machine][workplan_core.testing.storage_machine].
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from workplan_core.errors import ConflictError, ValidationError
from workplan_core.storage.encoding import MAX_KEY_LENGTH, MAX_NAME_LENGTH, MAX_NESTING
from workplan_core.storage.errors import StoreClosedError
from workplan_core.storage.protocol import Store
from workplan_core.storage.records import Delete, Put, StoredRecord, Write
from workplan_core.testing._checks import MOST, brief, difference, read_at_most

__all__ = [
    "ChangeFeedTests",
    "DeleteTests",
    "HistoryTests",
    "LifecycleTests",
    "PersistenceTests",
    "ReadTests",
    "ScanTests",
    "StoreConformance",
    "StoreFixtures",
    "ValidationTests",
    "ValueTests",
    "WriteTests",
]

C = "things"
"""The collection most kit tests write to."""


def _read(records: Iterable[StoredRecord], what: str, most: int = MOST) -> list[StoredRecord]:
    """The records of a scan, history or change feed: at most `most`, or a failure saying so."""
    return read_at_most(records, most, what)


def _keys(records: Iterable[StoredRecord], what: str = "scan", most: int = MOST) -> list[str]:
    return [r.key for r in _read(records, what, most)]


def _paths(error: ValidationError) -> set[str]:
    return {p.path for p in error.problems}


def _state(store: Store) -> tuple[list[StoredRecord], tuple[str, ...], list[StoredRecord]]:
    """What a refused call must leave as it was: the change feed, and `C`'s fields and scan."""
    return _read(store.changes(0), "changes"), store.indexed_fields(C), _read(store.scan(C), "scan")


def _last_seq(store: Store) -> int:
    feed = _read(store.changes(0), "changes")
    return feed[-1].seq if feed else 0


def _same(actual: object, expected: object, what: str) -> None:
    """Fail with `what`, both values and where they differ, unless `actual == expected`."""
    if actual == expected:
        return
    if isinstance(actual, list) and isinstance(expected, list):
        raise AssertionError(f"{what}: {difference(expected, actual)}")
    raise AssertionError(f"{what}: expected {brief(expected)}, got {brief(actual)}")


def _is_utc(moment: object) -> bool:
    return isinstance(moment, dt.datetime) and moment.utcoffset() == dt.timedelta(0)


def _moment(moment: object) -> str:
    """A time as ISO text, saying when it has no time zone."""
    if not isinstance(moment, dt.datetime):
        return brief(moment)
    return moment.isoformat() + (" (no time zone)" if moment.utcoffset() is None else "")


class StoreFixtures:
    """The fixtures the kit's tests use; override `store` (and optionally `reopen`)."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh, empty, open store; override it to return your backend's store."""
        raise NotImplementedError("override the `store` fixture to yield a fresh, empty store")

    @pytest.fixture
    def reopen(self) -> Callable[[], Store] | None:
        """A callable that opens a second store on the same data, or `None` (the default).

        When `None`, the persistence tests are skipped (as for the in-memory store).
        """
        return None


class WriteTests(StoreFixtures):
    """Versions, optimistic concurrency and atomic batches."""

    def test_first_write_creates_version_1(self, store: Store) -> None:
        """First write creates version 1."""
        commit = store.write([Put(C, "a", {"n": 1})])
        assert commit.versions == (1,)
        got = store.get(C, "a")
        assert got is not None
        assert (got.collection, got.key, got.version, got.record) == (C, "a", 1, {"n": 1})
        assert got.seq == commit.seqs[0]

    def test_each_write_makes_the_next_version(self, store: Store) -> None:
        """Each write makes the next version."""
        for version in (1, 2, 3):
            expected = None if version == 1 else version - 1
            commit = store.write([Put(C, "a", {"n": version}, expected)])
            assert commit.versions == (version,)
        got = store.get(C, "a")
        assert got is not None
        assert (got.version, got.record) == (3, {"n": 3})

    def test_creating_a_live_key_again_conflicts(self, store: Store) -> None:
        """Creating a live key again conflicts."""
        store.write([Put(C, "a", {"n": 1})])
        with pytest.raises(ConflictError) as caught:
            store.write([Put(C, "a", {"n": 2})])
        assert caught.value.conflicts == ((C, "a"),)
        got = store.get(C, "a")
        assert got is not None
        assert (got.version, got.record) == (1, {"n": 1})

    def test_stale_expected_version_conflicts(self, store: Store) -> None:
        """Stale expected version conflicts."""
        store.write([Put(C, "a", {"n": 1})])
        store.write([Put(C, "a", {"n": 2}, 1)])
        with pytest.raises(ConflictError) as caught:
            store.write([Put(C, "a", {"n": 3}, 1)])
        assert caught.value.conflicts == ((C, "a"),)
        assert "version 1" in str(caught.value)
        assert "version 2" in str(caught.value)

    def test_expecting_a_version_of_an_unwritten_key_conflicts(self, store: Store) -> None:
        """Expecting a version of an unwritten key conflicts."""
        with pytest.raises(ConflictError) as caught:
            store.write([Put(C, "never", {"n": 1}, 1)])
        assert caught.value.conflicts == ((C, "never"),)
        assert store.get(C, "never") is None

    def test_a_failed_batch_writes_nothing_and_lists_every_conflict(self, store: Store) -> None:
        """A failed batch writes nothing and lists every conflict."""
        store.write([Put(C, "k1", {"n": 1}), Put(C, "k2", {"n": 1})])
        before = _read(store.changes(0), "changes")
        with pytest.raises(ConflictError) as caught:
            store.write(
                [
                    Put(C, "k0", {"n": 0}),
                    Put(C, "k1", {"n": 2}),
                    Put("other", "k3", {"n": 3}),
                    Put(C, "k2", {"n": 2}, 5),
                    Delete("other", "k9", 1),
                ]
            )
        assert caught.value.conflicts == ((C, "k1"), (C, "k2"), ("other", "k9"))
        assert store.get(C, "k0") is None
        assert store.get("other", "k3") is None
        assert _read(store.changes(0), "changes") == before

    def test_a_batch_spans_collections(self, store: Store) -> None:
        """A batch spans collections."""
        commit = store.write([Put("left", "a", {"side": "l"}), Put("right", "a", {"side": "r"})])
        assert commit.versions == (1, 1)
        assert commit.seqs[0] < commit.seqs[1]
        left, right = store.get("left", "a"), store.get("right", "a")
        assert left is not None
        assert left.record == {"side": "l"}
        assert right is not None
        assert right.record == {"side": "r"}

    def test_an_empty_batch_writes_nothing(self, store: Store) -> None:
        """An empty batch writes nothing."""
        commit = store.write([])
        assert (commit.versions, commit.seqs, commit.last_seq) == ((), (), None)
        assert _read(store.changes(0), "changes") == []

    def test_sequence_numbers_increase_across_batches(self, store: Store) -> None:
        """Sequence numbers increase across batches."""
        first = store.write([Put(C, "a", {}), Put(C, "b", {})])
        second = store.write([Put(C, "c", {})])
        seqs = first.seqs + second.seqs
        assert list(seqs) == sorted(set(seqs))
        assert first.committed_at <= second.committed_at


class DeleteTests(StoreFixtures):
    """Tombstones: a deleted key reads as absent, its history stays."""

    def test_delete_writes_a_tombstone(self, store: Store) -> None:
        """Delete writes a tombstone."""
        store.declare(C, indexed=["team"])
        store.write([Put(C, "a", {"team": "t"}), Put(C, "b", {"team": "t"})])
        commit = store.write([Delete(C, "a", 1)])
        assert commit.versions == (2,)
        assert store.get(C, "a") is None
        assert list(store.get_many(C, ["a", "b"])) == ["b"]
        assert _keys(store.scan(C), "scan") == ["b"]
        assert _keys(store.scan(C, where={"team": "t"}), "scan") == ["b"]
        tomb = _read(store.history(C, "a"), "history")[-1]
        assert (tomb.version, tomb.record, tomb.deleted) == (2, None, True)

    def test_a_deleted_key_can_be_created_again(self, store: Store) -> None:
        """A deleted key can be created again."""
        store.write([Put(C, "a", {"n": 1}), Put(C, "b", {"n": 1})])
        store.write([Delete(C, "a", 1), Delete(C, "b", 1)])
        commit = store.write([Put(C, "a", {"n": 3}), Put(C, "b", {"n": 3}, 2)])
        assert commit.versions == (3, 3)
        got = store.get(C, "a")
        assert got is not None
        assert (got.version, got.record) == (3, {"n": 3})

    def test_deleting_an_absent_key_conflicts(self, store: Store) -> None:
        """Deleting an absent key conflicts."""
        with pytest.raises(ConflictError) as caught:
            store.write([Delete(C, "ghost", 1)])
        assert caught.value.conflicts == ((C, "ghost"),)
        assert _read(store.history(C, "ghost"), "history") == []

    def test_deleting_a_deleted_key_conflicts(self, store: Store) -> None:
        """Deleting a deleted key conflicts."""
        store.write([Put(C, "a", {})])
        store.write([Delete(C, "a", 1)])
        with pytest.raises(ConflictError):
            store.write([Delete(C, "a", 2)])
        assert [r.version for r in _read(store.history(C, "a"), "history")] == [1, 2]

    def test_deleting_with_a_stale_version_conflicts(self, store: Store) -> None:
        """Deleting with a stale version conflicts."""
        store.write([Put(C, "a", {"n": 1})])
        store.write([Put(C, "a", {"n": 2}, 1)])
        with pytest.raises(ConflictError):
            store.write([Delete(C, "a", 1)])
        got = store.get(C, "a")
        assert got is not None
        assert got.version == 2


class HistoryTests(StoreFixtures):
    """Prior versions stay readable, oldest first."""

    def test_history_lists_every_version_oldest_first(self, store: Store) -> None:
        """History lists every version oldest first."""
        store.write([Put(C, "a", {"rating": 3})])
        store.write([Put(C, "a", {"rating": 4}, 1)])
        store.write([Delete(C, "a", 2)])
        store.write([Put(C, "a", {"rating": 2})])
        history = _read(store.history(C, "a"), "history")
        assert [(r.version, r.record) for r in history] == [
            (1, {"rating": 3}),
            (2, {"rating": 4}),
            (3, None),
            (4, {"rating": 2}),
        ]
        seqs = [r.seq for r in history]
        assert seqs == sorted(set(seqs))

    def test_history_of_an_unknown_key_is_empty(self, store: Store) -> None:
        """History of an unknown key is empty."""
        assert _read(store.history(C, "nobody"), "history") == []
        assert _read(store.history("no-such-collection", "nobody"), "history") == []

    def test_commit_times_are_utc_and_ordered(self, store: Store) -> None:
        """Commit times are in UTC and never go backwards."""
        store.write([Put(C, "a", {"n": 1})])
        store.write([Put(C, "a", {"n": 2}, 1)])
        times = [r.committed_at for r in _read(store.history(C, "a"), "history")]
        assert all(t.utcoffset() == dt.timedelta(0) for t in times)
        assert times == sorted(times)

    def test_a_batch_has_one_commit_time(self, store: Store) -> None:
        """Every version a batch writes carries the batch's `Commit.committed_at`, in UTC."""
        batches: list[list[Write]] = [
            [Put(C, "a", {"n": 1}), Put("other", "b", {}), Put(C, "c", {"n": 1})],
            [Put(C, "a", {"n": 2}, 1), Delete(C, "c", 1), Put(C, "d", {})],
        ]
        for batch in batches:
            commit = store.write(batch)
            stamp = commit.committed_at
            assert _is_utc(stamp), f"Commit.committed_at {_moment(stamp)} is not a UTC datetime"
            written = set(commit.seqs)
            reads = {
                "changes": [c for c in _read(store.changes(0), "changes") if c.seq in written],
                "history": [
                    v
                    for w in batch
                    for v in _read(store.history(w.collection, w.key), "history")
                    if v.seq in written
                ],
                "get": [r for w in batch if (r := store.get(w.collection, w.key)) is not None],
                "get_many": list(store.get_many(C, [w.key for w in batch]).values()),
                "scan": [r for r in _read(store.scan(C), "scan") if r.seq in written],
            }
            _same(len(reads["changes"]), len(batch), "versions of the batch in the change feed")
            for how, records in reads.items():
                for r in records:
                    if r.seq not in written:
                        continue
                    where = f"{how}: version {r.version} of ({r.collection!r}, {r.key!r})"
                    assert _is_utc(r.committed_at), (
                        f"{where} carries committed_at {_moment(r.committed_at)}, not a UTC "
                        "datetime"
                    )
                    assert r.committed_at == stamp, (
                        f"{where} carries committed_at {r.committed_at.isoformat()}, but its "
                        f"batch's Commit.committed_at is {stamp.isoformat()}: every version of "
                        "one write() must carry that one time"
                    )


class ReadTests(StoreFixtures):
    """`get` and `get_many`."""

    def test_unknown_keys_and_collections_read_as_absent(self, store: Store) -> None:
        """Unknown keys and collections read as absent."""
        store.write([Put(C, "a", {})])
        assert store.get(C, "b") is None
        assert store.get("elsewhere", "a") is None
        assert store.get_many("elsewhere", ["a"]) == {}

    def test_get_many_returns_the_live_keys_in_asked_order(self, store: Store) -> None:
        """`get_many` returns the live keys in the order asked for."""
        store.write([Put(C, k, {"k": k}) for k in ("a", "b", "c", "d")])
        store.write([Delete(C, "c", 1)])
        found = store.get_many(C, ["d", "x", "a", "c", "d", "b"])
        assert list(found) == ["d", "a", "b"]
        assert {k: r.record for k, r in found.items()} == {
            "d": {"k": "d"},
            "a": {"k": "a"},
            "b": {"k": "b"},
        }

    def test_get_many_reads_more_keys_than_a_page(self, store: Store) -> None:
        """`get_many` reads more keys than a page."""
        keys = [f"k{i:05d}" for i in range(1200)]
        store.write([Put(C, k, {"i": i}) for i, k in enumerate(keys)])
        found = store.get_many(C, reversed(keys))
        assert list(found) == keys[::-1]
        assert found["k00777"].record == {"i": 777}

    def test_collections_are_separate(self, store: Store) -> None:
        """Collections are separate."""
        store.write([Put("one", "k", {"in": "one"}), Put("two", "k", {"in": "two"})])
        one, two = store.get("one", "k"), store.get("two", "k")
        assert one is not None
        assert one.record == {"in": "one"}
        assert two is not None
        assert two.record == {"in": "two"}
        assert _keys(store.scan("one"), "scan") == ["k"]


UNICODE_KEYS = ["B", "a", "z", "é", "ß", "中文", "😀", "a b", "a\u0301", "\u05d0\u05d1"]


class ScanTests(StoreFixtures):
    """Key order, streaming and equality filters on indexed fields."""

    def test_scan_returns_live_records_in_code_point_order(self, store: Store) -> None:
        """Scan returns live records in code point order."""
        store.write([Put(C, k, {"k": k}) for k in UNICODE_KEYS])
        assert _keys(store.scan(C), "scan", len(UNICODE_KEYS)) == sorted(UNICODE_KEYS)

    def test_scan_is_a_lazy_iterator(self, store: Store) -> None:
        """Scan is a lazy iterator."""
        store.write([Put(C, "a", {})])
        scan = store.scan(C)
        assert iter(scan) is scan
        assert next(scan).key == "a"

    def test_scan_streams_more_than_a_page(self, store: Store) -> None:
        """Scan streams more than a page."""
        keys = [f"k{i:05d}" for i in range(1234)]
        store.write([Put(C, k, {"i": i}) for i, k in enumerate(reversed(keys))])
        records = _read(store.scan(C), "scan", len(keys))
        assert _keys(records) == keys
        assert records[0].record == {"i": 1233}

    def test_scan_of_an_unknown_collection_is_empty(self, store: Store) -> None:
        """Scan of an unknown collection is empty."""
        assert _read(store.scan("nothing-here"), "scan") == []

    def test_scan_filters_by_an_indexed_field(self, store: Store) -> None:
        """Scan filters by an indexed field."""
        store.declare(C, indexed=["team"])
        store.write([Put(C, f"p{i}", {"team": f"t{i % 3}", "i": i}) for i in range(10)])
        assert _keys(store.scan(C, where={"team": "t1"}), "scan") == ["p1", "p4", "p7"]
        assert _read(store.scan(C, where={"team": "t9"}), "scan") == []

    def test_filter_values_compare_as_json(self, store: Store) -> None:
        """Filter values compare as JSON: "1", 1 and true differ."""
        store.declare(C, indexed=["v"])
        values: dict[str, Any] = {"str": "1", "int": 1, "true": True, "null": None, "zero": 0}
        store.write([Put(C, k, {"v": v}) for k, v in values.items()] + [Put(C, "none", {})])
        assert _keys(store.scan(C, where={"v": "1"}), "scan") == ["str"]
        assert _keys(store.scan(C, where={"v": 1}), "scan") == ["int"]
        assert _keys(store.scan(C, where={"v": True}), "scan") == ["true"]
        assert _keys(store.scan(C, where={"v": None}), "scan") == ["null"]
        assert _keys(store.scan(C, where={"v": False}), "scan") == []

    def test_several_filters_must_all_hold(self, store: Store) -> None:
        """Several filters must all hold."""
        store.declare(C, indexed=["team", "level"])
        store.write(
            [
                Put(C, "a", {"team": "x", "level": 1}),
                Put(C, "b", {"team": "x", "level": 2}),
                Put(C, "c", {"team": "y", "level": 1}),
                Put(C, "d", {"team": "x", "level": 1}),
            ]
        )
        assert _keys(store.scan(C, where={"team": "x", "level": 1}), "scan") == ["a", "d"]
        assert _keys(store.scan(C, where={"level": 1, "team": "y"}), "scan") == ["c"]

    def test_overwrites_and_deletes_move_index_entries(self, store: Store) -> None:
        """Overwrites and deletes move index entries."""
        store.declare(C, indexed=["team"])
        store.write([Put(C, "a", {"team": "x"}), Put(C, "b", {"team": "x"})])
        store.write([Put(C, "a", {"team": "y"}, 1), Delete(C, "b", 1)])
        assert _read(store.scan(C, where={"team": "x"}), "scan") == []
        assert _keys(store.scan(C, where={"team": "y"}), "scan") == ["a"]
        store.write([Put(C, "a", {"other": 1}, 2)])
        assert _read(store.scan(C, where={"team": "y"}), "scan") == []

    def test_declaring_builds_entries_for_existing_records(self, store: Store) -> None:
        """Declaring builds entries for existing records."""
        store.write([Put(C, "a", {"team": "x"}), Put(C, "b", {"team": "y"})])
        store.write([Put(C, "b", {"team": "x"}, 1)])
        store.declare(C, indexed=["team"])
        assert _keys(store.scan(C, where={"team": "x"}), "scan") == ["a", "b"]

    def test_filtering_on_an_undeclared_field_is_refused(self, store: Store) -> None:
        """Filtering on an undeclared field is refused."""
        store.declare(C, indexed=["team"])
        with pytest.raises(ValidationError) as caught:
            store.scan(C, where={"colour": "red", "team": "x", "size": 1})
        assert _paths(caught.value) == {"$.where.colour", "$.where.size"}
        assert "not indexed" in str(caught.value)

    def test_filter_values_that_are_not_scalars_are_refused(self, store: Store) -> None:
        """Filter values that are not scalars are refused."""
        store.declare(C, indexed=["v", "w"])
        with pytest.raises(ValidationError) as caught:
            store.scan(C, where={"v": 1.5, "w": ["a"]})  # type: ignore[dict-item]
        assert _paths(caught.value) == {"$.where.v", "$.where.w"}

    def test_redeclaring_drops_fields(self, store: Store) -> None:
        """Redeclaring drops fields."""
        store.declare(C, indexed=["team", "level"])
        store.write([Put(C, "a", {"team": "x", "level": 1})])
        store.declare(C, indexed=["level"])
        assert store.indexed_fields(C) == ("level",)
        with pytest.raises(ValidationError):
            store.scan(C, where={"team": "x"})
        store.declare(C, indexed=["level", "team"])
        assert _keys(store.scan(C, where={"team": "x"}), "scan") == ["a"]

    def test_declarations_are_sorted_and_idempotent(self, store: Store) -> None:
        """Declarations are sorted and idempotent."""
        assert store.indexed_fields(C) == ()
        store.declare(C, indexed=["b", "a", "b"])
        store.declare(C, indexed=["a", "b"])
        assert store.indexed_fields(C) == ("a", "b")
        assert store.indexed_fields("other") == ()
        store.declare(C)
        assert store.indexed_fields(C) == ()

    def test_unindexable_values_match_no_filter(self, store: Store) -> None:
        """Unindexable values match no filter."""
        store.declare(C, indexed=["v"])
        long_text = "x" * 2000
        store.write(
            [
                Put(C, "float", {"v": 1.0}),
                Put(C, "list", {"v": [1]}),
                Put(C, "object", {"v": {"a": 1}}),
                Put(C, "long", {"v": long_text}),
                Put(C, "int", {"v": 1}),
            ]
        )
        assert _keys(store.scan(C, where={"v": 1}), "scan") == ["int"]
        assert _keys(store.scan(C), "scan") == ["float", "int", "list", "long", "object"]

    def test_a_scan_can_be_resumed_after_writes(self, store: Store) -> None:
        """A scan can be resumed after writes."""
        keys = [f"k{i:04d}" for i in range(0, 1400, 2)]
        store.write([Put(C, k, {}) for k in keys])
        scan = store.scan(C)
        seen = [next(scan).key for _ in range(600)]
        store.write([Put(C, "k0001", {}), Put(C, "k1399", {})])
        seen += _keys(scan, "scan")
        assert seen == sorted(set(seen))
        assert set(keys) <= set(seen)


class ChangeFeedTests(StoreFixtures):
    """Every committed write, in commit order, by sequence number."""

    def test_changes_list_every_write_in_commit_order(self, store: Store) -> None:
        """Changes list every write in commit order."""
        first = store.write([Put(C, "a", {"n": 1}), Put("other", "b", {"n": 1})])
        second = store.write([Put(C, "a", {"n": 2}, 1)])
        third = store.write([Delete(C, "a", 2)])
        changes = _read(store.changes(), "changes")
        assert [(c.collection, c.key, c.version, c.record) for c in changes] == [
            (C, "a", 1, {"n": 1}),
            ("other", "b", 1, {"n": 1}),
            (C, "a", 2, {"n": 2}),
            (C, "a", 3, None),
        ]
        assert [c.seq for c in changes] == [*first.seqs, *second.seqs, *third.seqs]

    def test_changes_since_skip_the_earlier_writes(self, store: Store) -> None:
        """Changes since skip the earlier writes."""
        first = store.write([Put(C, "a", {}), Put(C, "b", {})])
        store.write([Put(C, "c", {})])
        assert _keys(store.changes(first.seqs[0]), "changes") == ["b", "c"]
        assert _keys(store.changes(first.seqs[1]), "changes") == ["c"]
        assert _read(store.changes(_last_seq(store)), "changes") == []

    def test_a_conflicting_batch_adds_no_change(self, store: Store) -> None:
        """A conflicting batch adds no change."""
        store.write([Put(C, "a", {})])
        last = _last_seq(store)
        with pytest.raises(ConflictError):
            store.write([Put(C, "b", {}), Put(C, "a", {})])
        assert _read(store.changes(last), "changes") == []
        commit = store.write([Put(C, "b", {})])
        assert commit.seqs[0] > last

    def test_last_seq_names_the_last_committed_write(self, store: Store) -> None:
        """`last_seq()` is 0 before the first write, then the last committed write's number."""
        _same(store.last_seq(), 0, "last_seq() of a new store")
        first = store.write([Put(C, "a", {}), Put("other", "b", {})])
        _same(store.last_seq(), first.seqs[-1], "last_seq() after a write of two records")
        with pytest.raises(ConflictError):
            store.write([Put(C, "c", {}), Put(C, "a", {})])
        _same(store.last_seq(), first.seqs[-1], "last_seq() after a refused write")
        second = store.write([Delete(C, "a", 1)])
        _same(store.last_seq(), second.seqs[-1], "last_seq() after a delete")
        feed = _read(store.changes(0), "changes")
        _same(store.last_seq(), feed[-1].seq, "last_seq() against the change feed's last")
        _same(_read(store.changes(store.last_seq()), "changes"), [], "changes(last_seq())")

    def test_changes_stream_more_than_a_page(self, store: Store) -> None:
        """Changes stream more than a page."""
        store.write([Put(C, f"k{i:05d}", {"i": i}) for i in range(1100)])
        changes = store.changes(0)
        assert iter(changes) is changes
        assert [c.record for c in _read(changes, "changes", 1100)] == [
            {"i": i} for i in range(1100)
        ]

    def test_a_negative_position_is_refused(self, store: Store) -> None:
        """A negative position is refused."""
        with pytest.raises(ValidationError) as caught:
            store.changes(-1)
        assert _paths(caught.value) == {"$.since"}


SQL_LOOKING = [
    "'; DROP TABLE wp_log; --",
    'Robert"); DELETE FROM wp_head; --',
    "%s %(x)s ? :name $1 @p0",
    "\\' \\\" \\\\ \\n",
    "a' OR '1'='1",
    "/* comment */ -- line",
]

AWKWARD_COLLECTIONS = [
    *("a", "A", "a/b", "a\\b", "..", ".", "../a", "a/../b", "a b", " a", "a ", "\t"),
    *("é", "e\u0301", "ß", "😀", "%41", "%2F", "a%", "?x=1", "#top", "a.b"),
    "c" * MAX_NAME_LENGTH,
    "c" * (MAX_NAME_LENGTH - 1) + "d",
    "😀" * MAX_NAME_LENGTH,
]
"""Collection names a backend that builds paths, URLs or SQL from them tends to mishandle."""

SHORT_AWKWARD_KEYS = [
    "c",
    "b/c",
    "/",
    "..",
    "a\\b",
    "a b",
    " ",
    "é",
    "e\u0301",
    "%41",
    "A",
    "?",
    "#",
]
AWKWARD_KEYS = [
    *SHORT_AWKWARD_KEYS,
    "k" * MAX_KEY_LENGTH,
    "k" * (MAX_KEY_LENGTH - 1) + "j",
    "é" * MAX_KEY_LENGTH,
    "😀" * MAX_KEY_LENGTH,
]
"""Keys such a backend tends to mishandle; with the collections, "a/b" + "c" and "a" + "b/c"."""


class ValueTests(StoreFixtures):
    """Keys and records are stored verbatim, whatever they contain, whatever their size."""

    def test_unicode_is_stored_verbatim(self, store: Store) -> None:
        """Unicode is stored verbatim."""
        text = "naïve café — 中文 — עברית — 😀👍🏽 — a\u0301 — \u2028\u2029 — \t\n\r — \x00 — \x7f"
        collection = "колекція 😀"
        store.declare(collection, indexed=["name"])
        writes = [Put(collection, k, {"name": k, "text": text, k: [k]}) for k in UNICODE_KEYS]
        store.write(writes)
        for key in UNICODE_KEYS:
            got = store.get(collection, key)
            assert got is not None
            assert got.record == {"name": key, "text": text, key: [key]}
            assert _keys(store.scan(collection, where={"name": key}), "scan") == [key]

    def test_sql_looking_text_is_stored_verbatim(self, store: Store) -> None:
        """Sql looking text is stored verbatim."""
        store.declare(C, indexed=["v"])
        store.write([Put(C, s, {"v": s, s: s}) for s in SQL_LOOKING])
        assert _keys(store.scan(C), "scan") == sorted(SQL_LOOKING)
        for s in SQL_LOOKING:
            got = store.get(C, s)
            assert got is not None
            assert got.record == {"v": s, s: s}
            assert _keys(store.scan(C, where={"v": s}), "scan") == [s]

    def test_large_values_are_stored(self, store: Store) -> None:
        """Large values are stored."""
        big_text = "0123456789abcdef" * 131_072  # 2 MiB
        big_list = list(range(20_000))
        nested: Any = "bottom"
        for _ in range(MAX_NESTING // 2 - 1):  # a dict and a list per step: 98 levels
            nested = {"down": [nested]}
        record = {"text": big_text, "list": big_list, "nested": nested}
        store.write([Put(C, "big", record)])
        got = store.get(C, "big")
        assert got is not None
        assert got.record == record

    def test_numbers_round_trip_exactly(self, store: Store) -> None:
        """Numbers round trip exactly."""
        floats = [0.1, 1e16, 1e300, 5e-324, 1.7976931348623157e308, 2.5, -1e-7, 123456.789]
        ints = [0, -1, 2**53 + 1, 2**80, -(2**70)]
        store.write([Put(C, "n", {"floats": floats, "ints": ints, "neg_zero": -0.0})])
        got = store.get(C, "n")
        assert got is not None
        assert got.record is not None
        assert got.record["floats"] == floats
        assert [type(x) for x in got.record["floats"]] == [float] * len(floats)
        assert got.record["ints"] == ints
        assert [type(x) for x in got.record["ints"]] == [int] * len(ints)
        assert math.copysign(1.0, got.record["neg_zero"]) == -1.0

    def test_keys_of_any_allowed_length_are_stored(self, store: Store) -> None:
        """Keys of any allowed length are stored."""
        longest = "k" * MAX_KEY_LENGTH
        store.write([Put(C, longest, {"ok": True})])
        got = store.get(C, longest)
        assert got is not None
        assert got.record == {"ok": True}

    def test_awkward_collection_names_and_keys_are_stored_verbatim(self, store: Store) -> None:
        """Names with slashes, backslashes, dots, `%`, `?`, `#`, spaces, Unicode, at the limits."""
        writes: list[Put] = []
        for collection in AWKWARD_COLLECTIONS:
            batch = [Put(collection, k, {"c": collection, "k": k}) for k in AWKWARD_KEYS]
            try:
                commit = store.write(batch)
            except (ConflictError, ValidationError) as error:
                raise AssertionError(
                    f"collection {collection!r}: writing {len(batch)} new keys raised "
                    f"{type(error).__name__}: {brief(str(error), 300)}; does the store take "
                    "this collection for one written before it, or two keys for one?"
                ) from error
            _same(commit.versions, (1,) * len(batch), f"versions in collection {collection!r}")
            writes += batch
        feed = _read(store.changes(0), "changes", len(writes))
        _same(
            [(r.collection, r.key, r.record) for r in feed],
            [(w.collection, w.key, w.record) for w in writes],
            "the change feed",
        )
        for number, collection in enumerate(AWKWARD_COLLECTIONS):
            what = f"scan of collection {collection!r}"
            records = _read(store.scan(collection), what, len(AWKWARD_KEYS))
            _same(
                [(r.collection, r.key, r.record) for r in records],
                [(collection, k, {"c": collection, "k": k}) for k in sorted(AWKWARD_KEYS)],
                what,
            )
            found = store.get_many(collection, AWKWARD_KEYS)
            _same(
                [(k, r.collection, r.key) for k, r in found.items()],
                [(k, collection, k) for k in AWKWARD_KEYS],
                f"get_many of collection {collection!r}",
            )
            key = AWKWARD_KEYS[number % len(AWKWARD_KEYS)]
            got = store.get(collection, key)
            _same(
                None if got is None else (got.collection, got.key, got.record),
                (collection, key, {"c": collection, "k": key}),
                f"get({collection!r}, {key!r})",
            )
            history = _read(store.history(collection, key), "history", 1)
            _same(
                [(r.collection, r.key, r.version) for r in history],
                [(collection, key, 1)],
                f"history({collection!r}, {key!r})",
            )
        for number, collection in enumerate(AWKWARD_COLLECTIONS):
            store.declare(collection, indexed=["k"])
            _same(store.indexed_fields(collection), ("k",), f"indexed_fields({collection!r})")
            key = SHORT_AWKWARD_KEYS[number % len(SHORT_AWKWARD_KEYS)]
            what = f"scan of collection {collection!r} where k = {key!r}"
            _same(_keys(store.scan(collection, where={"k": key}), what, 1), [key], what)

    def test_records_are_copies(self, store: Store) -> None:
        """Records are copies."""
        record: dict[str, Any] = {"list": [1, 2], "obj": {"a": 1}}
        store.write([Put(C, "a", record)])
        record["list"].append(3)
        record["obj"]["a"] = 2
        got = store.get(C, "a")
        assert got is not None
        assert got.record == {"list": [1, 2], "obj": {"a": 1}}
        assert got.record is not None
        got.record["list"].append(99)
        again = store.get(C, "a")
        assert again is not None
        assert again.record == {"list": [1, 2], "obj": {"a": 1}}

    def test_records_of_every_read_are_copies(self, store: Store) -> None:
        """Changing a record that any read returned changes nothing that later reads return."""
        stored: dict[str, Any] = {"list": [1, {"deep": [2]}], "obj": {"a": {"b": 1}}, "n": 1}
        expected = copy.deepcopy(stored)
        store.declare(C, indexed=["n"])
        store.write([Put(C, "a", stored), Put(C, "z", {"n": 2})])
        reads: dict[str, Callable[[], StoredRecord | None]] = {
            "get": lambda: store.get(C, "a"),
            "get_many": lambda: store.get_many(C, ["a", "z"]).get("a"),
            "scan": lambda: next(iter(_read(store.scan(C), "scan", 2)), None),
            "scan with a filter": lambda: next(
                iter(_read(store.scan(C, where={"n": 1}), "scan", 1)), None
            ),
            "history": lambda: next(iter(_read(store.history(C, "a"), "history", 1)), None),
            "changes": lambda: next(iter(_read(store.changes(0), "changes", 2)), None),
        }
        for changed, read in reads.items():
            got = read()
            assert got is not None, f"{changed} did not return the record ('things', 'a')"
            record = got.record
            assert record is not None
            record["list"].append(99)
            record["list"][1]["deep"].append(3)
            record["obj"]["a"]["b"] = 2
            record["added"] = True
            for other, read_again in reads.items():
                again = read_again()
                assert again is not None
                assert again.record == expected, (
                    f"changing the record {changed} returned changed what {other} returns: "
                    f"{brief(again.record)}, stored {brief(expected)}; every read must return "
                    "a fresh copy, nested lists and objects included"
                )


class ValidationTests(StoreFixtures):
    """Malformed input is refused with every problem listed, and nothing is written."""

    def test_every_problem_of_a_batch_is_listed(self, store: Store) -> None:
        """Every problem of a batch is listed."""
        too_deep: Any = []
        for _ in range(MAX_NESTING):
            too_deep = [too_deep]
        writes: list[Any] = [
            Put(C, "", {}),
            Put(C, "nul\x00key", {}),
            Put("", "k", {}),
            Put(C, "k1", ["not", "an", "object"]),  # type: ignore[arg-type]
            Put(C, "k2", {"t": (1, 2)}),
            Put(C, "k3", {"nan": float("nan")}),
            Put(C, "k4", {"nested": {1: "int key"}}),
            Put(C, "k5", {}, 0),
            Delete(C, "k6", None),  # type: ignore[arg-type]
            "not a write",
            Put(C, "k" * (MAX_KEY_LENGTH + 1), {}),
            Put(C, "deep", {"d": too_deep}),
            Put(C, "ok", {}),
        ]
        with pytest.raises(ValidationError) as caught:
            store.write(writes)
        assert _paths(caught.value) == {
            "$.writes[0].key",
            "$.writes[1].key",
            "$.writes[2].collection",
            "$.writes[3].record",
            "$.writes[4].record.t",
            "$.writes[5].record.nan",
            "$.writes[6].record.nested",
            "$.writes[7].expected_version",
            "$.writes[8].expected_version",
            "$.writes[9]",
            "$.writes[10].key",
            "$.writes[11].record.d" + "[0]" * (MAX_NESTING - 1),
        }
        assert _read(store.changes(0), "changes") == []

    def test_a_key_written_twice_in_one_batch_is_refused(self, store: Store) -> None:
        """A key written twice in one batch is refused."""
        with pytest.raises(ValidationError) as caught:
            store.write([Put(C, "a", {"n": 1}), Put(C, "b", {}), Put(C, "a", {"n": 2}, 1)])
        assert _paths(caught.value) == {"$.writes[2]"}
        assert store.get(C, "a") is None

    def test_reads_refuse_malformed_names(self, store: Store) -> None:
        """Reads refuse malformed names."""
        with pytest.raises(ValidationError):
            store.get(C, "")
        with pytest.raises(ValidationError):
            store.get("", "k")
        with pytest.raises(ValidationError):
            store.get_many(C, ["ok", "bad\x00"])
        with pytest.raises(ValidationError):
            store.history(C, "\x00")
        with pytest.raises(ValidationError):
            store.scan("")

    def test_declarations_refuse_malformed_names(self, store: Store) -> None:
        """Declarations refuse malformed names."""
        with pytest.raises(ValidationError) as caught:
            store.declare("", indexed=["ok", "", "x\x00"])
        assert _paths(caught.value) == {"$.collection", "$.indexed[1]", "$.indexed[2]"}

    def test_get_many_refuses_a_single_key(self, store: Store) -> None:
        """`get_many` refuses one key instead of many (a string is not read char by char)."""
        store.write([Put(C, "p", {}), Put(C, "p-1", {})])
        before = _state(store)
        for keys in ("p-1", b"p-1", None, 7):
            with pytest.raises(ValidationError) as caught:
                store.get_many(C, keys)  # type: ignore[arg-type]
            assert _paths(caught.value) == {"$.keys"}, keys
            assert "must be an iterable of keys" in str(caught.value)
        with pytest.raises(ValidationError, match="not a string"):
            store.get_many(C, "p-1")
        with pytest.raises(ValidationError) as caught:
            store.get_many(C, ["p", ["p"], "p-1", ""])  # type: ignore[list-item]
        assert _paths(caught.value) == {"$.keys[1]", "$.keys[3]"}
        assert _state(store) == before
        assert list(store.get_many(C, (k for k in ["p-1", "p"]))) == ["p-1", "p"]

    def test_write_refuses_what_is_not_a_batch(self, store: Store) -> None:
        """`write` refuses a single write, a string, a mapping or a non-iterable."""
        store.write([Put(C, "a", {"n": 1})])
        before = _state(store)
        single_put, single_delete = Put(C, "b", {"n": 1}), Delete(C, "a", 1)
        for writes in (single_put, single_delete, "ab", b"ab", {"b": single_put}, None, 3):
            with pytest.raises(ValidationError) as caught:
                store.write(writes)  # type: ignore[arg-type]
            assert _paths(caught.value) == {"$.writes"}, writes
            assert "must be an iterable of Put/Delete" in str(caught.value)
        with pytest.raises(ValidationError, match="single Put"):
            store.write(single_put)  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="single Delete"):
            store.write(single_delete)  # type: ignore[arg-type]
        assert _state(store) == before
        assert store.get(C, "b") is None
        assert store.write(w for w in [single_put]).versions == (1,)

    def test_scan_refuses_a_filter_that_is_not_a_mapping(self, store: Store) -> None:
        """`scan` refuses a filter that is not a mapping of fields to values."""
        store.declare(C, indexed=["team"])
        store.write([Put(C, "a", {"team": "t"})])
        before = _state(store)
        for where in ([("team", "t")], [], "team", 1):
            with pytest.raises(ValidationError) as caught:
                store.scan(C, where=where)  # type: ignore[arg-type]
            assert _paths(caught.value) == {"$.where"}, where
            assert "must be a mapping of indexed fields to values" in str(caught.value)
        assert _state(store) == before
        assert _keys(store.scan(C, where={"team": "t"}), "scan") == ["a"]

    def test_declare_refuses_indexed_that_is_not_an_iterable_of_names(self, store: Store) -> None:
        """`declare` refuses `indexed=None` and a bare string (write `indexed=["team"]`)."""
        store.declare(C, indexed=["level"])
        store.write([Put(C, "a", {"team": "t", "level": 1})])
        before = _state(store)
        for indexed in (None, "team", b"team", 5):
            with pytest.raises(ValidationError) as caught:
                store.declare(C, indexed=indexed)  # type: ignore[arg-type]
            assert _paths(caught.value) == {"$.indexed"}, indexed
            assert "must be an iterable of field names" in str(caught.value)
        with pytest.raises(ValidationError) as caught:
            store.declare("", indexed=None)  # type: ignore[arg-type]
        assert _paths(caught.value) == {"$.collection", "$.indexed"}
        assert _state(store) == before
        assert store.indexed_fields(C) == ("level",)
        assert _keys(store.scan(C, where={"level": 1}), "scan") == ["a"]


class LifecycleTests(StoreFixtures):
    """Stores are context managers and refuse work once closed."""

    def test_a_closed_store_refuses_work(self, store: Store) -> None:
        """A closed store refuses work."""
        store.write([Put(C, "a", {})])
        with store as same:
            assert same is store
        with pytest.raises(StoreClosedError):
            store.get(C, "a")
        with pytest.raises(StoreClosedError):
            store.write([Put(C, "b", {})])
        with pytest.raises(StoreClosedError):
            _read(store.scan(C), "scan")
        with pytest.raises(StoreClosedError):
            _read(store.changes(0), "changes")
        store.close()

    def test_every_method_refuses_work_once_closed(self, store: Store) -> None:
        """Every method of a closed store raises `StoreClosedError`; closing again is harmless.

        `scan`, `history` and `changes` may raise when called or at the first `next()`.
        """
        store.declare(C, indexed=["n"])
        store.write([Put(C, "a", {"n": 1}), Put(C, "b", {"n": 2})])
        store.close()
        calls: dict[str, Callable[[], object]] = {
            "get": lambda: store.get(C, "a"),
            "get_many": lambda: store.get_many(C, ["a", "b"]),
            "scan": lambda: next(iter(store.scan(C)), None),
            "scan with a filter": lambda: next(iter(store.scan(C, where={"n": 1})), None),
            "history": lambda: next(iter(store.history(C, "a")), None),
            "changes": lambda: next(iter(store.changes(0)), None),
            "last_seq": lambda: store.last_seq(),  # noqa: PLW0108 (looked up after close())
            "write": lambda: store.write([Put(C, "c", {"n": 3})]),
            "declare": lambda: store.declare(C, indexed=["m"]),
            "indexed_fields": lambda: store.indexed_fields(C),
        }
        wrong: list[str] = []
        for name, call in calls.items():
            try:
                result = call()
            except StoreClosedError:
                continue
            except Exception as error:  # reported below, with every other method's outcome
                wrong.append(f"{name} raised {type(error).__name__}: {brief(str(error), 80)}")
            else:
                wrong.append(f"{name} returned {brief(result, 80)}")
        assert not wrong, "after close(), expected StoreClosedError, but " + "; ".join(wrong)
        store.close()
        store.__exit__(None, None, None)

    def test_closing_twice_is_harmless(self, store: Store) -> None:
        """Closing twice (and leaving a `with` block after `close()`) is harmless."""
        store.write([Put(C, "a", {})])
        with store:
            store.close()
        store.close()
        with pytest.raises(StoreClosedError):
            store.get(C, "a")

    def test_an_open_scan_fails_cleanly_after_close(self, store: Store) -> None:
        """An open scan fails cleanly after close."""
        store.write([Put(C, f"k{i:04d}", {}) for i in range(1300)])
        scan = store.scan(C)
        next(scan)
        store.close()
        with pytest.raises(StoreClosedError):
            _read(scan, "scan")


class PersistenceTests(StoreFixtures):
    """What one store handle commits, another handle on the same data reads (needs `reopen`)."""

    def test_everything_survives_a_reopen(
        self, store: Store, reopen: Callable[[], Store] | None
    ) -> None:
        """Everything survives a reopen."""
        if reopen is None:
            pytest.skip("this store keeps no data beyond its own lifetime")
        store.declare(C, indexed=["team"])
        store.write([Put(C, "a", {"team": "x"}), Put(C, "b", {"team": "y"})])
        last = store.write([Put(C, "a", {"team": "y"}, 1)]).seqs[-1]
        store.close()
        with reopen() as again:
            assert again.indexed_fields(C) == ("team",)
            assert _keys(again.scan(C, where={"team": "y"}), "scan") == ["a", "b"]
            assert [r.version for r in again.history(C, "a")] == [1, 2]
            assert again.write([Put(C, "c", {})]).seqs[0] > last

    def test_two_handles_see_each_others_commits(
        self, store: Store, reopen: Callable[[], Store] | None
    ) -> None:
        """Two handles see each others commits."""
        if reopen is None:
            pytest.skip("this store keeps no data beyond its own lifetime")
        with reopen() as other:
            store.declare(C, indexed=["team"])
            store.write([Put(C, "a", {"team": "x"})])
            assert other.indexed_fields(C) == ("team",)
            got = other.get(C, "a")
            assert got is not None
            assert got.version == 1
            other.write([Put(C, "a", {"team": "z"}, 1)])
            with pytest.raises(ConflictError):
                store.write([Put(C, "a", {"team": "w"}, 1)])
            assert _keys(store.scan(C, where={"team": "z"}), "scan") == ["a"]

    def test_a_handle_that_read_an_old_version_conflicts(
        self, store: Store, reopen: Callable[[], Store] | None
    ) -> None:
        """A write expecting a version another handle replaced conflicts and writes nothing."""
        if reopen is None:
            pytest.skip("this store keeps no data beyond its own lifetime")
        store.write([Put(C, "a", {"n": 1})])
        with reopen() as other:
            seen = store.get(C, "a")
            assert seen is not None
            _same(seen.version, 1, "the version handle A read")
            other.write([Put(C, "a", {"n": 2}, 1)])
            before = _read(other.changes(0), "changes", 2)
            stale = [Put(C, "fresh", {"by": "A"}), Put(C, "a", {"n": 3}, seen.version)]
            try:
                store.write(stale)
            except ConflictError as error:
                _same(error.conflicts, ((C, "a"),), "the conflicts of handle A's stale write")
            else:
                raise AssertionError(
                    "handle A wrote ('things', 'a') expecting version 1 after handle B had "
                    "written version 2, and no ConflictError was raised: check expectations "
                    "against the stored data under the write lock, not against what this "
                    "handle read or wrote"
                )
            for name, handle in (("A", store), ("B", other)):
                _same(handle.get(C, "fresh"), None, f"('things', 'fresh') read by handle {name}")
                got = handle.get(C, "a")
                _same(
                    None if got is None else (got.version, got.record),
                    (2, {"n": 2}),
                    f"('things', 'a') read by handle {name} after the conflict",
                )
                _same(
                    _read(handle.changes(0), "changes", len(before)),
                    before,
                    f"the change feed read by handle {name} after the conflict",
                )
            again = store.get(C, "a")
            assert again is not None
            _same(again.version, 2, "the version handle A reads after the conflict")
            commit = store.write([Put(C, "a", {"n": 3}, again.version), *stale[:1]])
            _same(commit.versions, (3, 1), "versions of handle A's write after reading again")
            got = other.get(C, "a")
            _same(
                None if got is None else (got.version, got.record),
                (3, {"n": 3}),
                "('things', 'a') read by handle B",
            )

    def test_sequence_numbers_increase_across_handles(
        self, store: Store, reopen: Callable[[], Store] | None
    ) -> None:
        """Writes through two handles get unique, increasing sequence numbers, in one feed."""
        if reopen is None:
            pytest.skip("this store keeps no data beyond its own lifetime")
        with reopen() as other:
            handles = {"A": store, "B": other}
            written: list[tuple[str, int, str]] = []
            for turn, name in enumerate("ABABBA"):
                batch = [Put(C, f"k{turn}", {"turn": turn}), Put("other", f"k{turn}", {})]
                commit = handles[name].write(batch)
                written += [(name, seq, w.key) for seq, w in zip(commit.seqs, batch, strict=True)]
            seqs = [seq for _, seq, _ in written]
            assert seqs == sorted(set(seqs)), (
                "sequence numbers of writes through two handles (handle, seq) must be unique "
                f"and increasing: {[(name, seq) for name, seq, _ in written]}"
            )
            for name, handle in handles.items():
                _same(handle.last_seq(), seqs[-1], f"last_seq() read by handle {name}")
                feed = _read(handle.changes(0), "changes", len(written))
                _same(
                    [(r.seq, r.key) for r in feed],
                    [(seq, key) for _, seq, key in written],
                    f"the change feed read by handle {name}",
                )
                since = written[5][1]
                _same(
                    _keys(handle.changes(since), "changes", len(written) - 6),
                    [key for _, _, key in written[6:]],
                    f"the change feed since {since} read by handle {name}",
                )


class StoreConformance(
    WriteTests,
    DeleteTests,
    HistoryTests,
    ReadTests,
    ScanTests,
    ChangeFeedTests,
    ValueTests,
    ValidationTests,
    LifecycleTests,
    PersistenceTests,
):
    """Every conformance test; subclass it as ``Test…`` and override the `store` fixture."""
