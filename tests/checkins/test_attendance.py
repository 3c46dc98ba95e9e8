"""Attendance folded once answers every day exactly as the cadence's own missed runs do."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.checkins.cadence import (
    Attendance,
    AttendanceTable,
    Cadence,
    Weekday,
    fortnightly,
    monthly,
    weekly,
)
from workplan_core.org import OwnerKind, OwnerRef

D = dt.date
START = D(2027, 1, 4)


@st.composite
def cadences(draw: st.DrawFn, i: int = 0) -> Cadence:
    """A cadence of maria's with person ``p{i}`` (id ``c{i}``), under any recurrence."""
    day = draw(st.sampled_from(Weekday))
    rule = draw(st.sampled_from([weekly(day), fortnightly(day), monthly(day), monthly(day, -1)]))
    start = START + dt.timedelta(days=draw(st.integers(0, 20)))
    end = draw(st.none() | st.integers(0, 200).map(lambda n: start + dt.timedelta(days=n)))
    person = OwnerRef(OwnerKind.PERSON, f"p{i}")
    return Cadence(f"c{i}", "maria", person, rule, start, draw(st.integers(0, 4)), end)


DAYS = st.integers(-10, 240).map(lambda n: START + dt.timedelta(days=n))


def _expected(
    cadence: Cadence, held: list[dt.date], as_of: dt.date, window_start: dt.date
) -> tuple[int, int, tuple[dt.date, ...]]:
    """What the dashboard computed before: the slow, direct way."""
    known = [d for d in held if d <= as_of]
    runs = cadence.missed_runs(known, as_of)
    closed = cadence.closed_due_dates(as_of)
    run = runs[-1] if runs and runs[-1][-1] == closed[-1] else ()
    return (
        sum(1 for d in known if d >= window_start),
        sum(1 for r in runs for d in r if d >= window_start),
        run,
    )


@given(cadences(), st.lists(DAYS, max_size=40), DAYS, st.integers(1, 120))
def test_attendance_equals_the_missed_runs_of_any_day(
    cadence: Cadence, held: list[dt.date], as_of: dt.date, window: int
) -> None:
    window_start = as_of - dt.timedelta(days=window)
    got = Attendance(cadence, held).as_of(as_of, window_start)
    assert got == _expected(cadence, held, as_of, window_start)


@settings(max_examples=60, deadline=None)
@given(st.data(), DAYS, st.integers(1, 120))
def test_an_attendance_table_sums_each_attendance(
    data: st.DataObject, as_of: dt.date, window: int
) -> None:
    attendances = [
        Attendance(data.draw(cadences(i)), data.draw(st.lists(DAYS, max_size=30)))
        for i in range(data.draw(st.integers(0, 5)))
    ]
    indexes = (
        data.draw(st.lists(st.sampled_from(range(len(attendances))), unique=True).map(sorted))
        if attendances
        else []
    )
    window_start = as_of - dt.timedelta(days=window)
    held = missed = 0
    runs = []
    for i in indexes:
        own_held, own_missed, run = attendances[i].as_of(as_of, window_start)
        held, missed = held + own_held, missed + own_missed
        if run:
            runs.append((attendances[i].cadence, run))
    assert AttendanceTable(attendances).as_of(indexes, as_of, window_start) == (held, missed, runs)


def test_an_attendance_table_at_the_first_days_fails_as_each_attendance_does() -> None:
    cadence = Cadence(
        "c", "maria", OwnerRef(OwnerKind.PERSON, "anna"), weekly(Weekday.MONDAY), D(1, 1, 8), 2
    )
    attendance = Attendance(cadence, [D(1, 1, 8)])
    day = D(1, 1, 2)
    with pytest.raises(OverflowError):
        attendance.as_of(day, dt.date.min)
    with pytest.raises(OverflowError):
        AttendanceTable([attendance]).as_of([0], day, dt.date.min)
