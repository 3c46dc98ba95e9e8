"""Check-in values and functions refuse input of the wrong kind with the library's errors.

Every case here used to fail with a bare `AttributeError`/`TypeError`/`KeyError`, or was
accepted and misread (a string of participants read as letters, a bool as a number).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from _checkin_records import ANNA, FIRST_MONDAY, maria_checkin, monday_cadence

from workplan_core.cascade.status import Status
from workplan_core.checkins import (
    AgendaNote,
    Cadence,
    CheckIn,
    CheckinLog,
    DashboardPolicy,
    EscalationPolicy,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    Weekday,
    fortnightly,
    impediments_as_of,
    monthly,
    performance_evidence,
    validate_checkin,
    weekly,
)
from workplan_core.errors import NotFoundError, ValidationError
from workplan_core.periods import Period

D = dt.date
MONDAY = weekly(Weekday.MONDAY)
JANUARY = Period(D(2027, 1, 1), D(2027, 1, 31))


def problems(call: Any) -> list[tuple[str, str]]:
    """The `(path, message)` pairs of the ValidationError `call()` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return [(p.path, p.message) for p in info.value.problems]


def update(**changes: Any) -> StatusUpdate:
    fields: dict[str, Any] = {
        "id": "u1",
        "node_id": "t1",
        "on": D(2027, 1, 11),
        "by": "anna",
        "status": Status.ON_TRACK,
    }
    return StatusUpdate(**(fields | changes))


# ---------------------------------------------------------------------- rule helpers


def test_rule_helpers_refuse_a_day_that_is_not_a_weekday() -> None:
    for helper in (weekly, fortnightly, monthly):
        assert problems(lambda h=helper: h("MO")) == [("$.day", "must be a Weekday, got str")]
    assert problems(lambda: weekly(0)) == [("$.day", "must be a Weekday, got int")]  # type: ignore[arg-type]


def test_monthly_refuses_an_nth_that_is_not_an_integer() -> None:
    assert problems(lambda: monthly(Weekday.MONDAY, "1")) == [  # type: ignore[arg-type]
        ("$.nth", "must be an integer, got str")
    ]
    assert problems(lambda: monthly(Weekday.MONDAY, True)) == [
        ("$.nth", "must be an integer, got bool")
    ]
    assert monthly(Weekday.MONDAY, -1) == "FREQ=MONTHLY;BYDAY=-1MO"


# ---------------------------------------------------------------------- cadences


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"grace_days": "1"}, [("$.grace_days", "must be an integer, got str")]),
        ({"grace_days": 1.5}, [("$.grace_days", "must be an integer, got float")]),
        ({"grace_days": True}, [("$.grace_days", "must be an integer, got bool")]),
        ({"subject": "anna"}, [("$.subject", "must be an OwnerRef, got str")]),
        ({"rule": None}, [("$.rule", "must be a string, got NoneType")]),
        ({"start": "2027-01-04"}, [("$.start", "must be a date, got str")]),
        ({"start": dt.datetime(2027, 1, 4, 9)}, [("$.start", "must be a date, not a datetime")]),
        ({"end": "2027-02-01"}, [("$.end", "must be a date or None, got str")]),
        ({"manager_id": 7}, [("$.manager_id", "must be a string, got int")]),
    ],
)
def test_a_cadence_field_of_the_wrong_type_is_named(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    fields: dict[str, Any] = {
        "id": "c",
        "manager_id": "maria",
        "subject": ANNA,
        "rule": MONDAY,
        "start": FIRST_MONDAY,
    }
    assert problems(lambda: Cadence(**(fields | changes))) == expected


def test_a_cadence_lists_wrong_types_and_broken_rules_together() -> None:
    with pytest.raises(ValidationError) as info:
        Cadence(None, "maria", "anna", None, "2027-01-04", grace_days=-1)  # type: ignore[arg-type]
    assert info.value.summary == "invalid cadence"
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.id", "must be a string, got NoneType"),
        ("$.subject", "must be an OwnerRef, got str"),
        ("$.start", "must be a date, got str"),
        ("$.grace_days", "must not be negative"),
        ("$.rule", "must be a string, got NoneType"),
    ]
    with pytest.raises(ValidationError) as info:
        Cadence("", "maria", ANNA, MONDAY, FIRST_MONDAY)
    assert info.value.summary == "invalid cadence"
    with pytest.raises(ValidationError) as info:
        Cadence("c1", "maria", ANNA, MONDAY, FIRST_MONDAY, grace_days=-1)
    assert info.value.summary == "invalid cadence 'c1'"


