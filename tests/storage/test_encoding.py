"""Records, names and indexed values are checked and encoded the same way for every backend."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.errors import ConflictError, ValidationError
from workplan_core.storage import CorruptRecordError, Delete, Put
from workplan_core.storage.batch import (
    Head,
    check_batch,
    check_declaration,
    next_versions,
    prepare_batch,
)
from workplan_core.storage.encoding import (
    MAX_INDEX_VALUE_LENGTH,
    MAX_KEY_LENGTH,
    are_plain_names,
    decode_record,
    encode_flat_record,
    encode_index_value,
    encode_record,
    index_entries,
    iterable_problem,
    name_problem,
    record_problems,
    require_keys,
    require_writes,
    where_entries,
)
from workplan_core.testing.strategies.storage import store_keys, store_records


def _same(a: Any, b: Any) -> bool:
    """Equality that also tells -0.0 from 0.0 and 1 from 1.0 and True."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


@given(store_records())
def test_every_valid_record_round_trips_exactly(record: dict[str, Any]) -> None:
    assert record_problems(record, "$") == []
    text = encode_record(record)
    assert text.isascii()
    assert _same(decode_record(text, "c", "k", 1), record)


@given(store_records())
def test_the_flat_fast_path_encodes_like_the_full_path(record: dict[str, Any]) -> None:
    fast = encode_flat_record(record)
    flat = all(not isinstance(v, list | dict) for v in record.values())
    assert (fast is not None) == flat
    if fast is not None:
        assert fast == encode_record(record)


@given(store_keys())
def test_generated_keys_are_valid_names(key: str) -> None:
    assert name_problem(key, 256) is None


@settings(max_examples=100)
@given(st.lists(st.tuples(store_keys(), store_records(max_leaves=3)), max_size=8))
def test_fast_and_detailed_checks_prepare_the_same_batch(
    items: list[tuple[str, dict[str, Any]]],
) -> None:
    unique = list(dict(items).items())
    batch = prepare_batch([Put("c", k, r) for k, r in unique])
    for prepared, (key, record) in zip(batch, unique, strict=True):
        assert prepared.key == key
        assert prepared.text == encode_record(record)


def test_index_values_keep_their_json_type() -> None:
    texts = [encode_index_value(v) for v in ("1", 1, True, None, False, 0, "true")]
    assert texts == ['"1"', "1", "true", "null", "false", "0", '"true"']
    assert encode_index_value(1.0) is None
    assert encode_index_value([1]) is None
    assert encode_index_value("é") == '"\\u00e9"'
    assert encode_index_value("x" * MAX_INDEX_VALUE_LENGTH) is None
    assert encode_index_value("x" * (MAX_INDEX_VALUE_LENGTH - 2)) is not None


def test_index_entries_skip_missing_and_unindexable_fields() -> None:
    record = {"team": "t", "n": 2.5, "tags": ["a"], "level": 3}
    assert index_entries(record, ("level", "n", "missing", "tags", "team")) == [
        ("level", "3"),
        ("team", '"t"'),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("{not json", "not valid JSON"), ("[1, 2]", "not an object"), (None, "not text")],
)
def test_undecodable_bodies_name_collection_key_and_version(text: Any, reason: str) -> None:
    with pytest.raises(CorruptRecordError, match=reason) as caught:
        decode_record(text, "people", "p-7", 3)
    assert (caught.value.collection, caught.value.key, caught.value.version) == ("people", "p-7", 3)


def test_next_versions_worked_example() -> None:
    batch = prepare_batch(
        [
            Put("c", "new", {}),  # never written: version 1
            Put("c", "live", {}, 4),  # live at 4: version 5
            Put("c", "gone", {}),  # deleted at 2: version 3
            Delete("c", "also-live", 7),  # live at 7: tombstone 8
        ]
    )
    heads = {
        ("c", "live"): Head(4, True),
        ("c", "gone"): Head(2, False),
        ("c", "also-live"): Head(7, True),
    }
    assert next_versions(batch, heads) == [1, 5, 3, 8]


