"""Strategies for check-in records: cadences, updates, impediment events, check-ins."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import strategies as st

from workplan_core.cascade.status import Status
from workplan_core.checkins import (
    AgendaNote,
    Cadence,
    CheckIn,
    Escalation,
    EscalationReason,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    Weekday,
    fortnightly,
    monthly,
    weekly,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.testing.strategies._registry import register_strategy

__all__ = [
    "agenda_notes",
    "cadences",
    "checkins",
    "escalations",
    "impediment_events",
    "status_updates",
]


def _ids() -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10)


def _dates() -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))


@st.composite
def cadences(draw: st.DrawFn) -> Cadence:
    """Valid cadences: weekly, fortnightly or monthly, with a person or a team."""
    day = draw(st.sampled_from(Weekday))
    rule = draw(st.sampled_from([weekly(day), fortnightly(day), monthly(day, 1), monthly(day, -1)]))
    start = draw(_dates())
    end = draw(st.none() | st.integers(0, 400).map(lambda n: start + dt.timedelta(days=n)))
    kind = draw(st.sampled_from([OwnerKind.PERSON, OwnerKind.TEAM]))
    return Cadence(
        draw(_ids()),
        draw(_ids()),
        OwnerRef(kind, draw(_ids())),
        rule,
        start,
        grace_days=draw(st.integers(0, 5)),
        end=end,
    )


def status_updates() -> st.SearchStrategy[StatusUpdate]:
    """Status updates with in-range progress and confidence."""
    return st.builds(
        StatusUpdate,
        id=_ids(),
        node_id=_ids(),
        on=_dates(),
        by=_ids(),
        status=st.sampled_from(Status),
        progress=st.none() | st.floats(0, 1),
        value=st.none() | st.floats(-1e9, 1e9),
        confidence=st.none() | st.integers(0, 10),
        note=st.text(max_size=30),
        checkin_id=st.none() | _ids(),
        corrects=st.none() | _ids(),
    )


def impediment_events() -> st.SearchStrategy[ImpedimentEvent]:
    """Impediment events of every action, with every field drawn.

    Records, not histories: not every one keeps the lifecycle rules (a withdrawal on a raise).
    """
    return st.builds(
        ImpedimentEvent,
        id=_ids(),
        impediment_id=_ids(),
        action=st.sampled_from(ImpedimentAction),
        on=_dates(),
        by=_ids(),
        node_id=st.none() | _ids(),
        description=st.text(max_size=30),
        severity=st.none() | st.sampled_from(Severity),
        help_from=st.none() | _ids(),
        escalated_to=st.none() | _ids(),
        checkin_id=st.none() | _ids(),
        withdraws_help=st.booleans(),
    )


def agenda_notes() -> st.SearchStrategy[AgendaNote]:
    """Notes under an agenda section."""
    return st.builds(AgendaNote, section=st.text(max_size=20), text=st.text(max_size=40))


def checkins() -> st.SearchStrategy[CheckIn]:
    """Check-in records carrying a few updates, notes and impediment events."""
    return st.builds(
        CheckIn,
        id=_ids(),
        on=_dates(),
        manager_id=_ids(),
        participants=st.lists(_ids(), min_size=1, max_size=3).map(tuple),
        cadence_id=st.none() | _ids(),
        notes=st.lists(agenda_notes(), max_size=2).map(tuple),
        updates=st.lists(status_updates(), max_size=3).map(tuple),
        impediments=st.lists(impediment_events(), max_size=2).map(tuple),
        acknowledged_on=st.none() | _dates(),
    )


def escalations() -> st.SearchStrategy[Escalation]:
    """Escalation records."""
    return st.builds(
        Escalation,
        id=_ids(),
        on=_dates(),
        reason=st.sampled_from(EscalationReason),
        subject_id=_ids(),
        escalate_to=st.none() | _ids(),
        since=_dates(),
        detail=st.text(max_size=40),
    )


register_strategy(Cadence, cadences())
register_strategy(StatusUpdate, status_updates())
register_strategy(ImpedimentEvent, impediment_events())
register_strategy(AgendaNote, agenda_notes())
register_strategy(CheckIn, checkins())
register_strategy(Escalation, escalations())
