"""The bulk paths of the stores: whole-batch checks, batch encoding, bulk loads of new keys.

They must accept, refuse and store exactly as the one-write-at-a-time paths do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pgschema import private_store

from workplan_core.errors import ConflictError, ValidationError
from workplan_core.storage import Delete, Put, Store, open_store
from workplan_core.storage.batch import (
    _prepare_each,
    check_batch,
    index_columns,
    prepare_batch,
)
from workplan_core.storage.encoding import (
    decode_each,
    decode_records,
    encode_record,
    encode_records,
    index_entries,
    index_texts,
)
from workplan_core.storage.memory import _Keys
from workplan_core.testing.strategies.storage import store_keys, store_records

# ---------------------------------------------------------------------- helpers


@given(st.lists(store_records(), max_size=8))
def test_batch_encoding_matches_encoding_each_record(records: list[dict[str, Any]]) -> None:
    assert encode_records(records) == [encode_record(r) for r in records]


@pytest.mark.parametrize(
    "records",
    [
        [{"a": "},{"}, {"b": 1}],  # the cut mark inside a string
        [{"a": [{}, {}]}, {"b": [{"c": 1}, {"d": 2}]}],  # and between nested objects
        [{}, {}, {}],
        [{"x": "line\nbreak\ttab\\slash\u2028"}, {"y": "é😀"}],
    ],
)
def test_batch_encoding_finds_its_cuts(records: list[dict[str, Any]]) -> None:
    assert encode_records(records) == [encode_record(r) for r in records]


def _writes() -> st.SearchStrategy[list[Put | Delete]]:
    write = st.one_of(
        st.builds(
            Put,
            st.sampled_from(["c", "d"]),
            store_keys(),
            store_records(max_leaves=4),
            st.none() | st.integers(1, 3),
        ),
        st.builds(Delete, st.sampled_from(["c", "d"]), store_keys(), st.integers(1, 3)),
    )
    return st.lists(write, max_size=8, unique_by=lambda w: (w.collection, w.key))


@settings(max_examples=200)
@given(_writes())
def test_the_bulk_check_prepares_what_the_detailed_check_prepares(
    writes: list[Put | Delete],
) -> None:
    assert prepare_batch(writes) == _prepare_each(writes)
    checked = check_batch(writes)
    assert checked.prepared() == _prepare_each(writes)
    assert check_batch(writes, encode=False).prepared() == _prepare_each(writes)
    nested = any(
        isinstance(v, list | dict) for w in writes if isinstance(w, Put) for v in w.record.values()
    )
    assert checked.nested == nested


@pytest.mark.parametrize(
    "write",
    [
        Put("c", "k", {"n": float("nan")}),
        Put("c", "k", {"n": [float("inf")]}),
        Put("c", "k", {"t": (1, 2)}),
        Put("c", "k", {1: "x"}),  # type: ignore[dict-item]
        Put("c", "k", {"n": True}, 0),
        Put("c", "k", {}, True),  # type: ignore[arg-type]
        Put("c", "k\x00", {}),
        Put("c", "\ud800", {}),
        Put("c", "", {}),
        Put("", "k", {}),
        Put("c", "k" * 257, {}),
        Put(["c"], "k", {}),  # type: ignore[arg-type]
        Put("c", ["k"], {}),  # type: ignore[arg-type]
        Put("c", "k", {"x": {"y": float("nan")}}),
        Put("c", "k", {"x": [[[]]] * 2, "y": {"z": object()}}),
        Delete("c", "k", None),  # type: ignore[arg-type]
        Delete("c", "k", -1),
    ],
)
def test_the_bulk_check_refuses_what_the_detailed_check_refuses(write: Put | Delete) -> None:
    batch = [Put("c", "fine", {"a": 1}), write]
    with pytest.raises(ValidationError) as bulk:
        check_batch(batch)
    with pytest.raises(ValidationError) as each:
        _prepare_each(batch)
    assert bulk.value.problems == each.value.problems


def test_a_key_twice_in_a_batch_is_refused_by_the_bulk_check() -> None:
    with pytest.raises(ValidationError) as caught:
        check_batch([Put("c", "a", {}), Put("c", "a", {}, 1)])
    assert [p.path for p in caught.value.problems] == ["$.writes[1]"]


@given(st.lists(st.none() | store_records(max_leaves=3), max_size=6), st.sampled_from(["a", ""]))
def test_index_texts_match_index_entries(records: list[dict[str, Any] | None], field: str) -> None:
    expected = [None if r is None else dict(index_entries(r, (field,))).get(field) for r in records]
    assert index_texts(records, field) == expected


def test_index_columns_cover_every_collection_and_field() -> None:
    checked = check_batch(
        [
            Put("c", "1", {"t": "x", "n": 1}),
            Put("d", "2", {"t": "y"}),
            Delete("c", "3", 1),
            Put("c", "4", {"n": 1.5}),
        ]
    )
    columns = list(index_columns(checked, {"c": ("n", "t"), "d": ("t",), "e": ("t",)}))
    assert columns == [
        ("c", "n", ["1", None, None, None]),
        ("c", "t", ['"x"', None, None, None]),
        ("d", "t", [None, '"y"', None, None]),
    ]


def test_decode_each_decodes_compact_objects_or_declines() -> None:
    assert decode_each(['{"a":1}', None, '{"b":[2]}']) == [{"a": 1}, None, {"b": [2]}]
    assert decode_each([]) == []
    for broken in (' {"a":1}', '{"a":1} ', "[1]", "{broken", b"{}", 7):
        assert decode_each(['{"a":1}', broken]) is None, broken


def test_decode_records_decodes_a_page_or_declines() -> None:
    assert decode_records(['{"a":1}', None, '{"b":[2]}']) == [{"a": 1}, None, {"b": [2]}]
    assert decode_records([None]) == [None]
    assert decode_records(['{"a":1}', "[1]"]) is None
    assert decode_records(['{"a":1}', "{broken"]) is None


@settings(max_examples=100)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from("abcdefghij")), max_size=60))
def test_lazily_sorted_keys_stay_sorted(steps: list[tuple[bool, str]]) -> None:
    keys = _Keys()
    reference: set[str] = set()
    for i, (add, key) in enumerate(steps):
        if add and key not in reference:
            keys.insert(key)
            reference.add(key)
        elif not add and key in reference:
            keys.remove(key)
            reference.discard(key)
        if i % 7 == 0:
            assert list(keys.ordered()) == sorted(reference)
        assert len(keys) == len(reference)
    keys.insert_many([k for k in "abcdefghijkl" if k not in reference])
    assert list(keys.ordered()) == list("abcdefghijkl")


# ---------------------------------------------------------------------- stores


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    if request.param == "memory":
        with open_store("memory://") as memory:
            yield memory
    elif request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path}/bulk.db") as sqlite:
            yield sqlite
    else:
        with private_store(request.getfixturevalue("postgres_dsn")) as postgres:
            yield postgres


def test_a_bulk_load_conflicts_on_live_keys_only(store: Store) -> None:
    store.declare("c", indexed=["t"])
    store.write([Put("c", k, {"t": "old"}) for k in ("live1", "gone", "live2")])
    store.write([Delete("c", "gone", 1)])
    before = list(store.changes())
    batch = [Put("c", k, {"t": "new"}) for k in ("fresh", "live1", "gone", "live2")]
    with pytest.raises(ConflictError) as caught:
        store.write(batch)
    assert caught.value.conflicts == (("c", "live1"), ("c", "live2"))
    assert list(store.changes()) == before
    assert [r.key for r in store.scan("c", where={"t": "new"})] == []
    assert [r.key for r in store.scan("c")] == ["live1", "live2"]


def test_a_bulk_load_recreates_deleted_keys(store: Store) -> None:
    store.declare("c", indexed=["t"])
    store.write([Put("c", "gone", {"t": "old"})])
    store.write([Delete("c", "gone", 1)])
    commit = store.write([Put("c", "fresh", {"t": "new"}), Put("c", "gone", {"t": "new"})])
    assert commit.versions == (1, 3)
    assert [r.key for r in store.scan("c", where={"t": "new"})] == ["fresh", "gone"]
    assert [r.key for r in store.scan("c", where={"t": "old"})] == []
    assert [(r.version, r.record) for r in store.history("c", "gone")] == [
        (1, {"t": "old"}),
        (2, None),
        (3, {"t": "new"}),
    ]


def test_bulk_loads_index_every_kind_of_value(store: Store) -> None:
    store.declare("c", indexed=["t", "n"])
    store.declare("d", indexed=["t"])
    values: list[Any] = ["x", 1, True, None, 1.5, [1], "y" * 2000, "tab\there", "back\\slash"]
    writes = [Put("c", f"k{i}", {"t": v, "n": i % 2}) for i, v in enumerate(values)]
    writes += [Put("c", "missing", {}), Put("d", "k0", {"t": "x"})]
    store.write(writes)
    for position in (0, 1, 2, 3, 7, 8):
        found = [(r.collection, r.key) for r in store.scan("c", where={"t": values[position]})]
        assert found == [("c", f"k{position}")], values[position]
    assert [r.key for r in store.scan("c", where={"n": 1})] == ["k1", "k3", "k5", "k7"]
    assert [r.key for r in store.scan("d", where={"t": "x"})] == ["k0"]


def test_big_bulk_loads_read_back_in_order(store: Store) -> None:
    store.declare("c", indexed=["g"])
    keys = [f"k{i:05d}" for i in range(3000)]
    random.Random(3).shuffle(keys)
    for start in range(0, 3000, 1000):
        store.write(
            [Put("c", k, {"g": int(k[1:]) % 3, "k": k}) for k in keys[start : start + 1000]]
        )
    assert [r.key for r in store.scan("c")] == sorted(keys)
    in_group = [r.key for r in store.scan("c", where={"g": 1})]
    assert in_group == sorted(k for k in keys if int(k[1:]) % 3 == 1)
    assert all(r.record == {"g": 1, "k": r.key} for r in store.scan("c", where={"g": 1}))


def test_flat_records_are_copies_too(store: Store) -> None:
    record: dict[str, Any] = {"name": "Ada", "n": 1}
    store.write([Put("c", "a", record), Put("c", "b", dict(record))])
    record["name"] = "changed"
    got = store.get("c", "a")
    assert got is not None
    assert got.record == {"name": "Ada", "n": 1}
    assert got.record is not None
    got.record["n"] = 99
    for read in (store.get("c", "a"), *store.scan("c"), *store.changes()):
        assert read is not None
        assert read.record is not None
        assert read.record["n"] == 1


def test_changes_since_any_position_cross_batches(store: Store) -> None:
    sizes = [1, 300, 2, 257, 1]
    seqs: list[int] = []
    for number, size in enumerate(sizes):
        commit = store.write([Put("c", f"b{number}-{i:03d}", {"i": i}) for i in range(size)])
        seqs.extend(commit.seqs)
    everything = [(c.seq, c.key) for c in store.changes()]
    assert [seq for seq, _ in everything] == seqs
    for since in [0, 1, 2, 255, 256, 301, 302, 303, 304, 560, seqs[-1], seqs[-1] + 5]:
        assert [(c.seq, c.key) for c in store.changes(since)] == [
            (seq, key) for seq, key in everything if seq > since
        ]
