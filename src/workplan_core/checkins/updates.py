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
from typing import Any

import attrs

from workplan_core._arguments import check_arguments, records_of
from workplan_core._fields import (
    Check,
    field_problems,
    is_day,
    is_optional_day,
    is_optional_number,
    is_optional_text,
    is_optional_whole,
    is_text,
    items_problems,
    of_type,
)
from workplan_core.cascade.status import Status
from workplan_core.checkins.impediments import (
    ImpedimentEvent,
    event_problems,
    fold_events,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import record_type, register_upcaster

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


_UPDATE_FIELDS: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("node_id", is_text, "a string"),
    ("on", is_day, "a date"),
    ("by", is_text, "a string"),
    ("status", of_type(Status), "a Status"),
    ("progress", is_optional_number, "a number (an int or a float) or None"),
    ("value", is_optional_number, "a number (an int or a float) or None"),
    ("confidence", is_optional_whole, "an integer or None"),
    ("note", is_text, "a string"),
    ("checkin_id", is_optional_text, "a string or None"),
    ("corrects", is_optional_text, "a string or None"),
)


def update_problems(update: StatusUpdate, prefix: str = "$") -> list[Problem]:
    """Every field of `update` of the wrong type, in field order, under `prefix`. O(fields)."""
    return field_problems(update, _UPDATE_FIELDS, prefix)


def _check_update_types(update: StatusUpdate, _: object, corrects: str | None) -> None:
    """Refuse an update any of whose fields has the wrong type, naming every such field.

    Runs for every update made (millions at ingest), so the common case is one chain of
    exact type tests; ranges are `validate_checkin`'s.
    """
    progress, confidence, checkin_id = update.progress, update.confidence, update.checkin_id
    if (
        type(update.id) is str
        and type(update.node_id) is str
        and type(update.on) is dt.date
        and type(update.by) is str
        and type(update.status) is Status
        and (progress is None or type(progress) is float)
        and update.value is None
        and (confidence is None or type(confidence) is int)
        and type(update.note) is str
        and (checkin_id is None or type(checkin_id) is str)
        and (corrects is None or type(corrects) is str)
    ):
        return
    problems = update_problems(update)
    if problems:
        raise ValidationError(problems, summary="invalid status update")


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

    Raises:
        ValidationError: listing every field of the wrong type (values are not converted:
            a status given as a string, a datetime for `on`, a bool or a string for a
            number, a float confidence are refused); ranges are checked by
            [validate_checkin][workplan_core.checkins.updates.validate_checkin].
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
    corrects: str | None = attrs.field(default=None, validator=_check_update_types)


def _check_note(note: AgendaNote, _: object, text: str) -> None:
    if type(note.section) is str and type(text) is str:
        return
    problems = field_problems(
        note, (("section", is_text, "a string"), ("text", is_text, "a string"))
    )
    raise ValidationError(problems, summary="invalid agenda note")


@record_type("checkins.agenda_note")
@attrs.frozen
class AgendaNote:
    """Notes taken under one agenda section of a check-in.

    Raises:
        ValidationError: the section or the text is not a string.
    """

    section: str
    text: str = attrs.field(validator=_check_note)


_CHECKIN_HEAD: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("on", is_day, "a date"),
    ("manager_id", is_text, "a string"),
)
_CADENCE_ID: tuple[Check, ...] = (("cadence_id", is_optional_text, "a string or None"),)
_ACKNOWLEDGED_ON: tuple[Check, ...] = (("acknowledged_on", is_optional_day, "a date or None"),)


def checkin_problems(checkin: CheckIn) -> list[Problem]:
    """Every field and tuple item of `checkin` of the wrong type, in field order. O(items)."""
    c = checkin
    return [
        *field_problems(c, _CHECKIN_HEAD),
        *items_problems("$.participants", c.participants, str, "a string"),
        *field_problems(c, _CADENCE_ID),
        *items_problems("$.agenda", c.agenda, str, "a string"),
        *items_problems("$.notes", c.notes, AgendaNote, "an AgendaNote"),
        *items_problems("$.updates", c.updates, StatusUpdate, "a StatusUpdate"),
        *items_problems("$.impediments", c.impediments, ImpedimentEvent, "an ImpedimentEvent"),
        *field_problems(c, _ACKNOWLEDGED_ON),
    ]


def _all_of(items: tuple[object, ...], kind: type) -> bool:
    return not items or all(type(item) is kind for item in items)


def _check_checkin_types(checkin: CheckIn, _: object, acknowledged_on: dt.date | None) -> None:
    """Refuse a check-in any of whose fields or tuple items has the wrong type."""
    participants, agenda, notes = checkin.participants, checkin.agenda, checkin.notes
    updates, events, cadence_id = checkin.updates, checkin.impediments, checkin.cadence_id
    if (
        type(checkin.id) is str
        and type(checkin.on) is dt.date
        and type(checkin.manager_id) is str
        and (cadence_id is None or type(cadence_id) is str)
        and (acknowledged_on is None or type(acknowledged_on) is dt.date)
        and type(participants) is tuple
        and type(agenda) is tuple
        and type(notes) is tuple
        and type(updates) is tuple
        and type(events) is tuple
        and _all_of(participants, str)
        and (agenda is DEFAULT_AGENDA or _all_of(agenda, str))
        and _all_of(notes, AgendaNote)
        and _all_of(updates, StatusUpdate)
        and _all_of(events, ImpedimentEvent)
    ):
        return
    problems = checkin_problems(checkin)
    if problems:
        raise ValidationError(problems, summary="invalid check-in")


