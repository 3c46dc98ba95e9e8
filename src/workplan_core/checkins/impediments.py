"""Impediments: what blocks a node, raised in a check-in, perhaps asking for help, resolved later.

History is appended, never edited: an impediment is the fold of its
[ImpedimentEvent][workplan_core.checkins.impediments.ImpedimentEvent] records (raised, updated,
escalated, resolved). [impediments_as_of][workplan_core.checkins.impediments.impediments_as_of]
replays the events up to a date and reports every inconsistency at once.

Help is asked for when the impediment is raised or by a later update (`help_from`); an update
may turn the request to someone else (`help_from`) or withdraw it (`withdraws_help=True`), and
a later update may ask again. Resolving the impediment ends any request: the resolved
impediment's `help_from` and `help_asked_on` are `None`, and who was asked stays in its events.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterable, Sequence, Set
from typing import Any, NamedTuple

import attrs

from workplan_core._arguments import check_arguments, records_of
from workplan_core._fields import (
    Check,
    field_problems,
    is_day,
    is_optional_text,
    is_text,
    of_type,
    wrong,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import record_type, register_upcaster

__all__ = [
    "Impediment",
    "ImpedimentAction",
    "ImpedimentEvent",
    "ImpedimentHistory",
    "Severity",
    "impediments_as_of",
]


class Severity(enum.Enum):
    """How badly an impediment blocks its node."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical."""
        return ("low", "medium", "high", "critical").index(self.value)


class ImpedimentAction(enum.Enum):
    """What one impediment event does."""

    RAISED = "raised"
    UPDATED = "updated"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


_EVENT_FIELDS: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("impediment_id", is_text, "a string"),
    ("action", of_type(ImpedimentAction), "an ImpedimentAction"),
    ("on", is_day, "a date"),
    ("by", is_text, "a string"),
    ("node_id", is_optional_text, "a string or None"),
    ("description", is_text, "a string"),
    ("severity", of_type(Severity, optional=True), "a Severity or None"),
    ("help_from", is_optional_text, "a string or None"),
    ("escalated_to", is_optional_text, "a string or None"),
    ("checkin_id", is_optional_text, "a string or None"),
    ("withdraws_help", of_type(bool), "a bool"),
)


def event_problems(event: ImpedimentEvent, prefix: str = "$") -> list[Problem]:
    """Every field of `event` of the wrong type, in field order, under `prefix`. O(fields)."""
    return field_problems(event, _EVENT_FIELDS, prefix)


def _optional_texts(*values: object) -> bool:
    return all(value is None or type(value) is str for value in values)


def _check_event_types(event: ImpedimentEvent, _: object, withdraws_help: bool) -> None:
    """Refuse an event any of whose fields has the wrong type (one chain of exact tests first)."""
    severity = event.severity
    if (
        type(event.id) is str
        and type(event.impediment_id) is str
        and type(event.action) is ImpedimentAction
        and type(event.on) is dt.date
        and type(event.by) is str
        and type(event.description) is str
        and (severity is None or type(severity) is Severity)
        and type(withdraws_help) is bool
        and _optional_texts(event.node_id, event.help_from, event.escalated_to, event.checkin_id)
    ):
        return
    problems = event_problems(event)
    if problems:
        raise ValidationError(problems, summary="invalid impediment event")


@record_type("checkins.impediment_event", version=2)
@attrs.frozen
class ImpedimentEvent:
    """One appended change to an impediment.

    Attributes:
        id: unique id of this event.
        impediment_id: the impediment it changes.
        action: raised, updated, escalated or resolved.
        on: the day it happened.
        by: the person who recorded it.
        node_id: the blocked node (required when raised; refused by `impediments_as_of` on
            any other event, which would ignore it).
        description: what blocks the node (raised/updated) or how it was resolved (resolved).
        severity: how bad it is (required when raised; optional on update; refused by
            `impediments_as_of` on an escalation or a resolution, which ignore it).
        help_from: the person asked for assistance (raised/updated). On an update, `None`
            keeps the current request, a person asks them (from now on, if none was asked;
            else the request, still open since it was made, now goes to them). Only a raise
            or an update asks: [impediments_as_of][workplan_core.checkins.impediments.
            impediments_as_of] refuses it on an escalation or a resolution.
        escalated_to: the person it was escalated to (an escalation only: refused by
            `impediments_as_of` on any other event, which would ignore it).
        checkin_id: the check-in where it was recorded, if any.
        withdraws_help: `True` on an update that withdraws the open help request (with
            `help_from=None`); a later update may ask again, which starts a new request.

    Raises:
        ValidationError: listing every field of the wrong type (values are not converted:
            an action or a severity given as a string, or a withdrawal given as ``1``, is
            refused); the lifecycle is checked by
            [impediments_as_of][workplan_core.checkins.impediments.impediments_as_of].
    """

    id: str
    impediment_id: str
    action: ImpedimentAction
    on: dt.date
    by: str
    node_id: str | None = None
    description: str = ""
    severity: Severity | None = None
    help_from: str | None = None
    escalated_to: str | None = None
    checkin_id: str | None = None
    withdraws_help: bool = attrs.field(default=False, validator=_check_event_types)


