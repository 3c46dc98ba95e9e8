"""Status updates and check-in meetings, and the rules a recorded check-in must keep.

A [StatusUpdate][workplan_core.checkins.updates.StatusUpdate] is appended, never edited. A
correction is a new update that names the one it `corrects`: it takes the corrected update's
place from the day it was recorded on, so a report as of an earlier day still shows what was
known then.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterable

import attrs

from workplan_core.cascade.status import Status
from workplan_core.checkins.impediments import ImpedimentEvent, impediments_as_of
from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import record_type

__all__ = [
    "DEFAULT_AGENDA",
    "AgendaNote",
    "CheckIn",
    "OwnersOf",
    "StatusUpdate",
    "validate_checkin",
]

DEFAULT_AGENDA: tuple[str, ...] = (
    "progress on assigned tasks",
    "impediments",
    "help needed",
    "next steps",
)
"""The agenda sections of a check-in unless configured otherwise."""

OwnersOf = Callable[[str, dt.date], Collection[str]]
"""Given a node id and a date, the ids of the people accountable for the node on that date."""


@record_type("checkins.status_update")
@attrs.frozen
class StatusUpdate:
    """One appended record of a node's progress, status and confidence as of a date.

    Attributes:
        id: unique id.
        node_id: the node reported on.
        on: the day the update was given (a correction's own recording day).
        by: the person who gave it.
        status: the node's status.
        progress: fraction done in [0, 1], if reported.
        value: the current value of the node's metric, if it has one.
        confidence: 0–10, how sure the owner is of finishing on time.
        note: free text.
        checkin_id: the check-in it was given in, if any.
        corrects: the id of an earlier update this one corrects.
    """

    id: str
    node_id: str
    on: dt.date
    by: str
    status: Status
    progress: float | None = None
    value: float | None = None
    confidence: int | None = None
    note: str = ""
    checkin_id: str | None = None
    corrects: str | None = None


@record_type("checkins.agenda_note")
@attrs.frozen
class AgendaNote:
    """Notes taken under one agenda section of a check-in."""

    section: str
    text: str


@record_type("checkins.checkin")
@attrs.frozen
class CheckIn:
    """A short, regular meeting between a manager and a person or team.

    Attributes:
        id: unique id.
        on: the day it was held.
        manager_id: the manager who ran it.
        participants: the people checked in with.
        cadence_id: the cadence it belongs to, if any.
        agenda: the sections discussed, in order.
        notes: notes per agenda section.
        updates: status updates given, one per node discussed.
        impediments: impediment events recorded (raised, updated, escalated, resolved).
        acknowledged_on: when the manager acknowledged the record, if yet.
    """

    id: str
    on: dt.date
    manager_id: str
    participants: tuple[str, ...]
    cadence_id: str | None = None
    agenda: tuple[str, ...] = DEFAULT_AGENDA
    notes: tuple[AgendaNote, ...] = ()
    updates: tuple[StatusUpdate, ...] = ()
    impediments: tuple[ImpedimentEvent, ...] = ()
    acknowledged_on: dt.date | None = None


def _check_update(update: StatusUpdate, path: str, now: dt.date) -> Iterable[Problem]:
    if update.on > now:
        yield Problem(f"{path}.on", f"is in the future (now is {now})")
    if update.progress is not None and not (
        math.isfinite(update.progress) and 0.0 <= update.progress <= 1.0
    ):
        yield Problem(f"{path}.progress", "must be between 0 and 1")
    if update.value is not None and not math.isfinite(update.value):
        yield Problem(f"{path}.value", "must be a finite number")
    if update.confidence is not None and not 0 <= update.confidence <= 10:
        yield Problem(f"{path}.confidence", "must be between 0 and 10")


def _check_notes(checkin: CheckIn) -> Iterable[Problem]:
    for i, note in enumerate(checkin.notes):
        if note.section not in checkin.agenda:
            yield Problem(f"$.notes[{i}].section", f"{note.section!r} is not on the agenda")


def _check_impediments(checkin: CheckIn, history: list[ImpedimentEvent]) -> list[Problem]:
    try:
        impediments_as_of([*history, *checkin.impediments])
    except ValidationError as error:
        moved = []
        for problem in error.problems:
            index = int(problem.path[2 : problem.path.index("]")])
            rest = problem.path[problem.path.index("]") + 1 :]
            if index >= len(history):
                moved.append(
                    Problem(f"$.impediments[{index - len(history)}]{rest}", problem.message)
                )
        return moved
    return []


def validate_checkin(
    checkin: CheckIn,
    *,
    now: dt.date,
    owners_of: OwnersOf | None = None,
    known_update_ids: Collection[str] = (),
    allow_unowned: bool = False,
    impediment_history: Iterable[ImpedimentEvent] = (),
) -> None:
    """Check a check-in record before it is stored, reporting every problem at once.

    Args:
        checkin: the record.
        now: today, as the caller knows it (nothing here reads the clock).
        owners_of: who owns a node on a date (e.g. a cascade resolved through the
            organisation); when given, every update must be on a node a participant owns.
        known_update_ids: ids of updates already stored (for duplicates and corrections).
        allow_unowned: accept updates on nodes no participant owns.
        impediment_history: impediment events already stored, so that changes to unknown or
            resolved impediments are caught.

    Raises:
        ValidationError: listing every problem with its path.
    """
    problems: list[Problem] = []
    if checkin.on > now:
        problems.append(Problem("$.on", f"is in the future (now is {now})"))
    if not checkin.participants:
        problems.append(Problem("$.participants", "must name at least one person"))
    if checkin.acknowledged_on is not None and checkin.acknowledged_on < checkin.on:
        problems.append(Problem("$.acknowledged_on", "must not be before the check-in"))
    problems.extend(_check_notes(checkin))
    seen = set(known_update_ids)
    participants = set(checkin.participants)
    for i, update in enumerate(checkin.updates):
        path = f"$.updates[{i}]"
        if update.id in seen:
            problems.append(Problem(f"{path}.id", f"duplicate update id {update.id!r}"))
        if update.corrects is not None and update.corrects not in seen:
            problems.append(Problem(f"{path}.corrects", f"no earlier update {update.corrects!r}"))
        seen.add(update.id)
        problems.extend(_check_update(update, path, now))
        if update.checkin_id not in (None, checkin.id):
            problems.append(Problem(f"{path}.checkin_id", f"must be {checkin.id!r} or empty"))
        if owners_of is not None and not allow_unowned:
            owners = owners_of(update.node_id, update.on)
            if not participants.intersection(owners):
                problems.append(
                    Problem(
                        f"{path}.node_id",
                        f"no participant owns node {update.node_id!r} on {update.on}",
                    )
                )
    for i, event in enumerate(checkin.impediments):
        if event.on > now:
            problems.append(Problem(f"$.impediments[{i}].on", f"is in the future (now is {now})"))
    problems.extend(_check_impediments(checkin, list(impediment_history)))
    if problems:
        raise ValidationError(problems, summary=f"invalid check-in {checkin.id!r}")