# ---------------------------------------------------------------------- status updates


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"status": "done"}, [("$.status", "must be a Status, got str")]),
        (
            {"progress": "0.5"},
            [("$.progress", "must be a number (an int or a float) or None, got str")],
        ),
        (
            {"progress": True},
            [("$.progress", "must be a number (an int or a float) or None, got bool")],
        ),
        ({"value": False}, [("$.value", "must be a number (an int or a float) or None, got bool")]),
        ({"confidence": "7"}, [("$.confidence", "must be an integer or None, got str")]),
        ({"confidence": 7.5}, [("$.confidence", "must be an integer or None, got float")]),
        ({"confidence": True}, [("$.confidence", "must be an integer or None, got bool")]),
        ({"on": dt.datetime(2027, 1, 11, 9)}, [("$.on", "must be a date, not a datetime")]),
        ({"on": "2027-01-11"}, [("$.on", "must be a date, got str")]),
        (
            {"id": None, "by": 3},
            [("$.id", "must be a string, got NoneType"), ("$.by", "must be a string, got int")],
        ),
        ({"corrects": 1}, [("$.corrects", "must be a string or None, got int")]),
    ],
)
def test_a_status_update_field_of_the_wrong_type_is_named(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert problems(lambda: update(**changes)) == expected


def test_a_status_update_takes_ints_and_floats_as_numbers() -> None:
    made = update(progress=1, value=3, confidence=10)
    assert (made.progress, made.value, made.confidence) == (1, 3, 10)
    assert update(progress=0.25).progress == 0.25


# ---------------------------------------------------------------------- check-ins


def test_a_check_in_refuses_a_string_of_participants() -> None:
    assert problems(lambda: CheckIn("ci", D(2027, 1, 11), "maria", "anna")) == [  # type: ignore[arg-type]
        ("$.participants", "must be a tuple of strings, got str")
    ]


def test_a_check_in_names_every_field_and_item_of_the_wrong_type() -> None:
    bad = lambda: CheckIn(  # noqa: E731
        "ci",
        "2027-01-11",  # type: ignore[arg-type]
        "maria",
        ("anna", 7),  # type: ignore[arg-type]
        agenda=["impediments"],  # type: ignore[arg-type]
        notes=("next steps",),  # type: ignore[arg-type]
        updates=(update(), "u2"),  # type: ignore[arg-type]
        impediments=[],  # type: ignore[arg-type]
        acknowledged_on=dt.datetime(2027, 1, 12, 9),
    )
    assert problems(bad) == [
        ("$.on", "must be a date, got str"),
        ("$.participants[1]", "must be a string, got int"),
        ("$.agenda", "must be a tuple of strings, got list"),
        ("$.notes[0]", "must be an AgendaNote, got str"),
        ("$.updates[1]", "must be a StatusUpdate, got str"),
        ("$.impediments", "must be a tuple of ImpedimentEvent records, got list"),
        ("$.acknowledged_on", "must be a date or None, not a datetime"),
    ]
    assert problems(lambda: AgendaNote("next steps", None)) == [  # type: ignore[arg-type]
        ("$.text", "must be a string, got NoneType")
    ]


def test_validate_checkin_refuses_a_datetime_now() -> None:
    assert problems(
        lambda: validate_checkin(
            maria_checkin("ci", D(2027, 1, 11)), now=dt.datetime(2027, 1, 11, 9)
        )
    ) == [("$.now", "must be a date, not a datetime")]
    assert problems(lambda: validate_checkin("ci", now=D(2027, 1, 11))) == [  # type: ignore[arg-type]
        ("$.checkin", "must be a CheckIn, got str")
    ]


def test_validate_checkin_refuses_an_impediment_history_of_anything_but_events() -> None:
    # one item of another kind used to switch the whole lifecycle check off: a check-in
    # resolving an impediment never raised was accepted; a number raised a bare TypeError
    stored = ImpedimentEvent(
        "e1", "imp1", ImpedimentAction.RAISED, D(2027, 1, 4), "anna", "t1", "", Severity.LOW
    )
    resolve = ImpedimentEvent("e2", "imp9", ImpedimentAction.RESOLVED, D(2027, 1, 11), "anna")
    record = maria_checkin("ci", D(2027, 1, 11), impediments=(resolve,))
    now = D(2027, 1, 11)
    found = problems(
        lambda: validate_checkin(record, now=now, impediment_history=[stored, "x", None])
    )
    assert [(path, message.split(", ")[-1]) for path, message in found] == [
        ("$.impediment_history[1]", "got str"),
        ("$.impediment_history[2]", "got NoneType"),
    ]
    for history, kind in ((3, "int"), ("e1", "str"), ({"e1": stored}, "dict")):
        assert problems(
            lambda history=history: validate_checkin(record, now=now, impediment_history=history)
        ) == [
            (
                "$.impediment_history",
                f"must be an iterable of ImpedimentEvent records, got {kind}",
            )
        ]
    # every wrong argument at once
    assert problems(
        lambda: validate_checkin(record, now=dt.datetime(2027, 1, 11, 9), impediment_history=3)
    ) == [
        ("$.now", "must be a date, not a datetime"),
        ("$.impediment_history", "must be an iterable of ImpedimentEvent records, got int"),
    ]
    # events only (from any iterable): the lifecycle is checked
    assert problems(
        lambda: validate_checkin(record, now=now, impediment_history=iter([stored]))
    ) == [("$.impediments[0].impediment_id", "impediment 'imp9' does not exist")]


def test_validate_checkin_still_names_wrong_types_made_without_validators() -> None:
    # records made with validators disabled (or by a careless deserialiser) are refused too
    with attrs.validators.disabled():
        odd = [
            update(id="u1", confidence=7.5),
            update(id="u2", confidence=True),
            update(id="u3", progress=True),
            update(id="u4", progress="0.5", status="done"),
            update(id="u5", on=dt.datetime(2027, 1, 11, 9)),
        ]
        event = ImpedimentEvent("e1", "imp", "raised", D(2027, 1, 11), "anna", severity="high")  # type: ignore[arg-type]
        record = CheckIn(
            "ci",
            D(2027, 1, 11),
            "maria",
            "anna",
            updates=tuple(odd),
            impediments=(event,),  # type: ignore[arg-type]
        )
    assert problems(lambda: validate_checkin(record, now=D(2027, 1, 11))) == [
        ("$.participants", "must be a tuple of strings, got str"),
        ("$.updates[0].confidence", "must be an integer or None, got float"),
        ("$.updates[1].confidence", "must be an integer or None, got bool"),
        ("$.updates[2].progress", "must be a number (an int or a float) or None, got bool"),
        ("$.updates[3].status", "must be a Status, got str"),
        ("$.updates[3].progress", "must be a number (an int or a float) or None, got str"),
        ("$.updates[4].on", "must be a date, not a datetime"),
        ("$.impediments[0].action", "must be an ImpedimentAction, got str"),
        ("$.impediments[0].severity", "must be a Severity or None, got str"),
    ]


# ---------------------------------------------------------------------- impediment events


def test_an_impediment_event_refuses_strings_for_its_enums() -> None:
    assert problems(
        lambda: ImpedimentEvent("e2", "imp", "resolved", D(2027, 1, 12), "anna")  # type: ignore[arg-type]
    ) == [("$.action", "must be an ImpedimentAction, got str")]
    assert problems(
        lambda: ImpedimentEvent(
            "e1",
            "imp",
            ImpedimentAction.RAISED,
            D(2027, 1, 11),
            "anna",
            node_id="t1",
            severity="high",  # type: ignore[arg-type]
        )
    ) == [("$.severity", "must be a Severity or None, got str")]
    assert problems(
        lambda: ImpedimentEvent(
            "e1",
            "imp",
            ImpedimentAction.RAISED,
            dt.datetime(2027, 1, 11),
            "anna",
            help_from=3,  # type: ignore[arg-type]
        )
    ) == [
        ("$.on", "must be a date, not a datetime"),
        ("$.help_from", "must be a string or None, got int"),
    ]
    assert (
        ImpedimentEvent(
            "e1", "imp", ImpedimentAction.RAISED, D(2027, 1, 11), "anna", severity=Severity.LOW
        ).severity
        is Severity.LOW
    )


# ---------------------------------------------------------------------- evidence, log, policies


def test_performance_evidence_refuses_arguments_of_the_wrong_kind() -> None:
    assert problems(
        lambda: performance_evidence("anna", JANUARY, as_of=dt.datetime(2027, 2, 1), checkins=[])
    ) == [("$.as_of", "must be a date, not a datetime")]
    assert problems(
        lambda: performance_evidence("anna", "2027-01", as_of=D(2027, 2, 1), checkins=[])  # type: ignore[arg-type]
    ) == [("$.period", "must be a Period, got str")]


def test_attendance_of_an_unknown_cadence_is_not_found() -> None:
    log = CheckinLog.from_records(cadences=[monday_cadence("c")])
    with pytest.raises(NotFoundError, match="no cadence 'nope'"):
        log.attendance("nope")
    with pytest.raises(KeyError):  # NotFoundError is a KeyError: old handlers still catch it
        log.attendance("nope")


def test_policies_refuse_numbers_of_the_wrong_type() -> None:
    with pytest.raises(ValidationError) as info:
        EscalationPolicy(missed_in_a_row="2", help_open_days=0)  # type: ignore[arg-type]
    assert info.value.summary == "invalid escalation policy"
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.missed_in_a_row", "must be an integer, got str"),
        ("$.help_open_days", "must be at least 1"),
    ]
    with pytest.raises(ValidationError) as info:
        EscalationPolicy(missed_in_a_row=0)
    assert info.value.summary == "invalid escalation policy"
    assert problems(
        lambda: DashboardPolicy(
            interval_days="7", grace_days=True, age_buckets=[7], participation_days=9.5
        )  # type: ignore[arg-type]
    ) == [
        ("$.interval_days", "must be an integer, got str"),
        ("$.grace_days", "must be an integer, got bool"),
        ("$.age_buckets", "must be a tuple of integers, got list"),
        ("$.participation_days", "must be an integer, got float"),
    ]
    assert problems(lambda: DashboardPolicy(age_buckets=(7, "14"))) == [  # type: ignore[arg-type]
        ("$.age_buckets[1]", "must be an integer, got str")
    ]


