"""Strategies for check-in records: cadences and impediment events."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import strategies as st

from workplan_core.checkins import (
    Cadence,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    Weekday,
    fortnightly,
    monthly,
    weekly,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.testing.strategies._registry import register_strategy

__all__ = ["cadences", "impediment_events"]


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


def impediment_events() -> st.SearchStrategy[ImpedimentEvent]:
    """Impediment events of every action."""
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
    )


register_strategy(Cadence, cadences())
register_strategy(ImpedimentEvent, impediment_events())
