"""Periods and calendars refuse input of the wrong kind or out of range with ValidationError.

Each case names the field (or argument) and the rule broken; nothing is silently misread
(a labelling given as a string used to pick the wrong year, a datetime holiday was ignored)
and no bare TypeError, AttributeError, ValueError or OverflowError escapes.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import Problem, ValidationError
from workplan_core.periods import (
    FiscalCalendar,
    FiscalPeriod,
    Granularity,
    Labelling,
    Period,
    WorkCalendar,
)
from workplan_core.serialization import structure, unstructure
from workplan_core.testing.strategies import fiscal_calendars

D = dt.date
DT = dt.datetime


def problems_of(action: Callable[[], object]) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as info:
        action()
    return info.value.problems


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than `seconds`."""

    def expire(*_: object) -> None:
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- Period


def test_a_period_of_strings_is_refused_naming_both_ends() -> None:
    assert problems_of(lambda: Period("2027-01-01", "2027-03-01")) == (  # type: ignore[arg-type]
        Problem("$.start", "must be a date, got str"),
        Problem("$.end", "must be a date, got str"),
    )


def test_a_period_of_datetimes_is_refused() -> None:
    assert problems_of(lambda: Period(DT(2027, 1, 1, 12), DT(2027, 1, 2))) == (
        Problem("$.start", "must be a date, not a datetime"),
        Problem("$.end", "must be a date, not a datetime"),
    )
    assert problems_of(lambda: Period(DT(2027, 1, 1, 12), D(2027, 1, 2))) == (
        Problem("$.start", "must be a date, not a datetime"),
    )


def test_period_queries_refuse_a_datetime_or_another_kind() -> None:
    q = Period(D(2027, 1, 1), D(2027, 3, 31))
    assert problems_of(lambda: q.contains(DT(2027, 2, 1, 9))) == (
        Problem("$.item", "must be a date or a Period, not a datetime"),
    )
    assert problems_of(lambda: DT(2027, 2, 1, 9) in q) == (
        Problem("$.item", "must be a date or a Period, not a datetime"),
    )
    assert "2027-02-01" not in q  # not a day: not in any period
    assert problems_of(lambda: q.overlaps("2027")) == (  # type: ignore[arg-type]
        Problem("$.other", "must be a Period, got str"),
    )
    assert problems_of(lambda: q.intersection(None)) == (  # type: ignore[arg-type]
        Problem("$.other", "must be a Period, got NoneType"),
    )


# ---------------------------------------------------------------- FiscalCalendar fields


def test_a_labelling_given_as_text_is_refused_not_misread() -> None:
    # It used to be accepted and, not being Labelling.END_YEAR, named FY2027 by its start year.
    assert problems_of(lambda: FiscalCalendar(start_month=7, labelling="end-year")) == (  # type: ignore[arg-type]
        Problem("$.labelling", "must be a Labelling, got str"),
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"start_month": "7"}, Problem("$.start_month", "must be an integer, got str")),
        ({"start_month": 7.0}, Problem("$.start_month", "must be an integer, got float")),
        (
            {"start_month": 7, "start_day": True},
            Problem("$.start_day", "must be an integer, got bool"),
        ),
    ],
)
def test_fiscal_calendar_numbers_must_be_integers(
    fields: dict[str, Any], expected: Problem
) -> None:
    assert problems_of(lambda: FiscalCalendar(**fields)) == (expected,)


def test_every_bad_fiscal_calendar_field_is_named_at_once() -> None:
    assert problems_of(lambda: FiscalCalendar("7", None, "x")) == (  # type: ignore[arg-type]
        Problem("$.start_month", "must be an integer, got str"),
        Problem("$.start_day", "must be an integer, got NoneType"),
        Problem("$.labelling", "must be a Labelling, got str"),
    )


# ---------------------------------------------------------------- FiscalCalendar arguments


def test_fiscal_queries_refuse_arguments_of_the_wrong_kind() -> None:
    cal = FiscalCalendar(start_month=7)
    assert problems_of(lambda: cal.parse(2027)) == (  # type: ignore[arg-type]
        Problem("$.label", "must be a str, got int"),
    )
    assert problems_of(lambda: cal.containing(D(2027, 3, 31), "quarter")) == (  # type: ignore[arg-type]
        Problem("$.granularity", "must be a Granularity, got str"),
    )
    assert problems_of(lambda: cal.containing(DT(2027, 3, 31, 10))) == (
        Problem("$.day", "must be a date, not a datetime"),
    )
    assert problems_of(lambda: cal.fiscal_year_of("2027-03-31")) == (  # type: ignore[arg-type]
        Problem("$.day", "must be a date, got str"),
    )
    assert problems_of(lambda: cal.year("2027")) == (  # type: ignore[arg-type]
        Problem("$.year", "must be an integer, got str"),
    )
    assert problems_of(lambda: cal.quarter(2027, 1.0)) == (  # type: ignore[arg-type]
        Problem("$.index", "must be an integer, got float"),
    )
    assert problems_of(lambda: cal.parts(2027, "half")) == (  # type: ignore[arg-type]
        Problem("$.granularity", "must be a Granularity, got str"),
    )
    assert problems_of(lambda: cal.next("FY2027")) == (  # type: ignore[arg-type]
        Problem("$.fp", "must be a FiscalPeriod, got str"),
    )
    assert problems_of(lambda: list(cal.between(D(2027, 1, 1), "2027-06-30"))) == (  # type: ignore[arg-type]
        Problem("$.end", "must be a date, got str"),
    )