@pytest.mark.parametrize(
    ("held", "as_of", "path"),
    [
        ([dt.datetime(2027, 1, 4, 9)], D(2027, 2, 1), "$.held"),
        (["2027-01-04"], D(2027, 2, 1), "$.held"),
        ([FIRST_MONDAY], dt.datetime(2027, 2, 1, 9), "$.as_of"),
    ],
)
def test_attendance_takes_dates_only(held: list[Any], as_of: Any, path: str) -> None:
    cadence = monday_cadence("c1")
    for ask in (cadence.kept, cadence.missed, cadence.missed_runs):
        with pytest.raises(ValidationError) as caught:
            ask(held, as_of)
        assert [p.path for p in caught.value.problems] == [path]


def test_attendance_at_the_ends_of_time_answers_instead_of_overflowing() -> None:
    cadence = monday_cadence("c1")
    assert cadence.missed([FIRST_MONDAY], dt.date.min) == ()
    assert cadence.closed_due_dates(dt.date.min) == ()
    kept = cadence.kept([FIRST_MONDAY], dt.date.max)
    assert kept == {FIRST_MONDAY: FIRST_MONDAY}


@pytest.mark.parametrize(
    ("events", "paths"),
    [(None, ["$"]), ("e1", ["$"]), ([1, "e2"], ["$[0]", "$[1]"])],
)
def test_impediments_are_folded_from_events_only(events: Any, paths: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        impediments_as_of(events)
    assert [p.path for p in caught.value.problems] == paths
    with pytest.raises(ValidationError) as caught:
        impediments_as_of([], dt.datetime(2027, 1, 4, 9))
    assert [p.path for p in caught.value.problems] == ["$.as_of"]


def test_validate_checkin_refuses_ids_owners_and_flags_of_the_wrong_kind() -> None:
    # a string of known ids used to be read as a set of its characters
    record = maria_checkin("ci", D(2027, 1, 11))
    now = D(2027, 1, 11)
    found = problems(
        lambda: validate_checkin(
            record,
            now=now,
            owners_of={"t1": "anna"},  # type: ignore[arg-type]
            known_update_ids="u1",
            allow_unowned=1,  # type: ignore[arg-type]
        )
    )
    assert [path for path, _ in found] == ["$.allow_unowned", "$.owners_of", "$.known_update_ids"]
    assert "one id as a string is not" in found[2][1]
    validate_checkin(record, now=now, known_update_ids={"u1": 1}.keys())  # any collection