@record_type("checkins.checkin", version=2)
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

    Raises:
        ValidationError: listing every field and tuple item of the wrong type (e.g.
            participants given as one string rather than a tuple of strings); the rules a
            recorded check-in must keep are checked by
            [validate_checkin][workplan_core.checkins.updates.validate_checkin].
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
    acknowledged_on: dt.date | None = attrs.field(default=None, validator=_check_checkin_types)


@register_upcaster("checkins.checkin", 1)
def _checkin_v1_to_v2(body: dict[str, Any]) -> dict[str, Any]:
    """Version 1 check-ins carry version 1 impediment events: none withdraws a help request.

    Anything that is not a list of objects is left for structuring to report.
    """
    events = body.get("impediments")
    if not isinstance(events, list):
        return body
    upcast = [{**e, "withdraws_help": False} if isinstance(e, dict) else e for e in events]
    return {**body, "impediments": upcast}


def _type_problems(checkin: CheckIn) -> list[Problem]:
    """Every value of the wrong type in a check-in and its updates and impediment events.

    Records refuse these when made; this finds those made with validators disabled.
    """
    problems = checkin_problems(checkin)
    if type(checkin.updates) is tuple:
        for i, update in enumerate(checkin.updates):
            if type(update) is StatusUpdate:
                problems += update_problems(update, f"$.updates[{i}]")
    if type(checkin.impediments) is tuple:
        for i, event in enumerate(checkin.impediments):
            if type(event) is ImpedimentEvent:
                problems += event_problems(event, f"$.impediments[{i}]")
    return problems


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


def _check_impediments(checkin: CheckIn, stored: list[ImpedimentEvent]) -> list[Problem]:
    """The problems the check-in's impediment events make, folded after the `stored` ones.

    Folded with the stored events, whose own problems are not the check-in's (and whose ids
    are theirs: a check-in event reusing one is the duplicate, whatever its day); each event
    of the check-in is reported at its path in the record (``$.impediments[j]…``).
    """
    paths: list[str | None] = [None] * len(stored)
    paths += (f"$.impediments[{j}]" for j in range(len(checkin.impediments)))
    return fold_events([*stored, *checkin.impediments], paths).problems


def _updates_problems(
    checkin: CheckIn,
    now: dt.date,
    owners_of: OwnersOf | None,
    known_update_ids: Collection[str],
    allow_unowned: bool,
) -> list[Problem]:
    """The problems of the check-in's updates, in order (see `validate_checkin`)."""
    problems: list[Problem] = []
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
    return problems


def _arguments(  # noqa: PLR0917 - the arguments of validate_checkin, in order
    checkin: object,
    now: object,
    owners_of: object,
    known_update_ids: object,
    allow_unowned: object,
    impediment_history: object,
) -> list[ImpedimentEvent]:
    """The stored impediment events, once every argument of `validate_checkin` is checked.

    Raises:
        ValidationError: naming every argument of the wrong kind at once.
    """
    summary = "invalid check-in arguments"
    problems: list[Problem] = []
    history: list[ImpedimentEvent] = []
    try:
        check_arguments(
            summary,
            checkin=(checkin, CheckIn),
            now=(now, dt.date),
            allow_unowned=(allow_unowned, bool),
        )
    except ValidationError as error:
        problems += error.problems
    if owners_of is not None and not callable(owners_of):
        rule = f"must be a function of (node id, day) or None, got {type(owners_of).__name__}"
        problems.append(Problem("$.owners_of", rule))
    if isinstance(known_update_ids, str | bytes) or not isinstance(known_update_ids, Collection):
        rule = "must be a collection of update ids (a set, a list; one id as a string is not)"
        problems.append(
            Problem("$.known_update_ids", f"{rule}, got {type(known_update_ids).__name__}")
        )
    try:
        history = records_of(impediment_history, ImpedimentEvent, "$.impediment_history", summary)
    except ValidationError as error:
        problems += error.problems
    if problems:
        raise ValidationError(problems, summary=summary)
    return history


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
        impediment_history: impediment events already stored (an iterable of
            `ImpedimentEvent` records), so that changes to unknown or resolved impediments,
            and reused event ids, are caught.

    Raises:
        ValidationError: listing every problem with its path; `checkin` not a `CheckIn`,
            `now` not a date (a datetime is not), `owners_of` not callable,
            `known_update_ids` not a collection (a string is not), `allow_unowned` not a
            bool, or `impediment_history` not an iterable of impediment events
            (``$.impediment_history``; a string is not, and every other item is named at
            ``$.impediment_history[i]``), all named at once; values of the wrong type in a
            record made with validators disabled (then only those are listed: the rules
            need the types).
    """
    stored = _arguments(
        checkin, now, owners_of, known_update_ids, allow_unowned, impediment_history
    )
    problems = _type_problems(checkin)
    if problems:
        raise ValidationError(problems, summary=f"invalid check-in {checkin.id!r}")
    if checkin.on > now:
        problems.append(Problem("$.on", f"is in the future (now is {now})"))
    if not checkin.participants:
        problems.append(Problem("$.participants", "must name at least one person"))
    if checkin.acknowledged_on is not None and checkin.acknowledged_on < checkin.on:
        problems.append(Problem("$.acknowledged_on", "must not be before the check-in"))
    problems.extend(_check_notes(checkin))
    problems += _updates_problems(checkin, now, owners_of, known_update_ids, allow_unowned)
    for i, event in enumerate(checkin.impediments):
        if event.on > now:
            problems.append(Problem(f"$.impediments[{i}].on", f"is in the future (now is {now})"))
    problems.extend(_check_impediments(checkin, stored))
    if problems:
        raise ValidationError(problems, summary=f"invalid check-in {checkin.id!r}")