def test_between_refuses_a_reversed_range() -> None:
    cal = FiscalCalendar()
    assert problems_of(lambda: list(cal.between(D(2027, 2, 1), D(2027, 1, 15)))) == (
        Problem("$.end", "must not be before start (2027-02-01)"),
    )


def test_labels_take_ascii_digits_only() -> None:
    assert problems_of(lambda: FiscalCalendar().parse("FY２０２７-Q１")) == (
        Problem("$", "'FY２０２７-Q１' is not a fiscal label like FY2027, FY2027-H1 or FY2027-Q3"),
    )


# ---------------------------------------------------------------- FiscalCalendar range


def test_the_first_and_last_financial_years_a_calendar_can_name() -> None:
    australia = FiscalCalendar(start_month=7)  # FY2027 = 2026-07-01 .. 2027-06-30
    assert australia.year(2).period == Period(D(1, 7, 1), D(2, 6, 30))
    assert australia.year(9999).period == Period(D(9998, 7, 1), D(9999, 6, 30))
    uk = FiscalCalendar(start_month=4, start_day=6, labelling=Labelling.START_YEAR)
    assert uk.year(1).start == D(1, 4, 6)
    assert uk.year(9998).end == D(9999, 4, 5)
    calendar_year = FiscalCalendar()
    assert calendar_year.containing(D.min, Granularity.QUARTER).label == "FY0001-Q1"
    assert calendar_year.parse("FY0001-Q1").start == D.min
    assert calendar_year.containing(D.max, Granularity.QUARTER).period == Period(
        D(9999, 10, 1), D.max
    )
    assert calendar_year.year(9999).period == Period(D(9999, 1, 1), D.max)


@pytest.mark.parametrize(
    ("calendar", "day", "message"),
    [
        (
            FiscalCalendar(start_month=7),
            D.min,
            "0001-01-01 is before the first financial year this calendar can name "
            "(FY0002, from 0001-07-01)",
        ),
        (
            FiscalCalendar(start_month=7),
            D.max,
            "9999-12-31 is after the last financial year this calendar can name "
            "(FY9999, to 9999-06-30)",
        ),
        (
            FiscalCalendar(start_month=7, labelling=Labelling.START_YEAR),
            D.max,
            "9999-12-31 is after the last financial year this calendar can name "
            "(FY9998, to 9999-06-30)",
        ),
    ],
)
def test_days_outside_the_nameable_years_are_refused(
    calendar: FiscalCalendar, day: dt.date, message: str
) -> None:
    for granularity in Granularity:
        assert problems_of(lambda g=granularity: calendar.containing(day, g)) == (
            Problem("$.day", message),
        )
    assert problems_of(lambda: calendar.fiscal_year_of(day)) == (Problem("$.day", message),)


def test_years_outside_the_range_are_refused() -> None:
    cal = FiscalCalendar()
    assert problems_of(lambda: cal.parse("FY0000")) == (
        Problem("$", "'FY0000': the year must be between 1 and 9999 for this calendar"),
    )
    assert problems_of(lambda: cal.year(10_000)) == (
        Problem("$.year", "must be between 1 and 9999 for this calendar"),
    )
    australia = FiscalCalendar(start_month=7)
    assert problems_of(lambda: australia.quarter(1, 4)) == (
        Problem("$.year", "must be between 2 and 9999 for this calendar"),
    )


def test_next_and_previous_stop_at_the_ends_of_the_range() -> None:
    cal = FiscalCalendar(start_month=7)
    last = cal.quarter(9999, 4)
    assert problems_of(lambda: cal.next(last)) == (
        Problem("$.fp", "FY9999-Q4 is the last quarter this calendar can name"),
    )
    first = cal.year(2)
    assert problems_of(lambda: cal.previous(first)) == (
        Problem("$.fp", "FY0002 is the first year this calendar can name"),
    )
    assert [p.label for p in cal.between(D(9999, 5, 1), D(9999, 6, 30))] == ["FY9999-Q4"]


# ---------------------------------------------------------------- FiscalPeriod