@register_upcaster("checkins.impediment_event", 1)
def _event_v1_to_v2(body: dict[str, Any]) -> dict[str, Any]:
    """Version 1 events had no `withdraws_help`: none of them withdraws a help request."""
    return {**body, "withdraws_help": False}


@attrs.frozen
class Impediment:
    """The state of an impediment as of a date, folded from its events.

    Attributes:
        id: the impediment's id.
        node_id: the blocked node.
        raised_on: the day it was raised.
        raised_by: who raised it.
        description: the latest description.
        severity: the latest severity.
        help_from: the person whose assistance is requested, if any (`None` once the
            request is withdrawn or the impediment resolved; who was asked stays readable
            in `events`).
        escalated_to: the latest person it was escalated to, if any.
        resolved_on: the day it was resolved, or `None` while open.
        resolution: how it was resolved.
        events: the events folded, in order.
        help_asked_on: the day the current help request was made (`None` when none is,
            as after a withdrawal or a resolution): the day help was asked while none was,
            kept when the request goes to someone else, so a request asked again after a
            withdrawal counts from the new day.
    """

    id: str
    node_id: str
    raised_on: dt.date
    raised_by: str
    description: str
    severity: Severity
    help_from: str | None = None
    escalated_to: str | None = None
    resolved_on: dt.date | None = None
    resolution: str = ""
    events: tuple[ImpedimentEvent, ...] = ()
    help_asked_on: dt.date | None = None

    @property
    def is_open(self) -> bool:
        """Whether it is still unresolved."""
        return self.resolved_on is None

    @property
    def requests_help(self) -> bool:
        """Whether it is open and asks someone for assistance."""
        return self.is_open and self.help_from is not None

    def age_days(self, as_of: dt.date) -> int:
        """Days from raising to `as_of` (or to resolution when resolved earlier).

        0 on the day it was raised, and on any day before (it was not there to age).
        """
        end = self.resolved_on if self.resolved_on is not None else as_of
        return max(0, (min(end, as_of) - self.raised_on).days)


def _raise(event: ImpedimentEvent, path: str, problems: list[Problem]) -> Impediment | None:
    found = len(problems)
    if event.node_id is None:
        problems.append(Problem(f"{path}.node_id", "required when an impediment is raised"))
    if event.severity is None:
        problems.append(Problem(f"{path}.severity", "required when an impediment is raised"))
    elif type(event.severity) is not Severity:  # made with validators disabled
        problems.append(wrong(f"{path}.severity", "a Severity", event.severity))
    if len(problems) > found or event.node_id is None or event.severity is None:
        return None
    help_from, asked_on = help_after(event, None, None)
    return Impediment(
        id=event.impediment_id,
        node_id=event.node_id,
        raised_on=event.on,
        raised_by=event.by,
        description=event.description,
        severity=event.severity,
        help_from=help_from,
        events=(event,),
        help_asked_on=asked_on,
    )


_ASKING = (ImpedimentAction.RAISED, ImpedimentAction.UPDATED)


def help_after(
    event: ImpedimentEvent, help_from: str | None, asked_on: dt.date | None
) -> tuple[str | None, dt.date | None]:
    """Who is asked for help, and since when, after `event` applies to a request.

    `help_from` and `asked_on` describe the request before the event (`None`, `None`: none,
    or not raised yet). A raise or an update naming a person asks them (an update keeps the
    day of a request already open); an update that withdraws help, and a resolution, end
    the request; anything else keeps it. The one rule the fold, dashboards and escalations
    share. O(1).
    """
    action = event.action
    if action is ImpedimentAction.RESOLVED or (
        action is ImpedimentAction.UPDATED and event.withdraws_help
    ):
        return None, None
    if action in _ASKING and event.help_from is not None:
        return event.help_from, event.on if help_from is None else asked_on
    return help_from, asked_on


