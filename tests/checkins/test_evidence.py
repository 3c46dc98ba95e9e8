"""Performance evidence over a period, a worked example."""

from __future__ import annotations

import datetime as dt

from _checkin_records import maria_checkin, monday_cadence, raised

from workplan_core.cascade.status import Status
from workplan_core.checkins.evidence import performance_evidence
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent, Severity
from workplan_core.checkins.updates import StatusUpdate
from workplan_core.periods import Period

D = dt.date
R = ImpedimentAction


def test_a_month_of_anna() -> None:
    cadence = monday_cadence("c")
    checkins = [
        maria_checkin(
            "ci1",
            D(2027, 1, 4),
            "c",
            updates=(StatusUpdate("u1", "t1", D(2027, 1, 4), "anna", Status.ON_TRACK),),
            impediments=(raised(D(2027, 1, 4), Severity.LOW),),
        ),
        # Jan 11 missed; Jan 18 held a day late; Jan 25 missed
        maria_checkin(
            "ci2",
            D(2027, 1, 19),
            "c",
            updates=(
                StatusUpdate("u2", "t1", D(2027, 1, 19), "anna", Status.DONE),
                StatusUpdate("u3", "t2", D(2027, 1, 19), "anna", Status.DONE),
            ),
            impediments=(ImpedimentEvent("e2", "imp1", R.RESOLVED, D(2027, 1, 19), "maria"),),
        ),
        # a check-in after the period is ignored for the period's counts
        maria_checkin(
            "ci3",
            D(2027, 2, 1),
            "c",
            updates=(StatusUpdate("u4", "t3", D(2027, 2, 1), "anna", Status.DONE),),
        ),
    ]
    january = Period(D(2027, 1, 1), D(2027, 1, 31))
    evidence = performance_evidence(
        "anna",
        january,
        as_of=D(2027, 2, 5),
        checkins=checkins,
        cadences=[cadence],
        updates=[StatusUpdate("u5", "t1", D(2027, 1, 20), "omar", Status.DONE)],
        tasks={"t1": D(2027, 1, 15), "t2": D(2027, 1, 31), "t3": D(2027, 2, 28)},
    )
    assert evidence.checkins_held == 2
    assert evidence.checkins_missed == 2  # Jan 11 and Jan 25
    assert evidence.participation == 0.5
    assert evidence.updates_given == 3  # u1, u2, u3 (u4 is in February, u5 is omar's)
    assert (evidence.impediments_raised, evidence.impediments_resolved) == (1, 1)
    assert evidence.tasks_finished == 2  # t1 and t2 done on Jan 19; t3 in February
    assert evidence.tasks_finished_on_time == 1  # t1 was due Jan 15
    assert evidence.on_time_share == 0.5


def test_nothing_due_means_no_participation_share() -> None:
    evidence = performance_evidence(
        "zoe", Period(D(2027, 1, 1), D(2027, 1, 31)), as_of=D(2027, 2, 1), checkins=[]
    )
    assert evidence.participation is None
    assert evidence.on_time_share is None
    assert evidence.checkins_held == 0
