"""The one converter: strict structuring, error paths, stamps and upcasters."""

from __future__ import annotations

import datetime as dt
import enum
import json
import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import (
    TYPE_KEY,
    VERSION_KEY,
    dump_record,
    from_json,
    load_record,
    record_type,
    record_types,
    register_upcaster,
    structure,
    to_json,
    unstructure,
)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Inner:
    when: dt.date
    weight: float


@attrs.frozen
class Outer:
    name: str
    count: int
    flag: bool
    colour: Colour
    items: tuple[Inner, ...]
    stamp: dt.datetime | None = None


GOOD: dict[str, Any] = {
    "name": "x",
    "count": 3,
    "flag": True,
    "colour": "red",
    "items": [{"when": "2027-01-31", "weight": 1.5}],
    "stamp": "2027-01-31T09:30:00",
}


def test_round_trip_uses_iso_dates_and_enum_values() -> None:
    value = structure(GOOD, Outer)
    assert value.items[0].when == dt.date(2027, 1, 31)
    assert value.colour is Colour.RED
    assert unstructure(value) == GOOD
    assert from_json(to_json(value), Outer) == value


def test_every_problem_is_reported_with_its_path() -> None:
    bad = {
        "name": 5,
        "count": "3",
        "flag": 1,
        "colour": "green",
        "items": [{"when": "31/01/2027", "weight": 1}, {"weight": True, "extra": 1}],
        "surprise": None,
    }
    with pytest.raises(ValidationError) as info:
        structure(bad, Outer)
    paths = {p.path for p in info.value.problems}
    assert paths == {
        "$",
        "$.name",
        "$.count",
        "$.flag",
        "$.colour",
        "$.items[0].when",
        "$.items[1]",
        "$.items[1].weight",
        "$.items[1].when",
    }
    messages = {p.path: p.message for p in info.value.problems}
    assert messages["$.count"] == "expected an integer, got str"
    assert messages["$.colour"] == "'green' is not one of 'red', 'blue'"
    assert messages["$.items[1].when"] == "required field missing"
    assert "surprise" in messages["$"]


def test_invalid_json_text_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="not valid JSON"):
        from_json("{nope", Outer)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_arbitrary_json_raises_only_validation_error(data: object) -> None:
    problems: tuple[Problem, ...] = ()
    try:
        structure(data, Outer)
    except ValidationError as exc:
        problems = exc.problems
    else:  # pragma: no cover - no generated value has all five required fields
        pytest.fail("an arbitrary JSON value was accepted as an Outer")
    assert problems
    assert all(isinstance(p, Problem) and p.path.startswith("$") for p in problems)


def test_validation_errors_raised_by_validators_keep_their_paths() -> None:
    from workplan_core.periods import Period

    with pytest.raises(ValidationError) as info:
        structure({"start": "2027-02-01", "end": "2027-01-01"}, Period)
    assert info.value.problems == (Problem("$.end", "must not be before start (2027-02-01)"),)


# ---------------------------------------------------------------- stamps and upcasters


@record_type("test.goal", version=3)
@attrs.frozen
class Goal:
    """Version 3: `title` (v1 called it `name`), `weight` added in v2, `tags` in v3."""

    title: str
    weight: float
    tags: tuple[str, ...]


@register_upcaster("test.goal", 1)
def _goal_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["title"] = data.pop("name")
    data["weight"] = 1.0
    return data


@register_upcaster("test.goal", 2)
def _goal_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "tags": []}


def test_dump_record_stamps_type_and_version() -> None:
    data = dump_record(Goal("Grow", 2.0, ("a",)))
    assert data == {
        "title": "Grow",
        "weight": 2.0,
        "tags": ["a"],
        TYPE_KEY: "test.goal",
        VERSION_KEY: 3,
    }
    assert load_record(json.loads(json.dumps(data)), Goal) == Goal("Grow", 2.0, ("a",))


def test_a_real_version_one_shape_is_upcast_on_load() -> None:
    stored_by_v1 = {"name": "Grow revenue", TYPE_KEY: "test.goal", VERSION_KEY: 1}
    assert load_record(stored_by_v1) == Goal("Grow revenue", 1.0, ())


@pytest.mark.parametrize(
    ("data", "path", "fragment"),
    [
        ({"title": "x"}, f"$.{TYPE_KEY}", "unknown record type None"),
        ({TYPE_KEY: "test.nope", VERSION_KEY: 1}, f"$.{TYPE_KEY}", "unknown record type"),
        ({TYPE_KEY: "test.goal", VERSION_KEY: 9}, f"$.{VERSION_KEY}", "newer than"),
        ({TYPE_KEY: "test.goal", VERSION_KEY: "1"}, f"$.{VERSION_KEY}", "positive integer"),
        ([], "$", "expected an object"),
    ],
)
def test_bad_stamps_are_validation_errors(data: object, path: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        load_record(data)
    assert info.value.problems[0].path == path
    assert fragment in info.value.problems[0].message


def test_load_record_checks_the_expected_class() -> None:
    from workplan_core.periods import Period

    with pytest.raises(ValidationError, match="expected a Period record"):
        load_record(dump_record(Goal("x", 1.0, ())), Period)


def test_a_record_name_cannot_be_taken_twice() -> None:
    with pytest.raises(ValueError, match="already used"):

        @record_type("test.goal")
        @attrs.frozen
        class Other:
            x: int

    assert record_types()["test.goal"].cls is Goal


def test_an_upcaster_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_upcaster("test.goal", 1)(_goal_v1_to_v2)


@attrs.frozen
class Bag:
    names: frozenset[str]
    colours: frozenset[Colour]


@given(st.lists(st.text(max_size=5), unique=True, max_size=8), st.randoms(use_true_random=False))
def test_equal_sets_dump_equally_whatever_their_order(names: list[str], rng: random.Random) -> None:
    shuffled = list(names)
    rng.shuffle(shuffled)
    colours = [Colour.RED, Colour.BLUE]
    first = unstructure(Bag(frozenset(names), frozenset(colours)))
    second = unstructure(Bag(frozenset(shuffled), frozenset(reversed(colours))))
    assert first == second
    assert first["names"] == sorted(names)
    assert first["colours"] == ["blue", "red"]  # non-strings: ordered by their JSON text


@pytest.mark.parametrize("value", [["red"], {"red": 1}, 1, None, "RED"])
def test_an_enum_refuses_what_is_not_a_members_value_naming_the_values(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        structure(value, Colour)
    assert [p.message for p in info.value.problems] == [f"{value!r} is not one of 'red', 'blue'"]


def test_an_enum_takes_each_members_value() -> None:
    assert [structure(member.value, Colour) for member in Colour] == list(Colour)