def test_next_versions_lists_every_conflict_with_what_was_found() -> None:
    batch = prepare_batch([Put("c", "a", {}), Put("c", "b", {}, 2), Delete("c", "d", 1)])
    heads = {("c", "a"): Head(1, True), ("c", "b"): Head(3, False), ("c", "d"): Head(1, False)}
    with pytest.raises(ConflictError) as caught:
        next_versions(batch, heads)
    assert caught.value.conflicts == (("c", "a"), ("c", "b"), ("c", "d"))
    message = str(caught.value)
    assert "c/a: expected no live record, found version 1" in message
    assert "c/b: expected version 2, found version 3 (deleted)" in message
    assert "c/d: expected version 1, found version 1 (deleted)" in message


@settings(max_examples=200)
@given(st.lists(st.text(max_size=4) | store_keys() | st.integers() | st.none(), max_size=8))
def test_require_keys_agrees_with_name_problem_key_by_key(keys: list[Any]) -> None:
    bad = {f"$.keys[{i}]" for i, k in enumerate(keys) if name_problem(k, MAX_KEY_LENGTH)}
    assert are_plain_names(keys, MAX_KEY_LENGTH) == (not bad)
    if bad:
        with pytest.raises(ValidationError) as caught:
            require_keys(keys)
        assert {p.path for p in caught.value.problems} == bad
    else:
        assert require_keys(keys) == list(dict.fromkeys(keys))


def test_require_keys_takes_any_iterable_of_keys_but_not_one_key() -> None:
    assert require_keys(("b", "a", "b")) == ["b", "a"]
    assert require_keys(k for k in ["x", "y"]) == ["x", "y"]
    assert require_keys({"k1": 1, "k2": 2}) == ["k1", "k2"]
    assert require_keys([]) == []
    for one in ("p-1", b"p-1", bytearray(b"p"), None, 3):
        with pytest.raises(ValidationError) as caught:
            require_keys(one)
        assert [p.path for p in caught.value.problems] == ["$.keys"]


def test_require_writes_passes_lists_through_and_refuses_what_is_not_a_batch() -> None:
    writes: list[Any] = [Put("c", "k", {})]
    assert require_writes(writes) is writes
    assert require_writes(w for w in writes) == writes
    assert require_writes((Delete("c", "k", 1),)) == [Delete("c", "k", 1)]
    for bad, said in [
        (Put("c", "k", {}), "single Put"),
        (Delete("c", "k", 1), "single Delete"),
        ("ck", "not a string"),
        (b"ck", "not bytes"),
        ({"k": Put("c", "k", {})}, "got dict"),
        (None, "got NoneType"),
    ]:
        for check in (require_writes, prepare_batch, check_batch):
            with pytest.raises(ValidationError, match=said) as caught:
                check(bad)
            assert [p.path for p in caught.value.problems] == ["$.writes"]


def test_where_must_be_a_mapping_or_none() -> None:
    assert where_entries("c", None, ("team",)) == []
    assert where_entries("c", {}, ()) == []
    assert where_entries("c", {"team": "t"}, ("team",)) == [("team", '"t"')]
    for bad in ([("team", "t")], [], "team", ()):
        with pytest.raises(ValidationError, match="must be a mapping") as caught:
            where_entries("c", bad, ("team",))
        assert [p.path for p in caught.value.problems] == ["$.where"]


def test_declarations_take_an_iterable_of_names_but_not_one_name() -> None:
    assert check_declaration("c", ("b", "a", "b")) == ("c", ("a", "b"))
    assert check_declaration("c", (f for f in ["x"])) == ("c", ("x",))
    assert iterable_problem(["team"], "field names") is None
    for bad in ("team", None, b"team", 1):
        with pytest.raises(ValidationError) as caught:
            check_declaration("c", bad)
        assert [p.path for p in caught.value.problems] == ["$.indexed"]