def test_a_fiscal_period_index_must_fit_its_granularity() -> None:
    q = Period(D(2027, 1, 1), D(2027, 3, 31))
    assert problems_of(lambda: FiscalPeriod(2027, Granularity.QUARTER, 9, q)) == (
        Problem("$.index", "a quarter index must be between 1 and 4"),
    )


def test_a_fiscal_period_must_be_one_a_calendar_gives() -> None:
    assert problems_of(
        lambda: FiscalPeriod(2027, Granularity.QUARTER, 1, Period(D(2027, 1, 1), D(2027, 1, 1)))
    ) == (Problem("$.period", "2027-01-01..2027-01-01 is not FY2027-Q1 of any fiscal calendar"),)
    # The right days under the wrong name: 2027-04-01.. is Q2 of a January calendar, and Q1
    # of an April one, whose FY2027 then starts in 2027 (start-year) or 2026 (end-year).
    april = Period(D(2027, 4, 1), D(2027, 6, 30))
    assert FiscalPeriod(2027, Granularity.QUARTER, 2, april).label == "FY2027-Q2"
    assert FiscalPeriod(2027, Granularity.QUARTER, 1, april).label == "FY2027-Q1"
    assert FiscalPeriod(2028, Granularity.QUARTER, 1, april).label == "FY2028-Q1"
    assert problems_of(lambda: FiscalPeriod(2029, Granularity.QUARTER, 1, april))[0].path == (
        "$.period"
    )


def test_every_bad_fiscal_period_field_is_named() -> None:
    assert problems_of(lambda: FiscalPeriod("2027", "quarter", None, "Q1")) == (  # type: ignore[arg-type]
        Problem("$.year", "must be an integer, got str"),
        Problem("$.granularity", "must be a Granularity, got str"),
        Problem("$.index", "must be an integer, got NoneType"),
        Problem("$.period", "must be a Period, got str"),
    )


def test_structuring_a_fiscal_period_that_does_not_fit_is_refused() -> None:
    data = {
        "year": 2027,
        "granularity": "quarter",
        "index": 9,
        "period": {"start": "2027-01-01", "end": "2027-01-01"},
    }
    assert problems_of(lambda: structure(data, FiscalPeriod)) == (
        Problem("$.index", "a quarter index must be between 1 and 4"),
    )
    data["index"] = 1
    assert [p.path for p in problems_of(lambda: structure(data, FiscalPeriod))] == ["$.period"]


@given(
    fiscal_calendars(), st.integers(min_value=1991, max_value=2099), st.sampled_from(Granularity)
)
def test_every_part_a_calendar_gives_can_be_made_and_structured_again(
    cal: FiscalCalendar, year: int, granularity: Granularity
) -> None:
    for part in cal.parts(year, granularity):
        assert FiscalPeriod(part.year, part.granularity, part.index, part.period) == part
        assert structure(unstructure(part), FiscalPeriod) == part


# ---------------------------------------------------------------- WorkCalendar fields


def test_weekend_of_the_wrong_kind_is_refused() -> None:
    assert problems_of(lambda: WorkCalendar(weekend={"5"})) == (  # type: ignore[arg-type]
        Problem("$.weekend", "must hold only weekday numbers (integers), got str"),
    )
    assert problems_of(lambda: WorkCalendar(weekend=5)) == (  # type: ignore[arg-type]
        Problem("$.weekend", "must be a set of weekday numbers, got int"),
    )
    assert problems_of(lambda: WorkCalendar(weekend={True})) == (
        Problem("$.weekend", "must hold only weekday numbers (integers), got bool"),
    )


def test_a_datetime_holiday_is_refused_not_ignored() -> None:
    # It used to be kept, never matched a date (so the day stayed worked), and made counting
    # raise TypeError.
    assert problems_of(lambda: WorkCalendar(holidays={DT(2027, 1, 26)})) == (
        Problem("$.holidays", "must hold only dates, not datetimes"),
    )
    assert problems_of(lambda: WorkCalendar(holidays={"2027-01-26", 5})) == (  # type: ignore[arg-type]
        Problem("$.holidays", "must hold only dates, got int, str"),
    )
    assert problems_of(lambda: WorkCalendar(holidays=None)) == (  # type: ignore[arg-type]
        Problem("$.holidays", "must be a set of dates, got NoneType"),
    )


def test_holiday_rules_must_be_a_list_of_strings() -> None:
    rule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
    assert problems_of(lambda: WorkCalendar(holiday_rules=rule)) == (
        Problem("$.holiday_rules", "must be a list of recurrence rules, not a single string"),
    )
    assert problems_of(lambda: WorkCalendar(holiday_rules=[rule, 25])) == (  # type: ignore[list-item]
        Problem("$.holiday_rules[1]", "must be a string, got int"),
    )


