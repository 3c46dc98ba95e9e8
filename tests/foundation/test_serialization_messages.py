"""Structuring names the rule broken, lists every problem it can see, in document order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from workplan_core.errors import Problem, ValidationError
from workplan_core.org import Organisation, OwnerRef, Person
from workplan_core.periods import Period, WorkCalendar
from workplan_core.serialization import structure, unstructure


def problems_of(data: object, cls: type[Any]) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as info:
        structure(data, cls)
    return info.value.problems


# ---------------------------------------------------------------- "expected an object"


@pytest.mark.parametrize(("data", "kind"), [("p", "str"), (None, "NoneType"), ([1], "list")])
def test_a_record_given_as_something_else_expects_an_object(data: object, kind: str) -> None:
    assert problems_of(data, Person) == (Problem("$", f"expected an object, got {kind}"),)


def test_a_nested_record_given_as_a_string_expects_an_object() -> None:
    assert problems_of({"people": ["ana"]}, Organisation) == (
        Problem("$.people[0]", "expected an object, got str"),
    )


@pytest.mark.parametrize(("data", "kind"), [({"a": 1}, "dict"), ("ana", "str"), (5, "int")])
def test_a_list_given_as_something_else_expects_a_list(data: object, kind: str) -> None:
    # A mapping used to be read as its keys and a string as its characters.
    assert problems_of({"people": data}, Organisation) == (
        Problem("$.people", f"expected a list, got {kind}"),
    )


def test_a_single_rule_string_is_not_read_as_a_list_of_characters() -> None:
    rule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
    assert problems_of({"holiday_rules": rule}, WorkCalendar) == (
        Problem("$.holiday_rules", "expected a list, got str"),
    )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text", ["20270101", "2027-W05-1", "2027-032", "2027-1-5", "２０２７-01-01"]
)
def test_dates_must_be_yyyy_mm_dd(text: str) -> None:
    assert problems_of({"start": text, "end": "2027-12-31"}, Period) == (
        Problem("$.start", f"{text!r} is not an ISO-8601 date (YYYY-MM-DD)"),
    )


@attrs.frozen
class Stamped:
    at: dt.datetime


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2027-01-31T09:30:00", dt.datetime(2027, 1, 31, 9, 30)),
        ("2027-01-31T09:30", dt.datetime(2027, 1, 31, 9, 30)),
        ("2027-01-31T09:30:00.250000", dt.datetime(2027, 1, 31, 9, 30, 0, 250_000)),
        ("2027-01-31T09:30:00Z", dt.datetime(2027, 1, 31, 9, 30, tzinfo=dt.UTC)),
        (
            "2027-01-31T09:30:00+10:00",
            dt.datetime(2027, 1, 31, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=10))),
        ),
    ],
)
def test_datetimes_in_iso_8601_extended_form_are_read(text: str, value: dt.datetime) -> None:
    assert structure({"at": text}, Stamped) == Stamped(value)
    assert structure(unstructure(Stamped(value)), Stamped) == Stamped(value)


@pytest.mark.parametrize(
    "text", ["20270131T093000", "2027-01-31 09:30:00", "2027-01-31", "2027-W05-1T09:30", "09:30"]
)
def test_other_datetime_forms_are_refused(text: str) -> None:
    assert problems_of({"at": text}, Stamped) == (
        Problem("$.at", f"{text!r} is not an ISO-8601 datetime (YYYY-MM-DDTHH:MM:SS)"),
    )


# ---------------------------------------------------------------- complete problem lists


def test_a_bad_kind_does_not_hide_an_empty_id() -> None:
    assert problems_of({"kind": "squad", "id": ""}, OwnerRef) == (
        Problem(
            "$.kind",
            "'squad' is not one of 'person', 'position', 'job_title', 'role', 'team', 'department'",
        ),
        Problem("$.id", "must not be empty"),
    )


def test_nested_records_report_their_rules_beside_their_type_problems() -> None:
    data = {"people": [{"id": 5, "name": "A", "start": "2024-01-01"}, "x"]}
    assert problems_of(data, Organisation) == (
        Problem("$.people[0].id", "expected a string, got int"),
        Problem("$.people[1]", "expected an object, got str"),
    )
    kinds = [{"kind": "team", "id": ""}, {"kind": "?", "id": ""}]
    assert problems_of(kinds, list[OwnerRef]) == (
        Problem("$[0].id", "must not be empty"),
        Problem(
            "$[1].kind",
            "'?' is not one of 'person', 'position', 'job_title', 'role', 'team', 'department'",
        ),
        Problem("$[1].id", "must not be empty"),
    )


def test_an_objects_own_problems_come_before_its_fields() -> None:
    # The order docs/serialization.md shows: the object's own problem, then field order.
    assert problems_of({"start": 20270101, "end": "2027-13-01", "note": "?"}, Period) == (
        Problem("$", "unknown field(s): note"),
        Problem("$.start", "expected an ISO-8601 date string, got int"),
        Problem("$.end", "'2027-13-01' is not an ISO-8601 date (YYYY-MM-DD)"),
    )


def test_an_organisation_reports_its_shape_first_and_its_rules_once_the_shape_is_right() -> None:
    data: dict[str, Any] = {
        "people": [{"id": "ana", "name": "Ana", "start": "2024-01-01"}],
        "assignments": [{"person_id": "ghost", "position_id": "ceo", "start": "last tuesday"}],
    }
    assert problems_of(data, Organisation) == (
        Problem("$.assignments[0].start", "'last tuesday' is not an ISO-8601 date (YYYY-MM-DD)"),
    )
    data["assignments"][0]["start"] = "2024-01-01"
    assert problems_of(data, Organisation) == (
        Problem("$.assignments[0].person_id", "unknown person 'ghost'"),
        Problem("$.assignments[0].position_id", "unknown position 'ceo'"),
    )
