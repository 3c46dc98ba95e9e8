"""Recurring holiday rules recur continuously from one anchor, across year boundaries.

A rule used to be restarted on January 1 of every year, so an every-other-week rule lost its
rhythm at each new year and a rule with COUNT=1 happened once a year. Now each rule has one
anchor: its own DTSTART, else 0001-01-01 (a Monday, the first day Python dates know).

The dates below are checked by hand against a calendar.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st

from workplan_core import periods
from workplan_core.errors import Problem, ValidationError
from workplan_core.periods import Period, WorkCalendar

D = dt.date


def holidays_in(work: WorkCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays (Mon–Fri) of [start, end] that the calendar does not work."""
    return [
        day
        for day in Period(start, end).dates()
        if day.weekday() < 5 and not work.is_working_day(day)
    ]


def test_every_other_friday_keeps_its_rhythm_across_the_new_year() -> None:
    # 2028-12-15 is a Friday; every other Friday from it: Dec 15, Dec 29, Jan 12, Jan 26.
    work = WorkCalendar(
        holiday_rules=["DTSTART:20281215T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"]
    )
    assert holidays_in(work, D(2028, 12, 1), D(2029, 1, 31)) == [
        D(2028, 12, 15),
        D(2028, 12, 29),
        D(2029, 1, 12),
        D(2029, 1, 26),
    ]
    assert work.is_working_day(D(2029, 1, 5))  # one week after Dec 29: worked
    assert work.is_working_day(D(2028, 12, 1))  # before DTSTART: no holiday from the rule
    # 21 weekdays in Dec 2028 (Dec 1 is a Friday) less the holidays Dec 15 and Dec 29.
    assert work.count_working_days(D(2028, 12, 1), D(2029, 1, 1)) == 19
    assert work.add_working_days(D(2028, 12, 28), 1) == D(2029, 1, 1)


def test_without_dtstart_the_rhythm_counts_from_0001_01_01() -> None:
    # Weeks are counted from the week of Monday 0001-01-01 (week 0, whose Friday is a
    # holiday): 2028-12-22 is in week 105814 (a holiday), 2028-12-29 in week 105815 (worked),
    # 2029-01-05 in week 105816 (a holiday). Week k of a day = (day.toordinal() - 1) // 7.
    work = WorkCalendar(holiday_rules=["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"])
    assert holidays_in(work, D(2028, 12, 1), D(2029, 1, 31)) == [
        D(2028, 12, 8),
        D(2028, 12, 22),
        D(2029, 1, 5),
        D(2029, 1, 19),
    ]


def test_holidays_of_an_interval_rule_are_evenly_spaced_over_many_years() -> None:
    work = WorkCalendar(holiday_rules=["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"])
    off = holidays_in(work, D(2024, 1, 1), D(2033, 12, 31))
    assert len(off) > 250
    assert {(later - earlier).days for earlier, later in itertools.pairwise(off)} == {14}


def test_a_weekly_rule_without_a_day_keeps_the_anchors_weekday() -> None:
    # "FREQ=WEEKLY" repeats the weekday of its anchor: Monday for 0001-01-01. It used to take
    # the weekday of each January 1 (a Friday in 2027, a Saturday in 2028).
    work = WorkCalendar(holiday_rules=["FREQ=WEEKLY"])
    for year in (2027, 2028):
        off = holidays_in(work, D(year, 1, 1), D(year, 1, 31))
        assert {day.weekday() for day in off} == {0}


def test_count_counts_from_dtstart_once_not_once_a_year() -> None:
    # Christmas 2026 (a Friday) once: Christmas 2029 (a Tuesday) is worked again.
    work = WorkCalendar(
        holiday_rules=[
            "DTSTART:20261225T000000\nRRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=1"
        ]
    )
    assert not work.is_working_day(D(2026, 12, 25))
    assert work.is_working_day(D(2029, 12, 25))
    assert work.is_working_day(D(2025, 12, 25))  # Thursday, before DTSTART
    # Three occurrences: Dec 25 of 2026, 2027 (a Saturday anyway) and 2028 (a Monday).
    three = WorkCalendar(
        holiday_rules=[
            "DTSTART:20261225T000000\nRRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=3"
        ]
    )
    assert holidays_in(three, D(2026, 1, 1), D(2030, 12, 31)) == [D(2026, 12, 25), D(2028, 12, 25)]


def test_until_ends_a_rule() -> None:
    work = WorkCalendar(holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20281231"])
    assert not work.is_working_day(D(2026, 12, 25))
    assert not work.is_working_day(D(2028, 12, 25))
    assert work.is_working_day(D(2029, 12, 25))


def test_a_yearly_rule_without_dtstart_applies_in_every_year() -> None:
    work = WorkCalendar(holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"])
    assert not work.is_working_day(D(1, 12, 25))  # a Tuesday
    assert not work.is_working_day(D(1985, 12, 25))  # a Wednesday
    assert not work.is_working_day(D(9998, 12, 25))  # a Friday


def test_a_time_zone_on_dtstart_is_ignored() -> None:
    work = WorkCalendar(
        holiday_rules=["DTSTART:20261225T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"]
    )
    assert not work.is_working_day(D(2026, 12, 25))
    assert work.is_working_day(D(2025, 12, 25))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=1",
            "COUNT needs a DTSTART to count from (e.g. DTSTART:20270101T000000 on a line "
            "before the rule)",
        ),
        (
            "DTSTART:20261225T000000\nRRULE:FREQ=YEARLY;COUNT=2;UNTIL=20301231",
            "COUNT and UNTIL must not both be given",
        ),
    ],
)
def test_rules_whose_count_cannot_mean_what_it_says_are_refused(rule: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        WorkCalendar(holiday_rules=["FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", rule])
    assert info.value.problems == (Problem("$.holiday_rules[1]", message),)


_FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]


