"""Effective-dated memberships: who holds a position, a role or a place in a team, and when.

Each record runs from `start` to `end`, both inclusive; `end` is `None` while it is open. A
reorganisation appends new records (and closes open ones); it never rewrites what was true
before, so every query can be asked "as of" any past date.

Each record checks the kinds of its fields when made (ids are strings; `start` and `end` are
dates, not datetimes or strings) and raises one
[ValidationError][workplan_core.errors.ValidationError] naming every field of the wrong kind;
an end before the start, unknown ids and overlaps are the organisation's to report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import attrs

from workplan_core._fields import Check, is_day, is_optional_day, is_text, refuse
from workplan_core.periods import _check_arguments
from workplan_core.serialization import record_type

__all__ = ["Assignment", "RoleAssignment", "TeamMembership"]


def _active(start: dt.date, end: dt.date | None, as_of: dt.date) -> bool:
    if type(as_of) is not dt.date:
        _check_arguments(as_of=(as_of, dt.date))
    return start <= as_of and (end is None or as_of <= end)


def _membership_check(other: str, summary: str) -> Callable[[Any, object, Any], None]:
    """The validator of a membership record linking a person to `other` (e.g. ``team_id``).

    One chain of exact type tests in the common case; otherwise every field of the wrong
    kind is named (`refuse`).
    """
    checks: tuple[Check, ...] = (
        ("person_id", is_text, "a string"),
        (other, is_text, "a string"),
        ("start", is_day, "a date"),
        ("end", is_optional_day, "a date or None"),
    )
    other_of = attrgetter(other)

    def check(record: Any, _: object, end: dt.date | None) -> None:
        if (
            type(record.person_id) is str
            and type(other_of(record)) is str
            and type(record.start) is dt.date
            and (end is None or type(end) is dt.date)
        ):
            return
        refuse(record, checks, summary)

    return check


_check_assignment = _membership_check("position_id", "invalid assignment")
_check_role_assignment = _membership_check("role_id", "invalid role assignment")
_check_team_membership = _membership_check("team_id", "invalid team membership")


@record_type("org.assignment", version=1)
@attrs.frozen
class Assignment:
    """A person holds a position from `start` to `end` (inclusive; `None` = open).

    Attributes:
        person_id: who holds the position.
        position_id: the position held.
        start: the first day held.
        end: the last day held, or `None` while still held.

    Raises:
        ValidationError: naming every field of the wrong kind.
    """

    person_id: str
    position_id: str
    start: dt.date
    end: dt.date | None = attrs.field(default=None, validator=_check_assignment)

    def active_on(self, as_of: dt.date) -> bool:
        """Whether the assignment is in force on `as_of`."""
        return _active(self.start, self.end, as_of)


@record_type("org.role_assignment", version=1)
@attrs.frozen
class RoleAssignment:
    """A person holds a role from `start` to `end` (inclusive; `None` = open).

    Attributes:
        person_id: who holds the role.
        role_id: the role held.
        start: the first day held.
        end: the last day held, or `None` while still held.

    Raises:
        ValidationError: naming every field of the wrong kind.
    """

    person_id: str
    role_id: str
    start: dt.date
    end: dt.date | None = attrs.field(default=None, validator=_check_role_assignment)

    def active_on(self, as_of: dt.date) -> bool:
        """Whether the role assignment is in force on `as_of`."""
        return _active(self.start, self.end, as_of)


@record_type("org.team_membership", version=1)
@attrs.frozen
class TeamMembership:
    """A person belongs to a team from `start` to `end` (inclusive; `None` = open).

    Attributes:
        person_id: the member.
        team_id: the team.
        start: the first day of membership.
        end: the last day of membership, or `None` while still a member.

    Raises:
        ValidationError: naming every field of the wrong kind.
    """

    person_id: str
    team_id: str
    start: dt.date
    end: dt.date | None = attrs.field(default=None, validator=_check_team_membership)

    def active_on(self, as_of: dt.date) -> bool:
        """Whether the membership is in force on `as_of`."""
        return _active(self.start, self.end, as_of)