def test_every_bad_work_calendar_field_is_named_at_once() -> None:
    problems = problems_of(
        lambda: WorkCalendar(weekend={9}, holidays={DT(2027, 1, 1)}, holiday_rules=["nope"])
    )
    assert [p.path for p in problems] == ["$.weekend", "$.holidays", "$.holiday_rules[0]"]


# ---------------------------------------------------------------- WorkCalendar arguments


def test_work_queries_refuse_arguments_of_the_wrong_kind() -> None:
    work = WorkCalendar()
    assert problems_of(lambda: work.is_working_day("2027-01-01")) == (  # type: ignore[arg-type]
        Problem("$.day", "must be a date, got str"),
    )
    assert problems_of(lambda: work.is_working_day(DT(2027, 1, 1, 9))) == (
        Problem("$.day", "must be a date, not a datetime"),
    )
    assert problems_of(lambda: work.count_working_days(DT(2027, 1, 1, 9), "2027-01-08")) == (  # type: ignore[arg-type]
        Problem("$.start", "must be a date, not a datetime"),
        Problem("$.end", "must be a date, got str"),
    )
    assert problems_of(lambda: work.add_working_days(D(2027, 1, 1), 1.5)) == (  # type: ignore[arg-type]
        Problem("$.count", "must be an integer, got float"),
    )
    assert problems_of(lambda: work.add_working_days(D(2027, 1, 1), True)) == (
        Problem("$.count", "must be an integer, got bool"),
    )
    assert problems_of(lambda: work.add_working_days(DT(2027, 1, 1, 9), "3")) == (  # type: ignore[arg-type]
        Problem("$.day", "must be a date, not a datetime"),
        Problem("$.count", "must be an integer, got str"),
    )
    assert problems_of(lambda: work.next_working_day("2027-01-01")) == (  # type: ignore[arg-type]
        Problem("$.day", "must be a date, got str"),
    )
    assert problems_of(lambda: list(work.working_days("2027-01"))) == (  # type: ignore[arg-type]
        Problem("$.period", "must be a Period, got str"),
    )


# ---------------------------------------------------------------- bounded search


def test_a_calendar_without_working_days_gives_a_clear_error_not_a_hang() -> None:
    every_day = WorkCalendar(holiday_rules=["FREQ=DAILY"])
    with deadline(20):
        problems = problems_of(lambda: every_day.add_working_days(D(2027, 1, 1), 1))
    assert problems == (
        Problem(
            "$.count",
            "found only 0 of 1 working days in the 3660 days after 2027-01-01: "
            "the weekend and holidays leave (almost) no working day",
        ),
    )
    only_sundays_worked_but_holidays = WorkCalendar(
        weekend={0, 1, 2, 3, 4, 5}, holiday_rules=["FREQ=WEEKLY;BYDAY=SU"]
    )
    with deadline(20):
        problems = problems_of(
            lambda: only_sundays_worked_but_holidays.add_working_days(D(2027, 1, 1), -2)
        )
    assert problems[0].path == "$.count"
    assert "found only 0 of 2 working days in the 3667 days before 2027-01-01" in (
        problems[0].message
    )


def test_a_long_but_finite_holiday_is_crossed() -> None:
    # Holidays every day of 2027 (a rule with an UNTIL): the next working day is in 2028.
    work = WorkCalendar(holiday_rules=["DTSTART:20270101T000000\nRRULE:FREQ=DAILY;UNTIL=20271231"])
    assert work.add_working_days(D(2026, 12, 31), 1) == D(2028, 1, 3)  # Jan 1-2 2028: weekend


def test_adding_near_the_ends_of_time_answers_or_says_why() -> None:
    work = WorkCalendar()
    # 9999-12-31 is a Friday, so 9999-12-20 is a Monday with nine weekdays after it.
    assert work.add_working_days(D(9999, 12, 20), 5) == D(9999, 12, 27)
    assert work.add_working_days(D(9999, 12, 20), 9) == D.max
    assert problems_of(lambda: work.add_working_days(D(9999, 12, 20), 10)) == (
        Problem("$.count", "found only 9 of 10 working days between 9999-12-20 and 9999-12-31"),
    )
    # 0001-01-01 is a Monday: Wednesday 0001-01-10 has seven weekdays before it.
    assert work.add_working_days(D(1, 1, 10), -7) == D.min
    assert problems_of(lambda: work.add_working_days(D(1, 1, 10), -8)) == (
        Problem("$.count", "found only 7 of 8 working days between 0001-01-01 and 0001-01-10"),
    )
    assert work.next_working_day(D(9999, 12, 30)) == D.max
    assert problems_of(lambda: work.next_working_day(D.max))[0].path == "$.count"
    assert work.count_working_days(D(9999, 12, 20), D.max) == 9