@st.composite
def anchored_rules(draw: st.DrawFn) -> str:
    """Rules with a DTSTART in 1995–2005 and the parts whose phase depends on it, some with an
    EXDATE (so a rule set)."""
    freq = draw(st.sampled_from(_FREQS))
    start = draw(st.datetimes(dt.datetime(1995, 1, 1), dt.datetime(2005, 12, 31)))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 5))}"]
    if freq in ("MONTHLY", "WEEKLY", "DAILY") and draw(st.booleans()):
        days = draw(
            st.lists(
                st.sampled_from(["MO", "TU", "WE", "TH", "FR"]), min_size=1, max_size=3, unique=True
            )
        )
        parts.append("BYDAY=" + ",".join(days))
    if freq == "YEARLY" and draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))};BYMONTHDAY={draw(st.integers(1, 28))}")
    if draw(st.booleans()):
        parts.append(f"UNTIL={draw(st.integers(2000, 2030))}1231")
    elif draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 400))}")
    text = f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:{';'.join(parts)}"
    if draw(st.booleans()):  # a rule set: one occurrence taken out (if it is one)
        day = draw(st.dates(dt.date(1996, 1, 1), dt.date(2035, 12, 31)))
        text += f"\nEXDATE:{dt.datetime.combine(day, start.time()):%Y%m%dT%H%M%S}"
    return text


@given(anchored_rules(), st.integers(1996, 2035))
def test_each_year_of_a_rule_matches_the_recurrence_run_from_its_anchor(
    rule: str, year: int
) -> None:
    """The quick per-year evaluation agrees with dateutil run from DTSTART onwards."""
    oracle = rrulestr(rule, ignoretz=True)
    expected = {
        d.date()
        for d in oracle.between(
            dt.datetime(year, 1, 1), dt.datetime(year, 12, 31, 23, 59, 59), inc=True
        )
    }
    work = WorkCalendar(weekend=frozenset(), holiday_rules=[rule])
    got = {d for d in Period(D(year, 1, 1), D(year, 12, 31)).dates() if not work.is_working_day(d)}
    assert got == expected


@st.composite
def unanchored_rules(draw: st.DrawFn) -> str:
    """Rules without DTSTART (so anchored at 0001-01-01) whose phase depends on the anchor."""
    freq = draw(st.sampled_from(_FREQS))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 5))}"]
    if freq in ("MONTHLY", "WEEKLY") and draw(st.booleans()):
        parts.append("BYDAY=" + draw(st.sampled_from(["MO", "WE", "FR", "SA"])))
    if draw(st.booleans()):
        parts.append(f"UNTIL={draw(st.integers(10, 60)):04d}0630")
    return ";".join(parts)


@given(unanchored_rules(), st.integers(2, 70))
def test_a_rule_without_dtstart_matches_the_recurrence_run_from_0001_01_01(
    rule: str, year: int
) -> None:
    oracle = rrulestr(rule, dtstart=dt.datetime(1, 1, 1))
    expected = {
        d.date()
        for d in oracle.between(
            dt.datetime(year, 1, 1), dt.datetime(year, 12, 31, 23, 59, 59), inc=True
        )
    }
    work = WorkCalendar(weekend=frozenset(), holiday_rules=[rule])
    got = {d for d in Period(D(year, 1, 1), D(year, 12, 31)).dates() if not work.is_working_day(d)}
    assert got == expected


RULES = [
    "DTSTART:20281215T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO",
    "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=13",
    "DTSTART:20200131T000000\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1",
    "FREQ=YEARLY;INTERVAL=3;BYMONTH=7;BYMONTHDAY=4",
    "DTSTART:20270104T000000\nRRULE:FREQ=DAILY;INTERVAL=9\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU",
]


@pytest.mark.parametrize("rule", RULES)
def test_rules_give_the_same_holidays_when_dateutil_keeps_its_parts_elsewhere(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting a rule near the year reads dateutil's own fields; without them, same dates."""
    start, end = D(2029, 1, 1), D(2031, 12, 31)
    expected = holidays_in(WorkCalendar(holiday_rules=[rule]), start, end)
    looked: list[object] = []

    def no_parts(obj: object) -> dict[str, object]:
        looked.append(obj)
        return {}

    monkeypatch.setattr(periods, "vars", no_parts, raising=False)
    periods._rule_dates.cache_clear()  # computed again, through the fallback
    try:
        assert holidays_in(WorkCalendar(holiday_rules=[rule]), start, end) == expected
    finally:
        periods._rule_dates.cache_clear()
    assert looked  # the shortcut was tried and fell back
    assert expected  # every rule has holidays in these years
