"""Effective-dated memberships: who holds a position, a role or a place in a team, and when.

Each record runs from `start` to `end`, both inclusive; `end` is `None` while it is open. A
reorganisation appends new records (and closes open ones); it never rewrites what was true
before, so every query can be asked "as of" any past date.
"""

from __future__ import annotations

import datetime as dt

import attrs

from workplan_core.serialization import record_type

__all__ = ["Assignment", "RoleAssignment", "TeamMembership"]


def _active(start: dt.date, end: dt.date | None, as_of: dt.date) -> bool:
    return start <= as_of and (end is None or as_of <= end)


@record_type("org.assignment", version=1)
@attrs.frozen
class Assignment:
    """A person holds a position from `start` to `end` (inclusive; `None` = open).

    Attributes:
        person_id: who holds the position.
        position_id: the position held.
        start: the first day held.
        end: the last day held, or `None` while still held.
    """

    person_id: str
    position_id: str
    start: dt.date
    end: dt.date | None = None

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
    """

    person_id: str
    role_id: str
    start: dt.date
    end: dt.date | None = None

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
    """

    person_id: str
    team_id: str
    start: dt.date
    end: dt.date | None = None

    def active_on(self, as_of: dt.date) -> bool:
        """Whether the membership is in force on `as_of`."""
        return _active(self.start, self.end, as_of)
