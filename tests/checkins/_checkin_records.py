"""Check-in records the tests build alike: maria meets anna on Mondays from 2027-01-04.

Outside this folder import it as `checkins._checkin_records`.
"""

from __future__ import annotations

import datetime as dt

from workplan_core.checkins import (
    AgendaNote,
    Cadence,
    CheckIn,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    Weekday,
    weekly,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Period

D = dt.date
Q = Period(D(2027, 1, 1), D(2027, 3, 31))
FIRST_MONDAY = D(2027, 1, 4)


def person(pid: str) -> OwnerRef:
    return OwnerRef(OwnerKind.PERSON, pid)


ANNA = person("anna")


def monday_cadence(cadence_id: str, pid: str = "anna", *, grace_days: int = 1) -> Cadence:
    """maria's weekly Monday check-ins with `pid` from the first Monday."""
    return Cadence(
        cadence_id,
        "maria",
        person(pid),
        weekly(Weekday.MONDAY),
        FIRST_MONDAY,
        grace_days=grace_days,
    )


def maria_checkin(
    checkin_id: str,
    on: dt.date,
    cadence_id: str | None = None,
    participants: tuple[str, ...] = ("anna",),
    *,
    notes: tuple[AgendaNote, ...] = (),
    updates: tuple[StatusUpdate, ...] = (),
    impediments: tuple[ImpedimentEvent, ...] = (),
) -> CheckIn:
    """A check-in maria holds with anna (or `participants`)."""
    return CheckIn(
        checkin_id,
        on,
        "maria",
        participants,
        cadence_id,
        notes=notes,
        updates=updates,
        impediments=impediments,
    )


def raised(
    on: dt.date,
    severity: Severity,
    impediment_id: str = "imp1",
    *,
    description: str = "",
    help_from: str | None = None,
    checkin_id: str | None = None,
) -> ImpedimentEvent:
    """Event e1: anna raises an impediment on task t1."""
    return ImpedimentEvent(
        "e1",
        impediment_id,
        ImpedimentAction.RAISED,
        on,
        "anna",
        node_id="t1",
        description=description,
        severity=severity,
        help_from=help_from,
        checkin_id=checkin_id,
    )
