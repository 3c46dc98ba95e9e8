"""Typed reads: stamped records come back as objects, older schema versions upcast on read."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.org import Person
from workplan_core.serialization import dump_record, record_type, register_upcaster
from workplan_core.storage import (
    CorruptRecordError,
    Delete,
    Put,
    StoredRecord,
    get_as,
    load_stored,
    open_store,
    scan_as,
)
from workplan_core.testing.strategies import register_strategy


@record_type("test_storage.rating", version=2)
@attrs.frozen
class Rating:
    """A test-only record whose version 1 called `rating` `stars` and had no `scale`."""

    person: str
    rating: int
    scale: int


@register_upcaster("test_storage.rating", from_version=1)
def _rating_v1_to_v2(body: dict[str, Any]) -> dict[str, Any]:
    body = dict(body)
    body["rating"] = body.pop("stars")
    body["scale"] = 5
    return body


register_strategy(Rating, st.builds(Rating, st.text(min_size=1), st.integers(1, 5), st.just(5)))

OLDER_SHAPE = {"$type": "test_storage.rating", "$version": 1, "person": "p-1", "stars": 4}


def test_put_of_stamps_the_record() -> None:
    put = Put.of("ratings", "r-1", Rating("p-1", 3, 5), expected_version=2)
    assert put.record == {
        "person": "p-1",
        "rating": 3,
        "scale": 5,
        "$type": "test_storage.rating",
        "$version": 2,
    }
    assert put.expected_version == 2


def test_an_older_schema_version_is_upcast_on_read() -> None:
    with open_store("memory://") as store:
        store.declare("ratings", indexed=["person"])
        store.write([Put("ratings", "r-1", OLDER_SHAPE)])
        store.write([Put.of("ratings", "r-2", Rating("p-1", 2, 10))])
        assert get_as(store, "ratings", "r-1", Rating) == Rating("p-1", 4, 5)
        assert list(scan_as(store, "ratings", Rating, where={"person": "p-1"})) == [
            Rating("p-1", 4, 5),
            Rating("p-1", 2, 10),
        ]
        assert get_as(store, "ratings", "missing", Rating) is None


def test_the_older_shape_is_stored_untouched() -> None:
    with open_store("memory://") as store:
        store.write([Put("ratings", "r-1", OLDER_SHAPE)])
        got = store.get("ratings", "r-1")
        assert got is not None
        assert got.record == OLDER_SHAPE


def test_an_invalid_stored_record_names_its_collection_and_key() -> None:
    with open_store("memory://") as store:
        store.write([Put("ratings", "r-9", {**dump_record(Rating("p", 1, 5)), "rating": "high"})])
        with pytest.raises(CorruptRecordError) as caught:
            get_as(store, "ratings", "r-9", Rating)
    assert (caught.value.collection, caught.value.key, caught.value.version) == (
        "ratings",
        "r-9",
        1,
    )
    assert "$.rating" in str(caught.value)


def test_a_tombstone_is_not_a_record() -> None:
    with open_store("memory://") as store:
        store.write([Put.of("ratings", "r-1", Rating("p", 1, 5))])
        store.write([Delete("ratings", "r-1", 1)])
        tombstone = list(store.history("ratings", "r-1"))[-1]
    assert isinstance(tombstone, StoredRecord)
    with pytest.raises(CorruptRecordError, match="tombstone"):
        load_stored(tombstone, Rating)


@attrs.frozen
class Unregistered:
    """An attrs class never registered as a record type."""

    person: str


@pytest.mark.parametrize("obj", [{"person": "p-1"}, Unregistered("p-1"), "p-1", None])
def test_put_of_refuses_what_is_not_a_record_at_its_argument(obj: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Put.of("ratings", "p-1", obj)
    (problem,) = caught.value.problems
    assert problem.path == "$.obj"
    assert f"got a {type(obj).__name__}" in problem.message
    assert ("Put(collection, key, record)" in problem.message) == isinstance(obj, dict)


def test_dump_record_refuses_an_unregistered_object_with_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        dump_record(Unregistered("p-1"))
    assert [p.path for p in caught.value.problems] == ["$"]
    assert "got a Unregistered" in str(caught.value)


@pytest.mark.parametrize("cls", [dict, Unregistered, "Rating", 3])
def test_typed_reads_refuse_a_class_that_is_not_a_record_type_at_the_call(cls: Any) -> None:
    with open_store("memory://") as store:
        store.write([Put.of("ratings", "p-1", Rating("p-1", 4, 5))])
        for call in (
            lambda: get_as(store, "ratings", "p-1", cls),
            lambda: scan_as(store, "ratings", cls),
        ):
            with pytest.raises(ValidationError) as caught:
                call()
            assert [p.path for p in caught.value.problems] == ["$.cls"]


def test_a_registered_class_of_another_type_names_the_stored_record() -> None:
    """Asking for the wrong registered class is about the stored record: collection and key."""
    with open_store("memory://") as store:
        store.write([Put.of("ratings", "p-1", Rating("p-1", 4, 5))])
        with pytest.raises(CorruptRecordError) as caught:
            get_as(store, "ratings", "p-1", Person)
        message = str(caught.value)
        assert "ratings" in message
        assert "p-1" in message
        assert "expected a Person record, found 'test_storage.rating'" in message
