"""Periods, fiscal calendars and working days: worked examples and properties."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.periods import (
    FiscalCalendar,
    Granularity,
    Labelling,
    Period,
    WorkCalendar,
)
from workplan_core.testing.strategies import fiscal_calendars, periods, work_calendars
from workplan_core.testing.strategies.periods import dates

D = dt.date

# ---------------------------------------------------------------- Period


def test_period_basics() -> None:
    q = Period(D(2027, 1, 1), D(2027, 3, 31))
    assert q.days == 31 + 28 + 31
    assert q.contains(D(2027, 3, 31))
    assert D(2027, 4, 1) not in q
    assert q.contains(Period(D(2027, 2, 1), D(2027, 2, 28)))
    assert not q.contains(Period(D(2027, 3, 1), D(2027, 4, 1)))
    assert q.intersection(Period(D(2027, 3, 15), D(2027, 5, 1))) == Period(
        D(2027, 3, 15), D(2027, 3, 31)
    )
    assert q.intersection(Period(D(2027, 4, 1), D(2027, 5, 1))) is None
    assert str(q) == "2027-01-01..2027-03-31"
    assert len(list(q.dates())) == q.days


def test_period_end_before_start_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Period(D(2027, 2, 1), D(2027, 1, 31))
    assert info.value.problems[0].path == "$.end"
    assert "must not be before start" in info.value.problems[0].message


@given(periods(), periods())
def test_intersection_is_inside_both_and_symmetric(a: Period, b: Period) -> None:
    both = a.intersection(b)
    assert both == b.intersection(a)
    assert (both is not None) == a.overlaps(b)
    if both is not None:
        assert a.contains(both)
        assert b.contains(both)


# ---------------------------------------------------------------- fiscal calendar


def test_australian_financial_year() -> None:
    cal = FiscalCalendar(start_month=7)
    fy = cal.year(2027)
    assert fy.period == Period(D(2026, 7, 1), D(2027, 6, 30))
    assert fy.label == "FY2027"
    assert cal.quarter(2027, 3).period == Period(D(2027, 1, 1), D(2027, 3, 31))
    assert cal.half(2027, 2).period == Period(D(2027, 1, 1), D(2027, 6, 30))
    assert cal.containing(D(2026, 11, 27), Granularity.QUARTER).label == "FY2027-Q2"


def test_uk_financial_year_starts_april_sixth_labelled_by_start_year() -> None:
    cal = FiscalCalendar(start_month=4, start_day=6, labelling=Labelling.START_YEAR)
    fy = cal.year(2026)
    assert fy.period == Period(D(2026, 4, 6), D(2027, 4, 5))
    assert cal.quarter(2026, 1).period == Period(D(2026, 4, 6), D(2026, 7, 5))
    assert cal.containing(D(2027, 4, 5)).label == "FY2026"
    assert cal.containing(D(2027, 4, 6)).label == "FY2027"


def test_calendar_year_default() -> None:
    cal = FiscalCalendar()
    assert cal.year(2027).period == Period(D(2027, 1, 1), D(2027, 12, 31))
    assert cal.quarter(2027, 4).period == Period(D(2027, 10, 1), D(2027, 12, 31))
    for labelling in Labelling:
        assert FiscalCalendar(labelling=labelling).year(2027) == cal.year(2027)


def test_next_and_previous_cross_year_boundaries() -> None:
    cal = FiscalCalendar(start_month=7)
    q4 = cal.parse("FY2027-Q4")
    assert cal.next(q4).label == "FY2028-Q1"
    assert cal.previous(cal.parse("FY2027-Q1")).label == "FY2026-Q4"
    assert cal.next(cal.parse("FY2027-H2")).label == "FY2028-H1"
    assert [p.label for p in cal.between(D(2026, 12, 1), D(2027, 4, 1))] == [
        "FY2027-Q2",
        "FY2027-Q3",
        "FY2027-Q4",
    ]


@pytest.mark.parametrize(
    ("label", "fragment"),
    [("FY27", "not a fiscal label"), ("FY2027-Q5", "quarter index"), ("FY2027-H3", "half index")],
)
def test_bad_labels_are_rejected(label: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        FiscalCalendar().parse(label)


def test_bad_calendar_start_is_rejected_with_field_names() -> None:
    with pytest.raises(ValidationError) as info:
        FiscalCalendar(start_month=2, start_day=29)
    assert info.value.problems[0].path == "$.start_day"
    with pytest.raises(ValidationError) as info:
        FiscalCalendar(start_month=13)
    assert info.value.problems[0].path == "$.start_month"


@given(fiscal_calendars(), st.integers(min_value=1991, max_value=2099))
def test_quarters_and_halves_tile_the_year(cal: FiscalCalendar, year: int) -> None:
    fy = cal.year(year)
    for granularity in (Granularity.QUARTER, Granularity.HALF):
        parts = cal.parts(year, granularity)
        assert parts[0].start == fy.start
        assert parts[-1].end == fy.end
        for left, right in itertools.pairwise(parts):
            assert right.start == left.end + dt.timedelta(days=1)
    assert cal.year(year + 1).start == fy.end + dt.timedelta(days=1)


@given(
    fiscal_calendars(), st.integers(min_value=1991, max_value=2099), st.sampled_from(Granularity)
)
def test_labels_round_trip(cal: FiscalCalendar, year: int, granularity: Granularity) -> None:
    for part in cal.parts(year, granularity):
        assert cal.parse(part.label) == part


@given(fiscal_calendars(), dates(D(1991, 1, 1), D(2098, 12, 31)), st.sampled_from(Granularity))
def test_containing_period_contains_the_date(
    cal: FiscalCalendar, day: dt.date, granularity: Granularity
) -> None:
    part = cal.containing(day, granularity)
    assert part.period.contains(day)
    assert cal.next(cal.previous(part)) == part


# ---------------------------------------------------------------- working days


def test_christmas_week_2026() -> None:
    # Dec 2026 starts on a Tuesday: 23 weekdays, Christmas (Friday) is a holiday -> 22.
    work = WorkCalendar(holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"])
    assert work.count_working_days(D(2026, 12, 1), D(2027, 1, 1)) == 22
    assert work.add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 28)
    assert work.add_working_days(D(2026, 12, 28), -1) == D(2026, 12, 24)
    assert work.add_working_days(D(2026, 12, 26), 0) == D(2026, 12, 28)
    assert not work.is_working_day(D(2026, 12, 25))
    assert work.next_working_day(D(2026, 12, 31)) == D(2027, 1, 1)


def test_friday_saturday_weekend_and_explicit_holiday() -> None:
    work = WorkCalendar(weekend={4, 5}, holidays={D(2027, 3, 31)})
    # 2027-03-28 is a Sunday; Wed 31 is a holiday; Thu 1 Apr worked; Fri/Sat off; Sun 4 worked.
    assert work.add_working_days(D(2027, 3, 28), 3) == D(2027, 4, 1)
    assert work.add_working_days(D(2027, 3, 28), 4) == D(2027, 4, 4)
    days = Period(D(2027, 3, 28), D(2027, 4, 4))
    assert list(work.working_days(days)) == [
        D(2027, 3, 28),
        D(2027, 3, 29),
        D(2027, 3, 30),
        D(2027, 4, 1),
        D(2027, 4, 4),
    ]


def test_bad_work_calendar_reports_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        WorkCalendar(weekend={0, 1, 2, 3, 4, 5, 6})
    assert [p.path for p in info.value.problems] == ["$.weekend"]
    with pytest.raises(ValidationError) as info:
        WorkCalendar(holiday_rules=["FREQ=SOMETIMES"])
    assert info.value.problems[0].path == "$.holiday_rules[0]"


@given(work_calendars(), dates(D(2019, 1, 1), D(2031, 12, 31)), st.integers(-400, 400))
def test_adding_then_counting_agrees_with_brute_force(
    work: WorkCalendar, day: dt.date, count: int
) -> None:
    target = work.add_working_days(day, count)
    assert work.is_working_day(target)
    if count > 0:
        assert target > day
        assert (
            work.count_working_days(day + dt.timedelta(days=1), target + dt.timedelta(days=1))
            == count
        )
    elif count < 0:
        assert target < day
        assert work.count_working_days(target, day) == -count


@given(work_calendars(), dates(D(2019, 1, 1), D(2031, 12, 31)), st.integers(0, 120))
def test_count_matches_a_day_by_day_walk(work: WorkCalendar, start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    walked = sum(1 for i in range(length) if work.is_working_day(start + dt.timedelta(days=i)))
    assert work.count_working_days(start, end) == walked
    assert work.count_working_days(end, start) == -walked
