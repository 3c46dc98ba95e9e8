"""Cadences: due dates from recurrence rules, kept and missed check-ins."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.checkins.cadence import Cadence, Weekday, fortnightly, monthly, weekly
from workplan_core.errors import ValidationError
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.serialization import dump_record, load_record

D = dt.date
ANNA = OwnerRef(OwnerKind.PERSON, "anna")
JAN_4 = D(2027, 1, 4)


def make(rule: str, start: dt.date = JAN_4, grace: int = 2) -> Cadence:
    return Cadence("c1", "maria", ANNA, rule, start, grace_days=grace)


def test_weekly_on_monday() -> None:
    cadence = make(weekly(Weekday.MONDAY))
    assert cadence.due_dates(D(2027, 1, 1), D(2027, 1, 31)) == (
        D(2027, 1, 4),
        D(2027, 1, 11),
        D(2027, 1, 18),
        D(2027, 1, 25),
    )
    assert cadence.interval_days == 7


def test_fortnightly_is_anchored_at_the_start() -> None:
    cadence = make(fortnightly(Weekday.THURSDAY), start=D(2027, 1, 4))
    assert cadence.due_dates(D(2027, 1, 1), D(2027, 2, 28)) == (
        D(2027, 1, 7),
        D(2027, 1, 21),
        D(2027, 2, 4),
        D(2027, 2, 18),
    )
    assert cadence.interval_days == 14


def test_monthly_on_the_first_tuesday_and_last_friday() -> None:
    first_tuesday = make(monthly(Weekday.TUESDAY), start=D(2027, 1, 1))
    assert first_tuesday.due_dates(D(2027, 1, 1), D(2027, 3, 31)) == (
        D(2027, 1, 5),
        D(2027, 2, 2),
        D(2027, 3, 2),
    )
    last_friday = make(monthly(Weekday.FRIDAY, -1), start=D(2027, 1, 1))
    assert last_friday.due_dates(D(2027, 1, 1), D(2027, 2, 28)) == (D(2027, 1, 29), D(2027, 2, 26))


def test_kept_and_missed_with_grace() -> None:
    cadence = make(weekly(Weekday.MONDAY))
    held = [D(2027, 1, 5), D(2027, 1, 15), D(2027, 1, 25)]
    # Jan 4 kept by Jan 5 (1 day late); Jan 15 is 3 days before Jan 18 (grace 2) -> keeps nothing.
    assert cadence.kept(held, D(2027, 2, 1)) == {
        D(2027, 1, 4): D(2027, 1, 5),
        D(2027, 1, 25): D(2027, 1, 25),
    }
    assert cadence.missed(held, D(2027, 2, 1)) == (D(2027, 1, 11), D(2027, 1, 18))
    # Feb 1 is due but still inside its grace period on Feb 2: not missed yet.
    assert cadence.missed(held, D(2027, 2, 3)) == (D(2027, 1, 11), D(2027, 1, 18))
    assert cadence.missed(held, D(2027, 2, 4)) == (D(2027, 1, 11), D(2027, 1, 18), D(2027, 2, 1))


def test_one_meeting_keeps_one_due_date() -> None:
    daily_ish = make("FREQ=DAILY", grace=3)
    kept = daily_ish.kept([D(2027, 1, 5)], D(2027, 1, 10))
    assert kept == {D(2027, 1, 4): D(2027, 1, 5)}


def test_end_date_clips_due_dates() -> None:
    cadence = Cadence("c", "m", ANNA, weekly(Weekday.MONDAY), D(2027, 1, 4), end=D(2027, 1, 12))
    assert cadence.due_dates(D(2026, 1, 1), D(2028, 1, 1)) == (D(2027, 1, 4), D(2027, 1, 11))


def test_every_problem_is_reported() -> None:
    with pytest.raises(ValidationError) as info:
        Cadence(
            "",
            "m",
            OwnerRef(OwnerKind.DEPARTMENT, "d"),
            "FREQ=NEVER",
            D(2027, 1, 4),
            grace_days=-1,
            end=D(2027, 1, 1),
        )
    assert [p.path for p in info.value.problems] == [
        "$.id",
        "$.subject.kind",
        "$.grace_days",
        "$.end",
        "$.rule",
    ]
    with pytest.raises(ValidationError, match="nth"):
        monthly(Weekday.MONDAY, 0)


def test_round_trip() -> None:
    cadence = make(monthly(Weekday.TUESDAY, 2))
    assert load_record(dump_record(cadence), Cadence) == cadence


@given(
    st.sampled_from(Weekday),
    st.dates(D(2026, 1, 1), D(2028, 1, 1)),
    st.lists(st.dates(D(2026, 1, 1), D(2028, 6, 1)), max_size=40),
    st.dates(D(2026, 1, 1), D(2028, 6, 1)),
    st.integers(0, 3),
)
def test_kept_and_missed_partition_the_closed_due_dates(
    day: Weekday, start: dt.date, held: list[dt.date], as_of: dt.date, grace: int
) -> None:
    cadence = make(weekly(day), start=start, grace=grace)
    kept = cadence.kept(held, as_of)
    missed = set(cadence.missed(held, as_of))
    closed = set(cadence.due_dates(start, as_of - dt.timedelta(days=grace + 1)))
    assert missed <= closed
    assert closed <= missed | set(kept)
    assert not missed & set(kept)
    assert len(set(kept.values())) == len(kept)  # one meeting keeps one due date
    for due, meeting in kept.items():
        assert abs((meeting - due).days) <= grace
        assert meeting <= as_of


def test_missed_runs_group_consecutive_misses() -> None:
    cadence = make(weekly(Weekday.MONDAY), grace=1)
    # due Jan 4, 11, 18, 25, Feb 1, 8; kept Jan 4 and Jan 25 -> runs (11, 18) and (1, 8)
    held = [D(2027, 1, 4), D(2027, 1, 25)]
    assert cadence.closed_due_dates(D(2027, 2, 10)) == (
        D(2027, 1, 4),
        D(2027, 1, 11),
        D(2027, 1, 18),
        D(2027, 1, 25),
        D(2027, 2, 1),
        D(2027, 2, 8),
    )
    assert cadence.missed_runs(held, D(2027, 2, 10)) == (
        (D(2027, 1, 11), D(2027, 1, 18)),
        (D(2027, 2, 1), D(2027, 2, 8)),
    )
    # Feb 8 is still inside its grace period on Feb 9
    assert cadence.missed_runs(held, D(2027, 2, 9))[-1] == (D(2027, 2, 1),)
