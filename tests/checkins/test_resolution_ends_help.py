"""Resolving an impediment ends its help request in the fold, as `help_after` says."""

from __future__ import annotations

import datetime as dt

from _checkin_records import raised
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.checkins import (
    CheckinLog,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    impediments_as_of,
)
from workplan_core.checkins.impediments import ImpedimentHistory, help_after

D = dt.date
A = ImpedimentAction

ASKED = raised(D(2027, 1, 4), Severity.HIGH, help_from="omar")  # e1 on imp1, node t1
RESOLVED = ImpedimentEvent("e2", "imp1", A.RESOLVED, D(2027, 1, 18), "anna", description="fixed")


def test_a_resolved_impediment_asks_no_one_and_keeps_who_was_asked_in_its_events() -> None:
    events = [ASKED, RESOLVED]
    log = CheckinLog.from_records(impediment_events=events)
    history = ImpedimentHistory(events)
    before = impediments_as_of(events, D(2027, 1, 17))["imp1"]
    assert (before.help_from, before.help_asked_on) == ("omar", D(2027, 1, 4))
    for folded in (
        impediments_as_of(events)["imp1"],
        history.at(D(2027, 1, 18)),
        log.impediment("imp1", D(2027, 1, 30)),
        *log.impediments_of("t1", D(2027, 1, 30)),
        *log.all_impediments(D(2027, 1, 30)),
    ):
        assert folded is not None
        assert not folded.is_open
        assert (folded.help_from, folded.help_asked_on, folded.requests_help) == (
            None,
            None,
            False,
        )
        assert folded.events[0].help_from == "omar"


@st.composite
def _history(draw: st.DrawFn) -> list[ImpedimentEvent]:
    """A consistent history: a raise, updates and escalations, perhaps a resolution last."""
    helper = draw(st.none() | st.sampled_from(["omar", "chen"]))
    day = D(2027, 1, 4)
    events = [raised(day, Severity.LOW, help_from=helper)]
    for i in range(draw(st.integers(0, 5))):
        day += dt.timedelta(days=draw(st.integers(0, 4)))
        step = draw(st.sampled_from(["ask", "withdraw", "plain", "escalate"]))
        if step == "escalate":
            event = ImpedimentEvent(f"u{i}", "imp1", A.ESCALATED, day, "anna", escalated_to="maria")
        elif step == "withdraw" and helper is not None:
            event = ImpedimentEvent(f"u{i}", "imp1", A.UPDATED, day, "anna", withdraws_help=True)
            helper = None
        else:
            asks = draw(st.sampled_from(["dana", "lee"])) if step == "ask" else None
            event = ImpedimentEvent(f"u{i}", "imp1", A.UPDATED, day, "anna", help_from=asks)
            helper = asks or helper
        events.append(event)
    if draw(st.booleans()):
        day += dt.timedelta(days=draw(st.integers(0, 4)))
        events.append(ImpedimentEvent("r", "imp1", A.RESOLVED, day, "anna", description="done"))
    return events


@given(_history(), st.integers(0, 30))
def test_the_fold_asks_whom_help_after_says_on_every_day(
    events: list[ImpedimentEvent], offset: int
) -> None:
    as_of = D(2027, 1, 4) + dt.timedelta(days=offset)
    folded = impediments_as_of(events, as_of)["imp1"]
    assert ImpedimentHistory(events).at(as_of) == folded
    helper: str | None = None
    asked: dt.date | None = None
    for event in folded.events:
        helper, asked = help_after(event, helper, asked)
    assert (folded.help_from, folded.help_asked_on) == (helper, asked)
    assert folded.requests_help == (folded.help_from is not None)
    if not folded.is_open:
        assert (folded.help_from, folded.help_asked_on) == (None, None)
