"""Escalations: missed check-ins and unanswered help requests, raised to the next manager up.

Escalations are records computed from the history, not side effects: the same history and the
same `as_of` always give the same escalations, so a service can store them, notify people, and
recompute them for any past day.

* A person who misses `missed_in_a_row` consecutive check-ins of a cadence is escalated from
  the cadence's manager to that manager's manager.
* An impediment whose help request stayed open longer than `help_open_days` is escalated from the
  manager of the person who raised it to that manager's manager. Each request counts on its
  own: one withdrawn after it escalated stays escalated, and asking again later starts a new
  request with its own clock. Its escalation names the person asked on the day it became
  due, whoever the request is sent on to later.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol

import attrs

from workplan_core._fields import is_whole, wrong
from workplan_core.checkins.cadence import Cadence
from workplan_core.checkins.impediments import Impediment, help_after
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerKind
from workplan_core.serialization import record_type

__all__ = [
    "Escalation",
    "EscalationPolicy",
    "EscalationReason",
    "ManagerLookup",
    "escalations",
]


class ManagerLookup(Protocol):
    """Anything that knows a person's manager on a date (an `Organisation` does)."""

    def manager_of(self, person_id: str, as_of: dt.date) -> str | None:
        """The person's manager on `as_of`, or `None` at the top."""
        ...


class EscalationReason(enum.Enum):
    """Why something was escalated."""

    MISSED_CHECKINS = "missed_checkins"
    HELP_REQUEST_OPEN = "help_request_open"


def _check_policy(policy: EscalationPolicy, _: object, help_open_days: int) -> None:
    missed_in_a_row = policy.missed_in_a_row
    if (
        type(missed_in_a_row) is int
        and type(help_open_days) is int
        and missed_in_a_row >= 1
        and help_open_days >= 1
    ):
        return
    problems = []
    for name in ("missed_in_a_row", "help_open_days"):
        value = getattr(policy, name)
        if not is_whole(value):
            problems.append(wrong(f"$.{name}", "an integer", value))
        elif value < 1:
            problems.append(Problem(f"$.{name}", "must be at least 1"))
    raise ValidationError(problems, summary="invalid escalation policy")


@attrs.frozen
class EscalationPolicy:
    """When to escalate.

    Attributes:
        missed_in_a_row: consecutive missed check-ins that escalate (default 2).
        help_open_days: days a help request may stay open before it escalates (default 5).

    Raises:
        ValidationError: a threshold is not an integer (a bool or a string is not) or is
            below 1; every such field is named.
    """

    missed_in_a_row: int = 2
    help_open_days: int = attrs.field(default=5, validator=_check_policy)


@record_type("checkins.escalation")
@attrs.frozen
class Escalation:
    """A record that something needs the attention of a more senior manager.

    Attributes:
        id: deterministic id from the reason, the subject and the day it became due.
        on: the day the escalation became due.
        reason: missed check-ins or an open help request.
        subject_id: the person who missed check-ins, or the impediment.
        escalate_to: the manager it goes to, or `None` when nobody is above.
        since: the first missed due date, or the day help was requested.
        detail: a sentence for people. For a help request, it names the person asked on
            the day the escalation became due (a request sent on to someone else later
            still reads the same).
    """

    id: str
    on: dt.date
    reason: EscalationReason
    subject_id: str
    escalate_to: str | None
    since: dt.date
    detail: str


