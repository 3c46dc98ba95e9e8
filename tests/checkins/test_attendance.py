"""Attendance folded once answers every day exactly as the cadence's own missed runs do."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from workplan_core.checkins.cadence import (
    Attendance,
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
def cadences(draw: st.DrawFn) -> Cadence:
    day = draw(st.sampled_from(Weekday))
    rule = draw(st.sampled_from([weekly(day), fortnightly(day), monthly(day), monthly(day, -1)]))
    start = START + dt.timedelta(days=draw(st.integers(0, 20)))
    end = draw(st.none() | st.integers(0, 200).map(lambda n: start + dt.timedelta(days=n)))
    return Cadence(
        "c", "maria", OwnerRef(OwnerKind.PERSON, "anna"), rule, start, draw(st.integers(0, 4)), end
    )


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