def _apply(current: Impediment, event: ImpedimentEvent) -> Impediment:
    """`current` after `event` (resolved, escalated or updated; see `_problem_with`).

    The help request follows `help_after`: a resolution or a withdrawal ends it, an
    escalation keeps it. An update changes what it gives: `None` (or an empty description)
    keeps the current value.
    """
    events = (*current.events, event)
    help_from, asked_on = help_after(event, current.help_from, current.help_asked_on)
    if event.action is ImpedimentAction.RESOLVED:
        return attrs.evolve(
            current,
            resolved_on=event.on,
            resolution=event.description,
            help_from=help_from,
            events=events,
            help_asked_on=asked_on,
        )
    if event.action is ImpedimentAction.ESCALATED:
        return attrs.evolve(current, escalated_to=event.escalated_to, events=events)
    return attrs.evolve(
        current,
        description=event.description or current.description,
        severity=event.severity or current.severity,
        help_from=help_from,
        events=events,
        help_asked_on=asked_on,
    )


def _problem_with(
    event: ImpedimentEvent, current: Impediment | None, path: str, raised_later: dt.date | None
) -> Problem | None:
    """What is wrong with applying `event` to `current` (`None`: not raised so far).

    `raised_later` is the day of the impediment's raise when that comes after `event` in
    the order events are applied (by date, ties as given), else `None`.
    """
    name = repr(event.impediment_id)
    action = event.action
    problem = _action_problem(event, path) or _withdrawal_problem(event, current, path)
    if problem is not None:
        return problem
    if action is ImpedimentAction.RAISED:
        return (
            None if current is None else Problem(f"{path}.impediment_id", f"{name} already raised")
        )
    if current is None:
        return _missing(name, path, raised_later)
    if not current.is_open:
        return Problem(f"{path}.action", f"impediment {name} is already resolved")
    if action is ImpedimentAction.ESCALATED and event.escalated_to is None:
        return Problem(f"{path}.escalated_to", "required when an impediment is escalated")
    return None


def _action_problem(event: ImpedimentEvent, path: str) -> Problem | None:
    """The problem of an action that is not an `ImpedimentAction` (validators disabled)."""
    action = event.action
    if type(action) is not ImpedimentAction:
        return wrong(f"{path}.action", "an ImpedimentAction", action)
    return None


def _withdrawal_problem(
    event: ImpedimentEvent, current: Impediment | None, path: str
) -> Problem | None:
    """What is wrong with `event` withdrawing help, if it does.

    Only an update withdraws, without naming anyone, the request an open impediment makes;
    an impediment not raised or already resolved is `_problem_with`'s to report.
    """
    withdraws = event.withdraws_help
    if type(withdraws) is not bool:  # made with validators disabled
        return wrong(f"{path}.withdraws_help", "a bool", withdraws)
    found: tuple[str, str] | None = None
    if withdraws and event.action is not ImpedimentAction.UPDATED:
        found = ("withdraws_help", "only an update can withdraw a help request")
    elif withdraws and current is not None and current.is_open:
        if event.help_from is not None:
            found = ("help_from", "must be None when the update withdraws help")
        elif current.help_from is None:
            found = ("withdraws_help", f"impediment {event.impediment_id!r} requests no help")
    return None if found is None else Problem(f"{path}.{found[0]}", found[1])


def _missing(name: str, path: str, raised_later: dt.date | None) -> Problem:
    """The problem of an event changing impediment `name` before (or without) its raise."""
    if raised_later is not None:
        return Problem(f"{path}.on", f"before impediment {name} was raised ({raised_later})")
    return Problem(f"{path}.impediment_id", f"impediment {name} does not exist")


def _first_raises(
    events: Sequence[ImpedimentEvent], duplicates: Set[int] = frozenset()
) -> dict[str, tuple[dt.date, int]]:
    """Per impediment id, its first raise among `events` in the order they are applied.

    As ``(day, index)``: an event ``(on, i)`` sorting before it meets no impediment yet. The
    `duplicates` (indices of events reusing an id, which are not applied) raise nothing.
    """
    first: dict[str, tuple[dt.date, int]] = {}
    for i, event in enumerate(events):
        if event.action is ImpedimentAction.RAISED and i not in duplicates:
            key = (event.on, i)
            seen = first.get(event.impediment_id)
            if seen is None or key < seen:
                first[event.impediment_id] = key
    return first


def _raised_later(
    first: dict[str, tuple[dt.date, int]], event: ImpedimentEvent, index: int
) -> dt.date | None:
    """The day of the impediment's first raise when it is applied after `event`, else `None`."""
    key = first.get(event.impediment_id)
    return key[0] if key is not None and (event.on, index) < key else None


