"""Organisation records and queries refuse values of the wrong kind, naming every one.

Records check the kinds of their own fields when made (rules that involve other records, and
empty ids or ends before starts, stay with the organisation's validation, which reports them all
at once with paths into the record tuples). Queries check their arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from _acme import AFTER, D, acme

from workplan_core.errors import Problem, ValidationError
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    OwnerKind,
    OwnerRef,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)

ORG = acme()
DT = dt.datetime


def problems_of(action: Callable[[], object]) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as info:
        action()
    return info.value.problems


# ---------------------------------------------------------------- records


def test_an_assignment_starting_at_a_datetime_is_refused() -> None:
    assert problems_of(lambda: Assignment("di", "dev-1", DT(2025, 7, 1, 9))) == (
        Problem("$.start", "must be a date, not a datetime"),
    )


def test_an_assignment_starting_at_a_string_is_refused() -> None:
    assert problems_of(lambda: Assignment("di", "dev-1", "2025-07-01")) == (  # type: ignore[arg-type]
        Problem("$.start", "must be a date, got str"),
    )


def test_single_holder_must_be_a_bool_not_a_truthy_string() -> None:
    # "no" used to be read as true, so a pool reported a false overlap.
    assert problems_of(lambda: Position("pool", "dev", "web", single_holder="no")) == (  # type: ignore[arg-type]
        Problem("$.single_holder", "must be true or false (a bool), got str"),
    )


def test_a_person_with_a_numeric_id_is_refused() -> None:
    assert problems_of(lambda: Person(5, "Num", D(2024, 1, 1))) == (  # type: ignore[arg-type]
        Problem("$.id", "must be a string, got int"),
    )


def test_every_bad_field_of_a_record_is_named_at_once() -> None:
    assert problems_of(lambda: Person(5, None, "2024-01-01", DT(2025, 1, 1))) == (  # type: ignore[arg-type]
        Problem("$.id", "must be a string, got int"),
        Problem("$.name", "must be a string, got NoneType"),
        Problem("$.start", "must be a date, got str"),
        Problem("$.end", "must be a date or None, not a datetime"),
    )


RECORDS: list[tuple[type[Any], dict[str, Any], str, object, str]] = [
    (Person, {"id": "p", "name": "P", "start": D(2024, 1, 1)}, "end", "2025", "a date or None"),
    (JobTitle, {"id": "t", "name": "T"}, "name", 1, "a string"),
    (Role, {"id": "r", "name": "R"}, "id", b"r", "a string"),
    (Department, {"id": "d", "name": "D"}, "parent_id", 3, "a string or None"),
    (Team, {"id": "t", "name": "T"}, "department_id", ["d"], "a string or None"),
    (
        Position,
        {"id": "p", "job_title_id": "t", "department_id": "d"},
        "reports_to",
        OwnerRef(OwnerKind.POSITION, "x"),
        "a string or None",
    ),
    (
        Position,
        {"id": "p", "job_title_id": "t", "department_id": "d"},
        "single_holder",
        1,
        "true or false (a bool)",
    ),
    (
        Assignment,
        {"person_id": "a", "position_id": "p", "start": D(2024, 1, 1)},
        "position_id",
        None,
        "a string",
    ),
    (
        RoleAssignment,
        {"person_id": "a", "role_id": "r", "start": D(2024, 1, 1)},
        "end",
        2025,
        "a date or None",
    ),
    (
        TeamMembership,
        {"person_id": "a", "team_id": "t", "start": D(2024, 1, 1)},
        "start",
        None,
        "a date",
    ),
]


@pytest.mark.parametrize(
    ("cls", "good", "field", "bad", "rule"), RECORDS, ids=lambda v: getattr(v, "__name__", None)
)
def test_each_record_checks_each_field(
    cls: type[Any], good: dict[str, Any], field: str, bad: object, rule: str
) -> None:
    record = cls(**good)
    assert problems_of(lambda: cls(**{**good, field: bad})) == (
        Problem(f"$.{field}", f"must be {rule}, got {type(bad).__name__}"),
    )
    assert problems_of(lambda: attrs.evolve(record, **{field: bad}))[0].path == f"$.{field}"


def test_empty_ids_and_reversed_dates_are_left_to_the_organisation() -> None:
    # Values of the right kind are made; the organisation reports them with their paths.
    nobody = Person("", "Nobody", D(2024, 1, 1), D(2023, 1, 1))
    assert Organisation(people=(nobody,)).problems() == [
        Problem("$.people[0].id", "must not be empty"),
        Problem("$.people[0].end", "must not be before start (2024-01-01)"),
    ]


# ---------------------------------------------------------------- the organisation's tuples


def test_build_refuses_entries_that_are_not_records() -> None:
    assert problems_of(lambda: Organisation.build(people=["ana"])) == (  # type: ignore[list-item]
        Problem("$.people[0]", "must be a Person, got str"),
    )


def test_build_refuses_collections_that_are_not_iterables_of_records() -> None:
    assert problems_of(lambda: Organisation.build(people=None, roles="warden")) == (  # type: ignore[arg-type]
        Problem("$.people", "must be an iterable of Person records, got NoneType"),
        Problem("$.roles", "must be an iterable of Role records, not a string"),
    )


def test_validate_names_records_in_the_wrong_collection_before_checking_rules() -> None:
    org = attrs.evolve(
        ORG,
        assignments=(*ORG.assignments, ORG.people[0]),
        teams=list(ORG.teams),
    )
    assert org.problems() == [
        Problem("$.teams", "must be a tuple of Team records, got list"),
        Problem("$.assignments[10]", "must be an Assignment, got Person"),
    ]


# ---------------------------------------------------------------- queries


def test_resolve_owner_refuses_a_string_reference() -> None:
    assert problems_of(lambda: ORG.resolve_owner("person:ana", AFTER)) == (  # type: ignore[arg-type]
        Problem("$.ref", "must be an OwnerRef, got str"),
    )
    assert problems_of(lambda: ORG.members("team:guild", AFTER)) == (  # type: ignore[arg-type]
        Problem("$.ref", "must be an OwnerRef, got str"),
    )


@pytest.mark.parametrize("kind", list(OwnerKind))
def test_resolve_owner_refuses_a_datetime_for_every_kind(kind: OwnerKind) -> None:
    # A person reference used to raise TypeError while the other kinds accepted it.
    ref = OwnerRef(kind, "x")
    assert problems_of(lambda: ORG.resolve_owner(ref, DT(2025, 9, 1, 23))) == (
        Problem("$.as_of", "must be a date, not a datetime"),
    )


QUERIES = [
    "holders",
    "positions_of",
    "primary_position",
    "manager_of",
    "manager_chain",
    "direct_reports",
    "reports",
]


@pytest.mark.parametrize("query", QUERIES)
def test_queries_refuse_a_string_date(query: str) -> None:
    assert problems_of(lambda: getattr(ORG, query)("cy", "2025-06-30")) == (
        Problem("$.as_of", "must be a date, got str"),
    )


@pytest.mark.parametrize("query", QUERIES)
def test_queries_refuse_a_datetime_and_a_non_string_id_together(query: str) -> None:
    name = "position_id" if query == "holders" else "person_id"
    assert problems_of(lambda: getattr(ORG, query)(5, DT(2025, 6, 30))) == (
        Problem(f"$.{name}", "must be a str, got int"),
        Problem("$.as_of", "must be a date, not a datetime"),
    )


def test_record_helpers_refuse_a_datetime() -> None:
    assert problems_of(lambda: ORG.people[0].employed_on(DT(2025, 1, 1))) == (
        Problem("$.as_of", "must be a date, not a datetime"),
    )
    assert problems_of(lambda: ORG.assignments[0].active_on("2025-01-01")) == (  # type: ignore[arg-type]
        Problem("$.as_of", "must be a date, got str"),
    )
