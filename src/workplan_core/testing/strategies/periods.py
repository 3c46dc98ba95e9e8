"""Strategies for periods and calendars."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from workplan_core.periods import (
    FiscalCalendar,
    FiscalPeriod,
    Granularity,
    Labelling,
    Period,
    WorkCalendar,
)
from workplan_core.testing.strategies._registry import register_strategy

__all__ = ["dates", "fiscal_calendars", "fiscal_periods", "periods", "work_calendars"]

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def dates(
    min_value: dt.date = dt.date(1990, 1, 1), max_value: dt.date = dt.date(2100, 12, 31)
) -> st.SearchStrategy[dt.date]:
    """Dates in a range wide enough for any plan and narrow enough for fiscal arithmetic."""
    return st.dates(min_value=min_value, max_value=max_value)


@st.composite
def periods(draw: st.DrawFn, max_days: int = 3 * 366) -> Period:
    """Valid periods of 1 to `max_days` days."""
    start = draw(dates())
    length = draw(st.integers(min_value=0, max_value=max_days - 1))
    return Period(start, start + dt.timedelta(days=length))


@st.composite
def fiscal_calendars(draw: st.DrawFn) -> FiscalCalendar:
    """Fiscal calendars with any valid start month and day and either labelling."""
    month = draw(st.integers(min_value=1, max_value=12))
    day = draw(st.integers(min_value=1, max_value=_DAYS_IN_MONTH[month - 1]))
    return FiscalCalendar(month, day, draw(st.sampled_from(Labelling)))


@st.composite
def fiscal_periods(draw: st.DrawFn, calendar: FiscalCalendar | None = None) -> FiscalPeriod:
    """Years, halves and quarters of a (drawn or given) fiscal calendar."""
    cal = calendar if calendar is not None else draw(fiscal_calendars())
    granularity = draw(st.sampled_from(Granularity))
    year = draw(st.integers(min_value=1991, max_value=2099))
    index = draw(st.integers(min_value=1, max_value=granularity.parts))
    return cal.parts(year, granularity)[index - 1]


_RULES = (
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
    "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
    "FREQ=YEARLY;BYMONTH=11;BYDAY=+4TH",
)


@st.composite
def work_calendars(draw: st.DrawFn) -> WorkCalendar:
    """Work calendars with 0–2 weekend days, a few holidays and some recurring rules."""
    weekend = draw(st.frozensets(st.integers(min_value=0, max_value=6), max_size=2))
    holidays = draw(st.frozensets(dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), max_size=8))
    rules = draw(st.lists(st.sampled_from(_RULES), max_size=2, unique=True))
    return WorkCalendar(weekend, holidays, tuple(rules))


register_strategy(Period, periods())
register_strategy(FiscalCalendar, fiscal_calendars())
register_strategy(FiscalPeriod, fiscal_periods())
register_strategy(WorkCalendar, work_calendars())