_NOT_ASKING = (ImpedimentAction.ESCALATED, ImpedimentAction.RESOLVED)
_AN = {
    ImpedimentAction.RAISED: "a raise",
    ImpedimentAction.UPDATED: "an update",
    ImpedimentAction.ESCALATED: "an escalation",
    ImpedimentAction.RESOLVED: "a resolution",
}


def _stray_fields(event: ImpedimentEvent, path: str) -> list[Problem]:
    """The fields an event gives that its action ignores, each a problem.

    `help_from` and `severity` on an escalation or a resolution, `escalated_to` on anything
    but an escalation, `node_id` on anything but a raise: they would be silently dropped. A
    rule for new events only: the fold of a stored history ignores such fields, as it always
    did (see `ImpedimentHistory`).
    """
    action = event.action
    problems = []
    if event.help_from is not None and action in _NOT_ASKING:
        rule = f"only a raise or an update can ask for help, not {_AN[action]}"
        problems.append(Problem(f"{path}.help_from", rule))
    if event.severity is not None and action in _NOT_ASKING:
        rule = f"only a raise or an update gives a severity, not {_AN[action]}"
        problems.append(Problem(f"{path}.severity", rule))
    if event.escalated_to is not None and action is not ImpedimentAction.ESCALATED:
        rule = f"only an escalation names whom it goes to, not {_AN[action]}"
        problems.append(Problem(f"{path}.escalated_to", rule))
    if event.node_id is not None and action is not ImpedimentAction.RAISED:
        rule = f"only a raise names the blocked node, not {_AN[action]}"
        problems.append(Problem(f"{path}.node_id", rule))
    return problems


def _duplicates(events: Sequence[ImpedimentEvent], paths: Sequence[str | None]) -> set[int]:
    """The indices of the events that reuse an id another event owns. O(e).

    An id belongs to its first event in the order events are applied (by date, ties as
    given), except that an event without a path (stored before, see `fold_events`) owns its
    id before any event with one: a new event reusing a stored id is the duplicate, whatever
    its day.
    """
    owner: dict[str, tuple[bool, dt.date, int]] = {}
    for i, event in enumerate(events):
        key = (paths[i] is not None, event.on, i)
        seen = owner.get(event.id)
        if seen is None or key < seen:
            owner[event.id] = key
    return {i for i, event in enumerate(events) if owner[event.id][2] != i}


class Folded(NamedTuple):
    """What `fold_events` gives: the impediments, the problems and the event of each problem."""

    impediments: dict[str, Impediment]
    problems: list[Problem]
    at: list[int]
    """Per problem, the index of the event it is about."""


def fold_events(
    events: Sequence[ImpedimentEvent],
    paths: Sequence[str | None],
    as_of: dt.date | None = None,
    *,
    new: bool = True,
) -> Folded:
    """Fold `events` (those on or before `as_of`) by the rules of `impediments_as_of`.

    Args:
        events: impediment events (of exactly that type), in the order given.
        paths: per event, the path its problems are reported at (a problem's path is the
            event's followed by the field, e.g. ``.on``), or `None` to fold the event
            without reporting its problems: events stored before, whose problems are not
            the caller's. A stored event owns its id: an event with a path that reuses it is
            the duplicate, whatever the days.
        as_of: the last day folded (`None`: all).
        new: whether the events with a path are new data, held to the rules only new data
            must keep (no field the action ignores: see `_stray_fields`); `False` to read a
            stored history as it always was read.

    Returns:
        The impediments by id, and the problems of the events with a path, in the order
        of the events (an event's own problems in the order found), with the index of the
        event of each problem. O(e log e) for e events.
    """
    duplicates = _duplicates(events, paths)
    first = _first_raises(events, duplicates)
    order = [i for i, e in enumerate(events) if as_of is None or e.on <= as_of]
    order.sort(key=lambda i: (events[i].on, i))
    found: list[tuple[int, Problem]] = []
    state: dict[str, Impediment] = {}
    for i in order:
        event = events[i]
        path = paths[i]
        problems: list[Problem] = []
        where = "$" if path is None else path
        if i in duplicates:
            problems.append(Problem(f"{where}.id", f"duplicate event id {event.id!r}"))
        else:
            current = state.get(event.impediment_id)
            problem = _problem_with(event, current, where, _raised_later(first, event, i))
            if problem is not None:
                problems.append(problem)
            elif current is None:
                raised = _raise(event, where, problems)
                if raised is not None:
                    state[event.impediment_id] = raised
            else:
                state[event.impediment_id] = _apply(current, event)
            if new and path is not None:
                problems += _stray_fields(event, where)
        if path is not None:
            found += ((i, problem) for problem in problems)
    found.sort(key=lambda pair: pair[0])  # stable: an event's problems stay in order
    return Folded(state, [problem for _, problem in found], [i for i, _ in found])


