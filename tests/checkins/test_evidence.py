"""Performance evidence over a period, a worked example."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from _checkin_records import maria_checkin, monday_cadence, raised
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade.status import Status
from workplan_core.checkins.evidence import performance_evidence
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent, Severity
from workplan_core.checkins.log import CheckinLog
from workplan_core.checkins.timeline import Timeline
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.errors import ValidationError
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


JANUARY = Period(D(2027, 1, 1), D(2027, 1, 31))


def test_every_check_in_counts_even_two_on_one_day() -> None:
    checkins = [
        maria_checkin("c1", D(2027, 1, 11)),
        CheckIn("c2", D(2027, 1, 11), "zed", ("anna",)),
        maria_checkin("c1", D(2027, 1, 11)),  # the same record given twice counts once
    ]
    evidence = performance_evidence("anna", JANUARY, as_of=D(2027, 2, 1), checkins=checkins)
    assert evidence.checkins_held == 2


def test_a_record_given_twice_counts_once() -> None:
    # an update or an impediment event passed on its own and inside its check-in (say, read
    # from two places) used to count twice; so did a cadence given twice (its missed dates)
    u1 = StatusUpdate("u1", "t1", D(2027, 1, 4), "anna", Status.DONE, checkin_id="ci1")
    e1 = raised(D(2027, 1, 4), Severity.LOW, checkin_id="ci1")
    ci1 = maria_checkin("ci1", D(2027, 1, 4), "c", updates=(u1,), impediments=(e1,))
    cadence = monday_cadence("c")
    resolve = ImpedimentEvent("e2", "imp1", R.RESOLVED, D(2027, 1, 5), "anna")

    def evidence(**records: object) -> tuple[int, ...]:
        found = performance_evidence(
            "anna", JANUARY, as_of=D(2027, 2, 1), tasks={"t1": D(2027, 1, 31)}, **records
        )  # type: ignore[arg-type]
        return (
            found.checkins_held,
            found.checkins_missed,
            found.updates_given,
            found.impediments_raised,
            found.impediments_resolved,
            found.tasks_finished,
        )

    once = evidence(checkins=[ci1], cadences=[cadence], impediment_events=[resolve])
    assert once == (1, 3, 1, 1, 1, 1)
    assert (
        evidence(
            checkins=[ci1, ci1],
            cadences=[cadence, cadence],
            updates=[u1, u1],
            impediment_events=[e1, resolve, resolve],
        )
        == once
    )


def test_two_different_records_with_one_id_are_refused_naming_both() -> None:
    u1 = StatusUpdate("u1", "t1", D(2027, 1, 4), "anna", Status.DONE, checkin_id="ci1")
    e1 = raised(D(2027, 1, 4), Severity.LOW, checkin_id="ci1")
    ci1 = maria_checkin("ci1", D(2027, 1, 4), updates=(u1,), impediments=(e1,))
    with pytest.raises(ValidationError) as info:
        performance_evidence(
            "anna",
            JANUARY,
            as_of=D(2027, 2, 1),
            checkins=[ci1, attrs.evolve(ci1, participants=("omar",))],
            cadences=[monday_cadence("c"), monday_cadence("c", "omar")],
            updates=[attrs.evolve(u1, status=Status.AT_RISK)],
            impediment_events=[attrs.evolve(e1, severity=Severity.HIGH)],
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        (
            "$.checkins[1].id",
            "check-in id 'ci1' is given also at $.checkins[0], with other content",
        ),
        ("$.cadences[1].id", "cadence id 'c' is given also at $.cadences[0], with other content"),
        (
            "$.updates[0].id",
            "status update id 'u1' is given also at $.checkins[0].updates[0], with other content",
        ),
        (
            "$.impediment_events[0].id",
            "impediment event id 'e1' is given also at $.checkins[0].impediments[0], "
            "with other content",
        ),
    ]


def test_records_of_the_wrong_kind_are_refused_at_their_paths() -> None:
    with pytest.raises(ValidationError) as info:
        performance_evidence(
            "anna",
            JANUARY,
            as_of=D(2027, 2, 1),
            checkins="ci1",  # type: ignore[arg-type]
            cadences=[monday_cadence("c"), None],  # type: ignore[list-item]
            updates=3,  # type: ignore[arg-type]
        )
    assert [p.path for p in info.value.problems] == [
        "$.checkins",
        "$.cadences[1]",
        "$.updates",
    ]


def test_corrections_decide_whether_and_when_a_task_finished() -> None:
    done = StatusUpdate("u1", "t1", D(2027, 1, 10), "anna", Status.DONE, progress=1.0)
    undone = StatusUpdate(
        "u2", "t1", D(2027, 1, 12), "anna", Status.ON_TRACK, progress=0.8, corrects="u1"
    )
    due = {"t1": D(2027, 1, 31)}

    def finished(updates: list[StatusUpdate], as_of: dt.date) -> tuple[int, int]:
        found = performance_evidence(
            "anna", JANUARY, as_of=as_of, checkins=[], updates=updates, tasks=due
        )
        return found.tasks_finished, found.tasks_finished_on_time

    assert finished([done, undone], D(2027, 2, 1)) == (0, 0)  # the correction says: not done
    assert finished([done, undone], D(2027, 1, 11)) == (1, 1)  # not known on Jan 11 yet
    # a correction to done counts from the corrected update's day, not the correction's
    early = StatusUpdate("u3", "t1", D(2027, 1, 20), "anna", Status.ON_TRACK)
    fixed = StatusUpdate("u4", "t1", D(2027, 2, 3), "anna", Status.DONE, corrects="u3")
    assert finished([early, fixed], D(2027, 2, 5)) == (1, 1)
    due_early = {"t1": D(2027, 1, 15)}
    late = performance_evidence(
        "anna", JANUARY, as_of=D(2027, 2, 5), checkins=[], updates=[early, fixed], tasks=due_early
    )
    assert (late.tasks_finished, late.tasks_finished_on_time) == (1, 0)
    # a correction of a correction applies to the original too
    again = StatusUpdate("u5", "t1", D(2027, 2, 4), "anna", Status.AT_RISK, corrects="u4")
    assert finished([early, fixed, again], D(2027, 2, 5)) == (0, 0)


def test_corrections_are_not_updates_given() -> None:
    # anna gives two updates in January; three corrections follow: maria fixes u1, anna fixes
    # u2 and then her own fix. Updates given: anna 2 (u1, u2: each corrected, each once),
    # maria 0; counting every record would give anna 4 and maria 1.
    u1 = StatusUpdate("u1", "t1", D(2027, 1, 4), "anna", Status.ON_TRACK, progress=0.3)
    u2 = StatusUpdate("u2", "t1", D(2027, 1, 11), "anna", Status.ON_TRACK, progress=0.6)
    fixes = [
        StatusUpdate("f1", "t1", D(2027, 1, 5), "maria", Status.ON_TRACK, 0.2, corrects="u1"),
        StatusUpdate("f2", "t1", D(2027, 1, 12), "anna", Status.AT_RISK, 0.5, corrects="u2"),
        StatusUpdate("f3", "t1", D(2027, 1, 13), "anna", Status.AT_RISK, 0.55, corrects="f2"),
    ]
    checkins = [maria_checkin("ci1", D(2027, 1, 11), updates=(u2, fixes[0]))]

    def updates_by(person_id: str) -> int:
        return performance_evidence(
            person_id,
            JANUARY,
            as_of=D(2027, 2, 1),
            checkins=checkins,
            updates=[u1, fixes[1], fixes[2]],
        ).updates_given

    assert (updates_by("anna"), updates_by("maria")) == (2, 0)


def test_only_check_ins_of_the_cadence_keep_its_due_dates() -> None:
    # an ad-hoc check-in (no cadence id) with the cadence's manager counts as held, but keeps
    # no due date: the dashboard and the escalations see the cadence the same way
    cadence = monday_cadence("c")
    adhoc = [maria_checkin("x", D(2027, 1, 11))]
    evidence = performance_evidence(
        "anna", JANUARY, as_of=D(2027, 2, 1), checkins=adhoc, cadences=[cadence]
    )
    log = CheckinLog.from_records(cadences=[cadence], checkins=adhoc)
    held, missed, _ = log.participation(["anna"], D(2027, 2, 1), JANUARY.start)
    assert (evidence.checkins_held, evidence.checkins_missed) == (1, 4)
    assert (held, missed) == (0, 4)
    assert cadence.missed(log.held("c"), D(2027, 2, 1)) == (
        D(2027, 1, 4),
        D(2027, 1, 11),
        D(2027, 1, 18),
        D(2027, 1, 25),
    )


@st.composite
def _task_updates(draw: st.DrawFn) -> list[StatusUpdate]:
    """One task's updates, some corrected (also corrections of corrections)."""
    found: list[StatusUpdate] = []
    for i in range(draw(st.integers(0, 6))):
        on = D(2027, 1, 1) + dt.timedelta(days=draw(st.integers(0, 45)))
        corrects = None
        if found and draw(st.booleans()):
            target = draw(st.sampled_from(found))
            chain = [target.on] + [u.on for u in found if u.corrects is not None]
            on, corrects = max([on, *chain]), target.id
        status = draw(st.sampled_from([Status.DONE, Status.ON_TRACK, Status.AT_RISK]))
        found.append(StatusUpdate(f"u{i}", "t1", on, "anna", status, corrects=corrects))
    return found


@given(_task_updates(), st.integers(0, 50))
def test_tasks_finished_agree_with_the_timeline(updates: list[StatusUpdate], day: int) -> None:
    as_of = D(2027, 1, 1) + dt.timedelta(days=day)
    january = Period(D(2027, 1, 1), D(2027, 1, 31))
    evidence = performance_evidence(
        "anna", january, as_of=as_of, checkins=[], updates=updates, tasks={"t1": D(2027, 1, 20)}
    )
    # the reference: the timeline's visible updates as of the day, at their originals' days
    timeline = Timeline("t1", updates)
    known = sorted((u for u in updates if u.corrects is None and u.on <= as_of), key=lambda u: u.on)
    done = [
        original.on
        for original, seen in zip(known, timeline.history(as_of), strict=True)
        if seen.status is Status.DONE
    ]
    finished = min(done) if done else None
    assert evidence.tasks_finished == (finished is not None and january.contains(finished))
    assert evidence.tasks_finished_on_time == (
        finished is not None and january.contains(finished) and finished <= D(2027, 1, 20)
    )
