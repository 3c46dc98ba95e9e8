"""Performance evidence: what a person's check-in record shows over a period.

The review cycle reads this as one input among several; it is computed from the appended
records alone, so it can be recomputed for any past period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

import attrs

from workplan_core._arguments import check_arguments, records_of
from workplan_core.cascade.status import Status
from workplan_core.checkins.cadence import Cadence
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerKind
from workplan_core.periods import Period

__all__ = ["PerformanceEvidence", "performance_evidence"]


@attrs.frozen
class PerformanceEvidence:
    """A person's check-in record over a period.

    Attributes:
        person_id: whose record.
        period: the days covered.
        checkins_held: check-ins the person took part in (each check-in once, also when
            several are held on one day).
        checkins_missed: due dates of the person's cadences that no check-in of the
            cadence kept.
        updates_given: status updates the person gave, by the day given. A correction is
            not a new update and does not count (whoever records it); the update it
            corrects still counts once, for the person who gave it.
        impediments_raised: impediments the person raised.
        impediments_resolved: impediments the person raised that were resolved in the period.
        tasks_finished: the person's tasks first reported done in the period, with the
            corrections known on `as_of` applied (a corrected update's day counts).
        tasks_finished_on_time: of those, the ones done on or before their due date.
    """

    person_id: str
    period: Period
    checkins_held: int
    checkins_missed: int
    updates_given: int
    impediments_raised: int
    impediments_resolved: int
    tasks_finished: int
    tasks_finished_on_time: int

    @property
    def participation(self) -> float | None:
        """Held / (held + missed), or `None` when nothing was due."""
        due = self.checkins_held + self.checkins_missed
        return self.checkins_held / due if due else None

    @property
    def on_time_share(self) -> float | None:
        """Share of finished tasks finished on time, or `None` when none finished."""
        return self.tasks_finished_on_time / self.tasks_finished if self.tasks_finished else None


def _first_done(
    updates: Iterable[StatusUpdate], tasks: Mapping[str, dt.date]
) -> dict[str, dt.date]:
    """Per task, the first day a visible update says done, with every correction applied.

    `updates` are those known on the day the record is read. A correction takes the place
    of the update it corrects (directly or through other corrections); the latest one
    recorded wins (ties: the last given). A reading's day is that of the original update,
    so a correction to done counts from the day it corrects, and a done update corrected
    to something else does not count. Corrections of unknown updates (or of another node's)
    are ignored. O(n log n) for n updates of the tasks.
    """
    originals: dict[str, StatusUpdate] = {}
    corrections: list[StatusUpdate] = []
    for update in updates:
        if update.node_id in tasks:
            if update.corrects is None:
                originals.setdefault(update.id, update)
            else:
                corrections.append(update)
    root: dict[str, str] = {key: key for key in originals}
    status = {key: update.status for key, update in originals.items()}
    pending = sorted(corrections, key=lambda u: u.on)  # stable: ties keep the given order
    for fix in pending:  # a correction names an earlier one or an original
        target = root.get(fix.corrects or "")
        if target is not None and originals[target].node_id == fix.node_id:
            root.setdefault(fix.id, target)
            status[target] = fix.status
    first: dict[str, dt.date] = {}
    for key, update in originals.items():
        if status[key] is Status.DONE:
            seen = first.get(update.node_id)
            if seen is None or update.on < seen:
                first[update.node_id] = update.on
    return first


def _held_for(cadence: Cadence, meetings: list[CheckIn]) -> list[dt.date]:
    """Days of the meetings held for `cadence` (those naming it).

    An ad-hoc check-in (no cadence id) keeps no due date, as on dashboards and in
    escalations (see `CheckinLog.held`).
    """
    return [c.on for c in meetings if c.cadence_id == cadence.id]


def _missed(
    cadences: Iterable[Cadence],
    meetings: list[CheckIn],
    person_id: str,
    period: Period,
    as_of: dt.date,
) -> int:
    count = 0
    for cadence in cadences:
        if cadence.subject.kind is OwnerKind.PERSON and cadence.subject.id == person_id:
            held = _held_for(cadence, meetings)
            count += sum(1 for d in cadence.missed(held, as_of) if period.contains(d))
    return count


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Identified)

_SUMMARY = "invalid evidence arguments"


def _given(value: object, cls: type[R], name: str, problems: list[Problem]) -> list[R]:
    """The records of argument `name`, if an iterable of `cls` records (else noted)."""
    try:
        return records_of(value, cls, f"$.{name}", _SUMMARY)
    except ValidationError as error:
        problems += error.problems
        return []


def _once(
    found: Iterable[tuple[str, R]], kind: str, problems: list[Problem]
) -> list[tuple[str, R]]:
    """Each record once, by id, with the path it was first given at, in the order given.

    `found` holds ``(path, record)`` pairs. A record given again (equal in every field)
    counts once; a different record with an id already given is noted at its path, naming
    the first one's. O(n).
    """
    first: dict[str, tuple[str, R]] = {}
    for path, record in found:
        seen = first.setdefault(record.id, (path, record))
        if seen[1] is not record and seen[1] != record:
            problems.append(
                Problem(
                    f"{path}.id",
                    f"{kind} id {record.id!r} is given also at {seen[0]}, with other content",
                )
            )
    return list(first.values())


class _Records:
    """The records of one `performance_evidence` call, each once (see `_once`).

    The records a check-in carries are read from the first place of its id (a check-in
    given twice carries them once).
    """

    def __init__(
        self, checkins: object, cadences: object, updates: object, impediment_events: object
    ) -> None:
        problems: list[Problem] = []
        meetings = _given(checkins, CheckIn, "checkins", problems)
        plans = _given(cadences, Cadence, "cadences", problems)
        alone = _given(updates, StatusUpdate, "updates", problems)
        events = _given(impediment_events, ImpedimentEvent, "impediment_events", problems)
        if problems:
            raise ValidationError(problems, summary=_SUMMARY)
        held = _once(
            ((f"$.checkins[{i}]", c) for i, c in enumerate(meetings)), "check-in", problems
        )
        self.checkins = [c for _, c in held]
        self.cadences = [
            c
            for _, c in _once(
                ((f"$.cadences[{i}]", c) for i, c in enumerate(plans)), "cadence", problems
            )
        ]
        given_updates = [
            *((f"{at}.updates[{j}]", u) for at, c in held for j, u in enumerate(c.updates)),
            *((f"$.updates[{i}]", u) for i, u in enumerate(alone)),
        ]
        self.updates = [u for _, u in _once(given_updates, "status update", problems)]
        given_events = [
            *((f"{at}.impediments[{j}]", e) for at, c in held for j, e in enumerate(c.impediments)),
            *((f"$.impediment_events[{i}]", e) for i, e in enumerate(events)),
        ]
        self.events = [e for _, e in _once(given_events, "impediment event", problems)]
        if problems:
            raise ValidationError(problems, summary="conflicting evidence records")


def performance_evidence(
    person_id: str,
    period: Period,
    *,
    as_of: dt.date,
    checkins: Iterable[CheckIn],
    cadences: Iterable[Cadence] = (),
    updates: Iterable[StatusUpdate] = (),
    impediment_events: Iterable[ImpedimentEvent] = (),
    tasks: Mapping[str, dt.date] | None = None,
) -> PerformanceEvidence:
    """Summarise a person's check-in record over `period`, as known on `as_of`.

    Args:
        person_id: the person.
        period: the days to cover.
        as_of: the day the record is read (later records are ignored).
        checkins: check-in meetings; their own updates and impediment events count too.
        cadences: cadences, to count missed check-ins with the person.
        updates: status updates given outside check-ins.
        impediment_events: impediment events recorded outside check-ins.
        tasks: the person's tasks with their due dates, to count tasks finished (on time).

    Every record counts once, by id: a check-in, a cadence, a status update or an impediment
    event given twice (equal in every field), such as an update passed in `updates` and
    inside a check-in, counts once; check-ins count once each however many are held on a
    day. A due date of a cadence is kept only by a check-in that names the cadence
    (`cadence_id`), as on dashboards and in escalations; an ad-hoc check-in counts as held
    but keeps none. Corrections are applied as known on `as_of` (see `tasks_finished`) and
    are not updates given (see `updates_given`).

    O(n log n) in the number of records, plus the cadences' due dates.

    Raises:
        ValidationError: `person_id` is not a string, `period` not a `Period`, `as_of` not a
            date (a datetime is not), or `checkins`, `cadences`, `updates` or
            `impediment_events` not an iterable of their records (every such argument and
            item named at once); or two different records of one kind given with one id
            (``$.updates[0].id: status update id 'u1' is given also at
            $.checkins[0].updates[0], with other content``), each such pair named.
    """
    check_arguments(
        _SUMMARY,
        person_id=(person_id, str),
        period=(period, Period),
        as_of=(as_of, dt.date),
    )
    records = _Records(checkins, cadences, updates, impediment_events)
    meetings = [c for c in records.checkins if c.on <= as_of]
    all_updates = [u for u in records.updates if u.on <= as_of]
    events = [e for e in records.events if e.on <= as_of]
    held = [c.on for c in meetings if person_id in c.participants]
    raised_ids = {
        e.impediment_id for e in events if e.action is ImpedimentAction.RAISED and e.by == person_id
    }
    due = tasks or {}
    finished = {
        node: on for node, on in _first_done(all_updates, due).items() if period.contains(on)
    }
    return PerformanceEvidence(
        person_id=person_id,
        period=period,
        checkins_held=sum(1 for d in held if period.contains(d)),
        checkins_missed=_missed(records.cadences, meetings, person_id, period, as_of),
        updates_given=sum(
            1
            for u in all_updates
            if u.corrects is None and u.by == person_id and period.contains(u.on)
        ),
        impediments_raised=sum(
            1
            for e in events
            if e.action is ImpedimentAction.RAISED and e.by == person_id and period.contains(e.on)
        ),
        impediments_resolved=sum(
            1
            for e in events
            if e.action is ImpedimentAction.RESOLVED
            and e.impediment_id in raised_ids
            and period.contains(e.on)
        ),
        tasks_finished=len(finished),
        tasks_finished_on_time=sum(1 for node, on in finished.items() if on <= due[node]),
    )
