"""Escalations of missed check-ins and unanswered help requests."""

from __future__ import annotations

import datetime as dt

import pytest
from _checkin_records import monday_cadence, raised

from workplan_core.checkins.escalation import (
    EscalationPolicy,
    EscalationReason,
    escalations,
)
from workplan_core.checkins.impediments import (
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    impediments_as_of,
)
from workplan_core.errors import ValidationError

D = dt.date
MANAGERS = {"anna": "maria", "maria": "chen", "chen": None, "omar": "maria"}


class Chart:
    def manager_of(self, person_id: str, as_of: dt.date) -> str | None:
        return MANAGERS[person_id]


CADENCE = monday_cadence("c-anna")


def run(held: list[dt.date], as_of: dt.date, impediments=(), **policy: int):  # type: ignore[no-untyped-def]
    return escalations(
        cadences=[CADENCE],
        held={"c-anna": held},
        impediments=impediments,
        managers=Chart(),
        as_of=as_of,
        policy=EscalationPolicy(**policy),
    )


def test_two_missed_in_a_row_escalate_to_the_managers_manager() -> None:
    held = [D(2027, 1, 4)]
    # Jan 11 closes on Jan 13 (grace 1); Jan 18 closes on Jan 20.
    assert run(held, D(2027, 1, 19)) == []
    [item] = run(held, D(2027, 1, 20))
    assert item.reason is EscalationReason.MISSED_CHECKINS
    assert (item.subject_id, item.escalate_to, item.since, item.on) == (
        "anna",
        "chen",
        D(2027, 1, 11),
        D(2027, 1, 20),
    )
    # the same escalation, recomputed later, keeps its id and day
    [later] = run(held, D(2027, 2, 1))
    assert (later.id, later.on) == (item.id, item.on)
    assert later == item


def test_a_kept_check_in_breaks_the_streak() -> None:
    held = [D(2027, 1, 4), D(2027, 1, 18)]
    assert run(held, D(2027, 1, 20)) == []
    [single] = run(held, D(2027, 1, 20), missed_in_a_row=1)
    assert (single.since, single.on) == (D(2027, 1, 11), D(2027, 1, 13))
    # a later streak is a new escalation; the first one stays in the record
    later = run(held, D(2027, 2, 10))
    assert [(e.since, e.on) for e in later] == [(D(2027, 1, 25), D(2027, 2, 3))]
    assert [e.since for e in run(held, D(2027, 2, 10), missed_in_a_row=1)] == [
        D(2027, 1, 11),
        D(2027, 1, 25),
    ]


def test_open_help_request_escalates_after_the_threshold() -> None:
    events = [raised(D(2027, 1, 4), Severity.HIGH, help_from="omar")]
    held = [D(2027, 1, 4) + dt.timedelta(days=7 * i) for i in range(10)]
    open_now = impediments_as_of(events, D(2027, 1, 9))
    assert run(held, D(2027, 1, 9), open_now.values()) == []
    [item] = run(held, D(2027, 1, 10), open_now.values())
    assert (item.reason, item.subject_id, item.escalate_to, item.on) == (
        EscalationReason.HELP_REQUEST_OPEN,
        "imp1",
        "chen",
        D(2027, 1, 10),
    )
    escalated = [
        *events,
        ImpedimentEvent(
            "e2", "imp1", ImpedimentAction.ESCALATED, D(2027, 1, 10), "maria", escalated_to="chen"
        ),
    ]
    [same] = run(held, D(2027, 1, 12), impediments_as_of(escalated).values())
    assert same == item
    resolved_late = [
        *escalated,
        ImpedimentEvent("e3", "imp1", ImpedimentAction.RESOLVED, D(2027, 1, 11), "omar"),
    ]
    assert run(held, D(2027, 1, 30), impediments_as_of(resolved_late).values()) == [item]
    resolved_early = [
        *events,
        ImpedimentEvent("e3", "imp1", ImpedimentAction.RESOLVED, D(2027, 1, 9), "omar"),
    ]
    assert run(held, D(2027, 1, 30), impediments_as_of(resolved_early).values()) == []


