"""Check-in records and the rules they must keep."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from _checkin_records import maria_checkin, raised

from workplan_core.cascade.status import Status
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent, Severity
from workplan_core.checkins.updates import (
    DEFAULT_AGENDA,
    AgendaNote,
    CheckIn,
    StatusUpdate,
    validate_checkin,
)
from workplan_core.errors import ValidationError
from workplan_core.serialization import dump_record, load_record

D = dt.date
OWNERS = {"t1": {"anna"}, "t2": {"omar"}}


def owners_of(node_id: str, on: dt.date) -> set[str]:
    return OWNERS.get(node_id, set())


def checkin(**changes: object) -> CheckIn:
    base = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        notes=(AgendaNote("next steps", "ship the import"),),
        updates=(
            StatusUpdate(
                "u1",
                "t1",
                D(2027, 1, 11),
                "anna",
                Status.AT_RISK,
                progress=0.4,
                confidence=6,
                checkin_id="ci1",
            ),
        ),
        impediments=(
            raised(
                D(2027, 1, 11),
                Severity.HIGH,
                description="waiting on data",
                help_from="omar",
                checkin_id="ci1",
            ),
        ),
    )
    return attrs.evolve(base, **changes)


def test_a_good_check_in_passes_and_round_trips() -> None:
    record = checkin()
    validate_checkin(record, now=D(2027, 1, 11), owners_of=owners_of)
    assert record.agenda == DEFAULT_AGENDA
    assert load_record(dump_record(record), CheckIn) == record


def test_every_problem_is_reported_at_once() -> None:
    bad = checkin(
        on=D(2027, 1, 20),
        participants=(),
        acknowledged_on=D(2027, 1, 1),
        notes=(AgendaNote("gossip", "…"),),
        updates=(
            StatusUpdate(
                "u1", "t2", D(2027, 1, 21), "anna", Status.ON_TRACK, progress=1.5, confidence=11
            ),
            StatusUpdate(
                "u1",
                "t1",
                D(2027, 1, 11),
                "anna",
                Status.DONE,
                corrects="u0",
                value=float("nan"),
                checkin_id="other",
            ),
        ),
        impediments=(
            ImpedimentEvent("e9", "imp7", ImpedimentAction.RESOLVED, D(2027, 1, 21), "anna"),
        ),
    )
    with pytest.raises(ValidationError) as info:
        validate_checkin(bad, now=D(2027, 1, 15), owners_of=owners_of)
    assert [p.path for p in info.value.problems] == [
        "$.on",
        "$.participants",
        "$.acknowledged_on",
        "$.notes[0].section",
        "$.updates[0].on",
        "$.updates[0].progress",
        "$.updates[0].confidence",
        "$.updates[0].node_id",
        "$.updates[1].id",
        "$.updates[1].corrects",
        "$.updates[1].value",
        "$.updates[1].checkin_id",
        "$.updates[1].node_id",
        "$.impediments[0].on",
        "$.impediments[0].impediment_id",
    ]


def test_unowned_updates_can_be_allowed() -> None:
    record = checkin(updates=(StatusUpdate("u1", "t2", D(2027, 1, 11), "anna", Status.ON_TRACK),))
    with pytest.raises(ValidationError, match="no participant owns node 't2'"):
        validate_checkin(record, now=D(2027, 1, 11), owners_of=owners_of)
    validate_checkin(record, now=D(2027, 1, 11), owners_of=owners_of, allow_unowned=True)


def test_corrections_and_impediment_changes_see_the_stored_history() -> None:
    fix = StatusUpdate("u2", "t1", D(2027, 1, 18), "anna", Status.ON_TRACK, corrects="u1")
    resolve = ImpedimentEvent("e2", "imp1", ImpedimentAction.RESOLVED, D(2027, 1, 18), "anna")
    later = maria_checkin("ci2", D(2027, 1, 18), updates=(fix,), impediments=(resolve,))
    with pytest.raises(ValidationError) as info:
        validate_checkin(later, now=D(2027, 1, 18))
    assert [p.path for p in info.value.problems] == [
        "$.updates[0].corrects",
        "$.impediments[0].impediment_id",
    ]
    first = checkin()
    validate_checkin(
        later, now=D(2027, 1, 18), known_update_ids={"u1"}, impediment_history=first.impediments
    )
    twice = maria_checkin("ci3", D(2027, 1, 19), impediments=(attrs.evolve(resolve, id="e3"),))
    with pytest.raises(ValidationError, match="already resolved"):
        validate_checkin(
            twice, now=D(2027, 1, 19), impediment_history=[*first.impediments, resolve]
        )


def test_impediment_problems_are_reported_at_their_place_in_the_check_in() -> None:
    # two events stored (indices 0-1 of the fold), three in the check-in (indices 2-4): the
    # check-in's problems name its own events, and a problem the stored events already
    # have (e9 resolves an impediment never raised) is not the check-in's
    stored = [
        raised(D(2027, 1, 4), Severity.HIGH, description="no data", help_from="omar"),
        ImpedimentEvent("e9", "imp9", ImpedimentAction.RESOLVED, D(2027, 1, 5), "anna"),
    ]
    update = ImpedimentEvent(
        "e2", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 11), "anna", severity=Severity.LOW
    )
    early = ImpedimentEvent(
        "e3", "imp2", ImpedimentAction.UPDATED, D(2027, 1, 6), "anna", severity=Severity.LOW
    )
    bad_raise = ImpedimentEvent("e4", "imp2", ImpedimentAction.RAISED, D(2027, 1, 8), "anna")
    record = maria_checkin("ci2", D(2027, 1, 11), impediments=(update, early, bad_raise))
    with pytest.raises(ValidationError) as info:
        validate_checkin(record, now=D(2027, 1, 11), impediment_history=stored)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.impediments[1].on", "before impediment 'imp2' was raised (2027-01-08)"),
        ("$.impediments[2].node_id", "required when an impediment is raised"),
        ("$.impediments[2].severity", "required when an impediment is raised"),
    ]
    # a check-in event reusing the id of a stored event dated before it is the duplicate
    reused = attrs.evolve(update, id="e1", on=D(2027, 1, 10))
    with pytest.raises(ValidationError) as info:
        validate_checkin(
            maria_checkin("ci3", D(2027, 1, 11), impediments=(update, reused)),
            now=D(2027, 1, 11),
            impediment_history=stored,
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.impediments[1].id", "duplicate event id 'e1'"),
    ]


def test_a_check_in_event_reusing_a_stored_id_is_refused_whatever_its_day() -> None:
    # a stored event owns its id: a check-in event dated before it used to take the id over,
    # the stored event became the duplicate and that problem (not the check-in's) was dropped
    stored = [raised(D(2027, 1, 4), Severity.HIGH, help_from="omar")]  # e1 raises imp1
    earlier_raise = ImpedimentEvent(
        "e1", "imp2", ImpedimentAction.RAISED, D(2027, 1, 3), "anna", "t2", "", Severity.LOW
    )
    earlier_update = ImpedimentEvent(
        "e1", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 2), "anna", severity=Severity.LOW
    )
    for reused in (earlier_raise, earlier_update):
        record = maria_checkin("ci2", D(2027, 1, 11), impediments=(reused,))
        with pytest.raises(ValidationError) as info:
            validate_checkin(record, now=D(2027, 1, 11), impediment_history=stored)
        assert [(p.path, p.message) for p in info.value.problems] == [
            ("$.impediments[0].id", "duplicate event id 'e1'"),
        ]
    # the refused raise raises nothing: a later change of imp2 meets no impediment
    update = ImpedimentEvent(
        "e2", "imp2", ImpedimentAction.UPDATED, D(2027, 1, 5), "anna", severity=Severity.HIGH
    )
    record = maria_checkin("ci2", D(2027, 1, 11), impediments=(update, earlier_raise))
    with pytest.raises(ValidationError) as info:
        validate_checkin(record, now=D(2027, 1, 11), impediment_history=stored)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.impediments[0].impediment_id", "impediment 'imp2' does not exist"),
        ("$.impediments[1].id", "duplicate event id 'e1'"),
    ]


def test_help_from_on_an_escalation_or_a_resolution_is_refused() -> None:
    first = checkin()  # Jan 11: anna raises imp1 asking omar for help
    escalate = ImpedimentEvent(
        "e2",
        "imp1",
        ImpedimentAction.ESCALATED,
        D(2027, 1, 18),
        "maria",
        escalated_to="chen",
        help_from="dana",
    )
    resolve = ImpedimentEvent(
        "e3", "imp1", ImpedimentAction.RESOLVED, D(2027, 1, 18), "anna", help_from="omar"
    )
    record = maria_checkin("ci2", D(2027, 1, 18), impediments=(escalate, resolve))
    with pytest.raises(ValidationError) as info:
        validate_checkin(record, now=D(2027, 1, 18), impediment_history=first.impediments)
    assert [(p.path, p.message) for p in info.value.problems] == [
        (
            "$.impediments[0].help_from",
            "only a raise or an update can ask for help, not an escalation",
        ),
        (
            "$.impediments[1].help_from",
            "only a raise or an update can ask for help, not a resolution",
        ),
    ]
    # a stored one is not the check-in's problem: it is read as before, help_from ignored
    again = attrs.evolve(resolve, id="e4", on=D(2027, 1, 19), help_from=None)
    with pytest.raises(ValidationError) as info:
        validate_checkin(
            maria_checkin("ci3", D(2027, 1, 19), impediments=(again,)),
            now=D(2027, 1, 19),
            impediment_history=[*first.impediments, resolve],
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.impediments[0].action", "impediment 'imp1' is already resolved"),
    ]


def test_a_check_in_withdraws_help_asked_in_an_earlier_one() -> None:
    first = checkin()  # Jan 11: anna raises imp1 asking omar for help
    withdraw = ImpedimentEvent(
        "e2", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 18), "anna", withdraws_help=True
    )
    later = maria_checkin("ci2", D(2027, 1, 18), impediments=(withdraw,))
    validate_checkin(later, now=D(2027, 1, 18), impediment_history=first.impediments)
    assert load_record(dump_record(later), CheckIn) == later
    again = maria_checkin("ci3", D(2027, 1, 25), impediments=(attrs.evolve(withdraw, id="e3"),))
    with pytest.raises(ValidationError) as info:
        validate_checkin(
            again, now=D(2027, 1, 25), impediment_history=[*first.impediments, withdraw]
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.impediments[0].withdraws_help", "impediment 'imp1' requests no help"),
    ]


def test_check_ins_stored_before_withdrawals_existed_load_unchanged() -> None:
    record = checkin()
    stored_v1 = {**dump_record(record), "$version": 1}
    for event in stored_v1["impediments"]:
        del event["withdraws_help"]  # version 1 events had no such field
    assert load_record(stored_v1, CheckIn) == record
    assert dump_record(record)["$version"] == 2
