"""Records are stored under their identity; a section's order is kept beside them when needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ConflictError, ValidationError
from workplan_core.org import Assignment, Organisation, Person
from workplan_core.serialization import dump_record
from workplan_core.storage import CorruptRecordError, Put, StoredRecord
from workplan_core.synthetic import generate_organisation
from workplan_core.workspace import (
    ORDER_COLLECTION,
    ORGANISATION_SECTIONS,
    Workspace,
    _in_order,
    _moved,
    _order_record,
)

ORG = generate_organisation(40, seed=5)


def _keys(workspace: Workspace, collection: str) -> list[str]:
    return [r.key for r in workspace.store.scan(collection)]


def test_records_are_keyed_by_id_or_by_the_fields_that_identify_them(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.save_organisation(ORG)
        assert _keys(workspace, "org.people") == sorted(p.id for p in ORG.people)
        first = ORG.assignments[0]
        key = f'["{first.person_id}","{first.position_id}","{first.start.isoformat()}"]'
        assert workspace.store.get("org.assignments", key).record == dump_record(first)


def test_a_person_added_in_key_order_writes_one_record() -> None:
    newcomer = Person("p-00", "First Ever", dt.date(2026, 1, 5))
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        commit = workspace.save_organisation(attrs.evolve(ORG, people=(newcomer, *ORG.people)))
        assert commit.versions == (1,)
        assert workspace.load_organisation().people[0] == newcomer


def test_a_person_added_out_of_key_order_writes_the_record_and_the_order() -> None:
    newcomer = Person("p-zz", "Last Ever", dt.date(2026, 1, 5))
    changed = attrs.evolve(ORG, people=(newcomer, *ORG.people))
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        commit = workspace.save_organisation(changed)
        assert commit.versions == (1, 1)  # p-zz and the order of org.people
        order = workspace.store.get(ORDER_COLLECTION, "org.people")
        assert order.record["moved"] == [[0, "p-zz"]]
        assert workspace.load_organisation() == changed


def test_an_assignment_keeps_its_key_and_its_history_when_it_ends() -> None:
    first = ORG.assignments[0]
    ended = attrs.evolve(first, end=dt.date(2026, 6, 30))
    changed = attrs.evolve(ORG, assignments=(ended, *ORG.assignments[1:]))
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        assert workspace.save_organisation(changed).versions == (2,)
        key = f'["{first.person_id}","{first.position_id}","{first.start.isoformat()}"]'
        ends = [r.record["end"] for r in workspace.store.history("org.assignments", key)]
        assert ends == [None if first.end is None else first.end.isoformat(), "2026-06-30"]


def test_reordering_writes_only_the_order_and_key_order_deletes_it() -> None:
    backwards = attrs.evolve(ORG, people=ORG.people[::-1])
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        assert workspace.store.get(ORDER_COLLECTION, "org.people") is None
        assert workspace.save_organisation(backwards).versions == (1,)
        assert workspace.load_organisation() == backwards
        assert workspace.save_organisation(ORG).versions == (2,)  # the order's tombstone
        assert workspace.store.get(ORDER_COLLECTION, "org.people") is None
        assert workspace.load_organisation() == ORG


def test_two_records_with_one_identity_are_refused_and_nothing_is_written() -> None:
    first = ORG.assignments[0]
    twice = attrs.evolve(ORG, assignments=(*ORG.assignments, attrs.evolve(first, end=None)))
    with Workspace.open("memory://") as workspace:
        with pytest.raises(ValidationError) as caught:
            workspace.save_organisation(twice)
        (problem,) = caught.value.problems
        assert problem.path == f"$.assignments[{len(ORG.assignments)}]"
        assert "$.assignments[0]" in problem.message
        assert "person_id, position_id, start" in problem.message
        assert list(workspace.store.changes()) == []


@pytest.mark.parametrize("saved", ["equal records", "the records loaded"])
def test_a_store_in_the_earlier_positional_layout_loads_and_moves_on_the_next_save(
    saved: str,
) -> None:
    with Workspace.open("memory://") as workspace:
        workspace.store.write(
            [
                Put(section.collection, f"{position:09d}", dump_record(record))
                for section in ORGANISATION_SECTIONS
                for position, record in enumerate(getattr(ORG, section.field))
            ]
        )
        loaded = workspace.load_organisation()
        assert loaded == ORG
        workspace.save_organisation(ORG if saved == "equal records" else loaded)
        assert _keys(workspace, "org.people") == sorted(p.id for p in ORG.people)
        assert workspace.load_organisation() == ORG


def test_two_writers_reordering_a_section_conflict_on_its_order() -> None:
    with Workspace.open("memory://") as first:
        first.save_organisation(ORG)
        second = Workspace(first.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(attrs.evolve(mine, people=mine.people[::-1]))
        rotated = attrs.evolve(theirs, people=(*theirs.people[1:], theirs.people[0]))
        with pytest.raises(ConflictError) as caught:
            second.save_organisation(rotated)
        assert (ORDER_COLLECTION, "org.people") in caught.value.conflicts
        assert second.load_organisation().people == ORG.people[::-1]


@pytest.mark.parametrize(
    "record",
    [
        {"$type": "workspace.order", "$version": 1, "moved": "p-1"},
        {"$type": "workspace.order", "$version": 1, "moved": [[1, "a"], [1, "b"]]},
        {"$type": "workspace.order", "$version": 1, "moved": [[-1, "a"]]},
        {"$type": "workspace.order", "$version": 1, "moved": [["1", "a"]]},
        {"$type": "something.else", "$version": 1, "moved": []},
    ],
)
def test_a_corrupt_order_names_its_collection_and_key(record: dict[str, Any]) -> None:
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        workspace.store.write([Put(ORDER_COLLECTION, "org.people", record)])
        with pytest.raises(CorruptRecordError) as caught:
            workspace.load_organisation()
        assert (caught.value.collection, caught.value.key) == (ORDER_COLLECTION, "org.people")


def test_records_the_order_does_not_expect_take_the_free_places_in_key_order() -> None:
    items = {"a": "A", "b": "B", "d": "D", "e": "E"}  # "c" was deleted by other means
    assert _in_order(dict(items), [(0, "e"), (2, "c"), (3, "b")]) == ["E", "A", "D", "B"]


def _longest_ascending(keys: list[str]) -> int:
    """The length of a longest run in key order, by the quadratic textbook recurrence."""
    best = [1] * len(keys)
    for i in range(len(keys)):
        for j in range(i):
            if keys[j] < keys[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


@given(st.lists(st.text(max_size=3), unique=True, max_size=30))
def test_an_order_record_restores_any_order_and_lists_as_few_keys_as_possible(
    keys: list[str],
) -> None:
    record = _order_record(keys)
    by_key = {key: key.upper() + "!" for key in sorted(keys)}
    if record is None:
        assert keys == sorted(keys)
        return
    moved = _moved(StoredRecord(ORDER_COLLECTION, "x", 1, 1, record, dt.datetime.now(dt.UTC)))
    assert len(moved) == len(keys) - _longest_ascending(keys)
    assert _in_order(by_key, moved) == [key.upper() + "!" for key in keys]


@given(st.permutations(range(len(ORG.people))), st.integers(0, len(ORG.people)))
def test_any_order_and_subset_of_people_loads_back_equal(order: list[int], count: int) -> None:
    people = tuple(ORG.people[i] for i in order[:count])
    organisation = Organisation(people=people)
    with Workspace.open("memory://") as workspace:
        workspace.save_organisation(ORG)
        workspace.save_organisation(organisation)
        assert workspace.load_organisation() == organisation
        assert workspace.save_organisation(organisation).versions == ()


def test_keys_the_store_cannot_take_are_refused_naming_the_records_and_nothing_is_written() -> None:
    long_person = attrs.evolve(ORG.people[0], id="p" * 130)
    long_position = attrs.evolve(ORG.positions[0], id="x" * 130)
    held = Assignment(long_person.id, long_position.id, dt.date(2024, 1, 1))
    organisation = Organisation(
        people=(long_person,),
        positions=(long_position,),
        assignments=(held,),
        roles=(attrs.evolve(ORG.roles[0], id="r\x00"),),
    )
    with Workspace.open("memory://") as workspace:
        with pytest.raises(ValidationError) as caught:
            workspace.save_organisation(organisation)
        problems = {p.path: p.message for p in caught.value.problems}
        assert set(problems) == {"$.roles[0]", "$.assignments[0]"}
        assert "(from person_id, position_id, start)" in problems["$.assignments[0]"]
        assert "must be at most 256 characters long" in problems["$.assignments[0]"]
        assert "must not contain NUL characters" in problems["$.roles[0]"]
        assert list(workspace.store.changes()) == []
        assert all(not workspace.store.indexed_fields(s.collection) for s in ORGANISATION_SECTIONS)