def test_policy_thresholds_must_be_positive() -> None:
    with pytest.raises(ValidationError) as info:
        EscalationPolicy(missed_in_a_row=0)
    assert info.value.problems[0].path == "$.missed_in_a_row"


def test_a_withdrawn_help_request_stops_its_clock_and_asking_again_starts_a_new_one() -> None:
    events = [
        raised(D(2027, 1, 4), Severity.HIGH, help_from="omar"),
        ImpedimentEvent(
            "e2", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 8), "anna", withdraws_help=True
        ),
        ImpedimentEvent(
            "e3", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 12), "anna", help_from="omar"
        ),
    ]
    held = [D(2027, 1, 4) + dt.timedelta(days=7 * i) for i in range(10)]

    def help_escalations(as_of: dt.date) -> list[tuple[dt.date, dt.date, str]]:
        found = run(held, as_of, impediments_as_of(events, as_of).values())
        return [(e.since, e.on, e.id) for e in found]

    # asked Jan 4, withdrawn Jan 8 after 4 days (<= 5): the first request never escalates,
    # although it would have been due Jan 10 (4 + 5 + 1)
    assert help_escalations(D(2027, 1, 11)) == []
    # asked again Jan 12: a new request, due Jan 12 + 5 + 1 = Jan 18
    assert help_escalations(D(2027, 1, 17)) == []
    assert help_escalations(D(2027, 1, 18)) == [
        (D(2027, 1, 12), D(2027, 1, 18), "help:imp1:2027-01-12")
    ]


def test_a_request_withdrawn_after_it_escalated_stays_escalated() -> None:
    events = [
        raised(D(2027, 1, 4), Severity.HIGH, help_from="omar"),
        ImpedimentEvent(
            "e2", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 12), "anna", withdraws_help=True
        ),
    ]
    held = [D(2027, 1, 4) + dt.timedelta(days=7 * i) for i in range(10)]
    [due] = run(held, D(2027, 1, 10), impediments_as_of(events, D(2027, 1, 10)).values())
    assert (due.since, due.on, due.detail) == (
        D(2027, 1, 4),
        D(2027, 1, 10),
        "help from omar on node t1 open more than 5 days",
    )
    # withdrawn Jan 12, two days after it became due: still in the record later on
    assert run(held, D(2027, 1, 30), impediments_as_of(events).values()) == [due]


def test_a_request_sent_on_after_it_escalated_still_names_who_was_asked_then() -> None:
    # the request to omar falls due Jan 10; sending it on to dana on Jan 12 used to turn the
    # recorded escalation into "help from dana" for every day after Jan 12
    held = [D(2027, 1, 4) + dt.timedelta(days=7 * i) for i in range(10)]

    def details(sent_on: dt.date, as_of: dt.date) -> list[str]:
        events = [
            raised(D(2027, 1, 4), Severity.HIGH, help_from="omar"),
            ImpedimentEvent(
                "e2", "imp1", ImpedimentAction.UPDATED, sent_on, "anna", help_from="dana"
            ),
        ]
        found = run(held, as_of, impediments_as_of(events, as_of).values())
        return [e.detail for e in found]

    omar = "help from omar on node t1 open more than 5 days"
    dana = "help from dana on node t1 open more than 5 days"
    late = D(2027, 1, 12)
    assert [details(late, D(2027, 1, day)) for day in (10, 11, 12, 30)] == [[omar]] * 4
    # sent on by the day it fell due: it names dana (the same request, the same clock)
    for sent_on in (D(2027, 1, 8), D(2027, 1, 10)):
        assert [details(sent_on, D(2027, 1, day)) for day in (10, 12, 30)] == [[dana]] * 3
