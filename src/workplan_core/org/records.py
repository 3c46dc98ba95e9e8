"""The things an organisation is made of: people, job titles, roles, departments, teams, positions.

These records name things and their fixed relations (a position's job title, department and
the position it reports to; a department's parent). Who holds what, and when, lives in the
effective-dated records of [workplan_core.org.memberships][].

Records are plain frozen values and check nothing on their own: an
[Organisation][workplan_core.org.Organisation] validates all of them together and reports every
problem at once, with paths such as ``$.positions[3].reports_to``.
"""

from __future__ import annotations

import datetime as dt

import attrs

from workplan_core.serialization import record_type

__all__ = ["Department", "JobTitle", "Person", "Position", "Role", "Team"]


@record_type("org.person", version=1)
@attrs.frozen
class Person:
    """Someone employed by the organisation from `start` to `end` (inclusive; `None` = open).

    Attributes:
        id: a stable identifier, unique among people.
        name: the display name.
        start: the first day of employment.
        end: the last day of employment, or `None` while still employed.
    """

    id: str
    name: str
    start: dt.date
    end: dt.date | None = None

    def employed_on(self, as_of: dt.date) -> bool:
        """Whether the person is employed on `as_of` (both ends of employment count)."""
        return self.start <= as_of and (self.end is None or as_of <= self.end)


@record_type("org.job_title", version=1)
@attrs.frozen
class JobTitle:
    """A job title that positions carry, such as "Finance Manager".

    Attributes:
        id: a stable identifier, unique among job titles.
        name: the title as people read it.
    """

    id: str
    name: str


@record_type("org.role", version=1)
@attrs.frozen
class Role:
    """A responsibility held beside a position, such as "fire warden" or "budget holder".

    People hold roles through [RoleAssignment][workplan_core.org.RoleAssignment] records.

    Attributes:
        id: a stable identifier, unique among roles.
        name: the role as people read it.
    """

    id: str
    name: str


@record_type("org.department", version=1)
@attrs.frozen
class Department:
    """A unit of the organisation; departments form a tree through `parent_id`.

    Attributes:
        id: a stable identifier, unique among departments.
        name: the department's name.
        parent_id: the enclosing department, or `None` for a top department.
    """

    id: str
    name: str
    parent_id: str | None = None


@record_type("org.team", version=1)
@attrs.frozen
class Team:
    """A group of people working together; membership is effective-dated.

    People join and leave through [TeamMembership][workplan_core.org.TeamMembership] records.

    Attributes:
        id: a stable identifier, unique among teams.
        name: the team's name.
        department_id: the department the team belongs to, if any.
    """

    id: str
    name: str
    department_id: str | None = None


@record_type("org.position", version=1)
@attrs.frozen
class Position:
    """A seat in the organisation: a job title in a department, reporting to another position.

    The positions form the reporting hierarchy; a person's manager is found through it. People
    hold positions through [Assignment][workplan_core.org.Assignment] records.

    Attributes:
        id: a stable identifier, unique among positions.
        job_title_id: the job title this position carries.
        department_id: the department this position belongs to.
        reports_to: the position above this one, or `None` for a top position.
        single_holder: when true (the default), at most one person holds the position on any
            day; when false, it is a pool that many people hold at once.
    """

    id: str
    job_title_id: str
    department_id: str
    reports_to: str | None = None
    single_holder: bool = True