def impediments_as_of(
    events: Iterable[ImpedimentEvent], as_of: dt.date | None = None
) -> dict[str, Impediment]:
    """Fold impediment events (those on or before `as_of`) into impediments by id.

    Events are applied in date order, ties in the given order. O(e log e) for e events.

    Raises:
        ValidationError: listing every event that changes an impediment that does not exist,
            is already resolved or was raised later (``$[i].on: before impediment … was
            raised``; a raise among all the events given counts, even after `as_of`), every
            duplicate event id (the event applied later is the duplicate) and raise, every
            raise without node or severity, and every escalation or resolution naming
            `help_from` (only a raise or an update asks for help). Paths index the events
            as given.
    """
    given = records_of(events, ImpedimentEvent, "$", "invalid impediment events")
    if as_of is not None:
        check_arguments("invalid impediment arguments", as_of=(as_of, dt.date))
    return _folded_or_raise(given, as_of, new=True)


def _folded_or_raise(
    events: Sequence[ImpedimentEvent], as_of: dt.date | None, *, new: bool
) -> dict[str, Impediment]:
    """The impediments of `events` as of `as_of`, or `ValidationError` at paths ``$[i]…``."""
    state, problems, _ = fold_events(
        events, [f"$[{i}]" for i in range(len(events))], as_of, new=new
    )
    if problems:
        raise ValidationError(problems, summary="inconsistent impediment history")
    return state


class ImpedimentHistory:
    """One impediment's state after each of its events, for "as of" lookups in O(log e).

    Folding is done once (O(e log e) for e events); [at][workplan_core.checkins.impediments.
    ImpedimentHistory.at] then returns exactly what
    [impediments_as_of][workplan_core.checkins.impediments.impediments_as_of] gives for the
    same events and day, including its `ValidationError` from the first inconsistent event's
    day on, with one exception: a history reads stored events, so an escalation or a
    resolution naming `help_from` (which `impediments_as_of` refuses in new events) is
    folded as it always was, its `help_from` ignored.

    Args:
        events: the impediment's events (all with the same impediment id), in the order given.

    Attributes:
        window: the days ``[from, until)`` on which `at` may return an open impediment (or
            raise); outside them it is not raised yet or already resolved.
    """

    __slots__ = ("_broken_from", "_days", "_events", "_states", "window")

    def __init__(self, events: Sequence[ImpedimentEvent]) -> None:
        self._events = tuple(events)
        order = sorted(range(len(self._events)), key=lambda i: self._events[i].on)
        self._days: list[dt.date] = []
        self._states: list[Impediment] = []
        self._broken_from: dt.date | None = None
        current: Impediment | None = None
        duplicates = _duplicates(self._events, ["$"] * len(self._events))
        first = _first_raises(self._events, duplicates)
        for i in order:
            event = self._events[i]
            path = f"$[{i}]"
            problems: list[Problem] = []
            later = _raised_later(first, event, i)
            if i in duplicates or _problem_with(event, current, path, later) is not None:
                self._broken_from = event.on
                break
            current = _raise(event, path, problems) if current is None else _apply(current, event)
            if current is None:
                self._broken_from = event.on
                break
            self._days.append(event.on)
            self._states.append(current)
        days, last = self._days, (self._states[-1] if self._states else None)
        if self._broken_from is not None:
            opened = days[0] if days else self._broken_from
            self.window = (opened, dt.date.max)
        elif last is None:
            self.window = (dt.date.max, dt.date.max)
        else:
            self.window = (days[0], last.resolved_on or dt.date.max)

    @property
    def raised_on(self) -> dt.date:
        """The day it was raised (`datetime.date.min` when its first event is inconsistent)."""
        return self._states[0].raised_on if self._states else dt.date.min

    def at(self, as_of: dt.date) -> Impediment | None:
        """The impediment as of `as_of`, or `None` if not raised by then. O(log e).

        Raises:
            ValidationError: the events up to `as_of` are inconsistent (see
                `impediments_as_of`; a field its action ignores — `help_from` or `severity`
                on an escalation or a resolution, `escalated_to` but on an escalation,
                `node_id` but on a raise — is ignored, not refused).
        """
        if self._broken_from is not None and as_of >= self._broken_from:
            # raises, listing every problem
            states = _folded_or_raise(self._events, as_of, new=False)
            return next(iter(states.values()), None)
        index = bisect.bisect_right(self._days, as_of)
        return self._states[index - 1] if index else None