def _for_cadence(
    cadence: Cadence,
    held: Iterable[dt.date],
    managers: ManagerLookup,
    policy: EscalationPolicy,
    as_of: dt.date,
) -> list[Escalation]:
    if cadence.subject.kind is not OwnerKind.PERSON:
        return []
    grace = dt.timedelta(days=cadence.grace_days + 1)
    person, found = cadence.subject.id, []
    for run in cadence.missed_runs(held, as_of):
        if len(run) < policy.missed_in_a_row:
            continue
        on = run[policy.missed_in_a_row - 1] + grace
        found.append(
            Escalation(
                id=f"missed:{cadence.id}:{run[0].isoformat()}",
                on=on,
                reason=EscalationReason.MISSED_CHECKINS,
                subject_id=person,
                escalate_to=managers.manager_of(cadence.manager_id, on),
                since=run[0],
                detail=(
                    f"{person} missed {policy.missed_in_a_row} check-ins in a row with "
                    f"{cadence.manager_id} since {run[0].isoformat()}"
                ),
            )
        )
    return found


class _Request(NamedTuple):
    """One help request of an impediment."""

    asked: dt.date  # the day it was made
    ended: dt.date | None  # the day it was withdrawn or resolved; `None` while open
    asked_of: tuple[tuple[dt.date, str], ...]  # from which day which person was asked


def _help_requests(impediment: Impediment) -> list[_Request]:
    """The impediment's help requests, in order. O(e) for its e events."""
    requests: list[_Request] = []
    helper: str | None = None
    asked: dt.date | None = None
    asked_of: list[tuple[dt.date, str]] = []
    for event in impediment.events:
        after, since = help_after(event, helper, asked)
        if asked is not None and since != asked:  # withdrawn or resolved
            requests.append(_Request(asked, event.on, tuple(asked_of)))
            asked_of = []
        if after is not None and after != helper:  # asked, or sent on to someone else
            asked_of.append((event.on, after))
        helper, asked = after, since
    if asked is not None:
        requests.append(_Request(asked, None, tuple(asked_of)))
    return requests


def _for_impediment(
    impediment: Impediment, managers: ManagerLookup, policy: EscalationPolicy, as_of: dt.date
) -> list[Escalation]:
    found = []
    for request in _help_requests(impediment):
        asked = request.asked
        closed = request.ended if request.ended is not None else as_of
        if (min(closed, as_of) - asked).days <= policy.help_open_days:
            continue
        on = asked + dt.timedelta(days=policy.help_open_days + 1)
        # who was asked when it became due: sending the request on later changes nothing
        helper = [person for day, person in request.asked_of if day <= on][-1]
        manager = managers.manager_of(impediment.raised_by, on)
        found.append(
            Escalation(
                id=f"help:{impediment.id}:{asked.isoformat()}",
                on=on,
                reason=EscalationReason.HELP_REQUEST_OPEN,
                subject_id=impediment.id,
                escalate_to=managers.manager_of(manager, on) if manager is not None else None,
                since=asked,
                detail=(
                    f"help from {helper} on node {impediment.node_id} "
                    f"open more than {policy.help_open_days} days"
                ),
            )
        )
    return found


def escalations(
    *,
    cadences: Iterable[Cadence],
    held: Mapping[str, Iterable[dt.date]],
    impediments: Iterable[Impediment],
    managers: ManagerLookup,
    as_of: dt.date,
    policy: EscalationPolicy | None = None,
) -> list[Escalation]:
    """Every escalation that became due on or before `as_of`, ordered by day and id.

    An escalation is a historical record: once due it stays in the answer for every later
    `as_of`, with the same id, day and content.

    Args:
        cadences: the cadences to watch.
        held: for each cadence id, the days its check-ins were held.
        impediments: impediments as of `as_of` (see `impediments_as_of`).
        managers: who manages whom (an `Organisation`).
        as_of: the day to compute for.
        policy: thresholds (default `EscalationPolicy()`).

    O(c·k + e) for c cadences of k due dates each and e impediment events, plus manager
    lookups.
    """
    rules = policy or EscalationPolicy()
    found: list[Escalation] = []
    for cadence in cadences:
        found.extend(_for_cadence(cadence, held.get(cadence.id, ()), managers, rules, as_of))
    for impediment in impediments:
        found.extend(_for_impediment(impediment, managers, rules, as_of))
    return sorted(found, key=lambda e: (e.on, e.id))
