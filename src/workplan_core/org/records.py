"""The things an organisation is made of: people, job titles, roles, departments, teams, positions.

These records name things and their fixed relations (a position's job title, department and
the position it reports to; a department's parent). Who holds what, and when, lives in the
effective-dated records of [workplan_core.org.memberships][].

Records are frozen values that check the kinds of their own fields when made (a string id, a
date that is not a datetime, a real bool) and raise one
[ValidationError][workplan_core.errors.ValidationError] naming every field of the wrong kind.
Every other rule (ids non-empty and unique, references known, ends not before starts) involves
the value of a field or other records: an [Organisation][workplan_core.org.Organisation]
validates those for all records together and reports every problem at once, with paths such as
``$.positions[3].reports_to``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from workplan_core._fields import (
    Check,
    is_day,
    is_optional_day,
    is_optional_text,
    is_text,
    of_type,
    refuse,
)
from workplan_core.periods import _check_arguments
from workplan_core.serialization import record_type

__all__ = ["Department", "JobTitle", "Person", "Position", "Role", "Team"]

_BOOLEAN = of_type(bool)


_PERSON: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("name", is_text, "a string"),
    ("start", is_day, "a date"),
    ("end", is_optional_day, "a date or None"),
)


def _check_person(person: Person, _: object, end: dt.date | None) -> None:
    if (
        type(person.id) is str
        and type(person.name) is str
        and type(person.start) is dt.date
        and (end is None or type(end) is dt.date)
    ):
        return
    refuse(person, _PERSON, "invalid person")


@record_type("org.person", version=1)
@attrs.frozen
class Person:
    """Someone employed by the organisation from `start` to `end` (inclusive; `None` = open).

    Attributes:
        id: a stable identifier, unique among people.
        name: the display name.
        start: the first day of employment.
        end: the last day of employment, or `None` while still employed.

    Raises:
        ValidationError: naming every field of the wrong kind (ids and names are strings;
            dates are dates, not datetimes or strings).
    """

    id: str
    name: str
    start: dt.date
    end: dt.date | None = attrs.field(default=None, validator=_check_person)

    def employed_on(self, as_of: dt.date) -> bool:
        """Whether the person is employed on `as_of` (both ends of employment count)."""
        if type(as_of) is not dt.date:
            _check_arguments(as_of=(as_of, dt.date))
        return self.start <= as_of and (self.end is None or as_of <= self.end)


_NAMED: tuple[Check, ...] = (("id", is_text, "a string"), ("name", is_text, "a string"))


def _check_job_title(title: JobTitle, _: object, name: str) -> None:
    if type(title.id) is not str or type(name) is not str:
        refuse(title, _NAMED, "invalid job title")


def _check_role(role: Role, _: object, name: str) -> None:
    if type(role.id) is not str or type(name) is not str:
        refuse(role, _NAMED, "invalid role")


@record_type("org.job_title", version=1)
@attrs.frozen
class JobTitle:
    """A job title that positions carry, such as "Finance Manager".

    Attributes:
        id: a stable identifier, unique among job titles.
        name: the title as people read it.

    Raises:
        ValidationError: naming every field that is not a string.
    """

    id: str
    name: str = attrs.field(validator=_check_job_title)


@record_type("org.role", version=1)
@attrs.frozen
class Role:
    """A responsibility held beside a position, such as "fire warden" or "budget holder".

    People hold roles through [RoleAssignment][workplan_core.org.RoleAssignment] records.

    Attributes:
        id: a stable identifier, unique among roles.
        name: the role as people read it.

    Raises:
        ValidationError: naming every field that is not a string.
    """

    id: str
    name: str = attrs.field(validator=_check_role)


def _unit_check(parent: str, summary: str) -> Callable[[Any, object, Any], None]:
    """The validator of a unit (department, team) with an id, a name and an optional `parent`.

    One chain of exact type tests in the common case; otherwise every field of the wrong
    kind is named (`refuse`).
    """
    checks: tuple[Check, ...] = (
        ("id", is_text, "a string"),
        ("name", is_text, "a string"),
        (parent, is_optional_text, "a string or None"),
    )

    def check(unit: Any, _: object, parent_id: str | None) -> None:
        if (
            type(unit.id) is str
            and type(unit.name) is str
            and (parent_id is None or type(parent_id) is str)
        ):
            return
        refuse(unit, checks, summary)

    return check


_check_department = _unit_check("parent_id", "invalid department")
_check_team = _unit_check("department_id", "invalid team")


@record_type("org.department", version=1)
@attrs.frozen
class Department:
    """A unit of the organisation; departments form a tree through `parent_id`.

    Attributes:
        id: a stable identifier, unique among departments.
        name: the department's name.
        parent_id: the enclosing department, or `None` for a top department.

    Raises:
        ValidationError: naming every field of the wrong kind.
    """

    id: str
    name: str
    parent_id: str | None = attrs.field(default=None, validator=_check_department)


@record_type("org.team", version=1)
@attrs.frozen
class Team:
    """A group of people working together; membership is effective-dated.

    People join and leave through [TeamMembership][workplan_core.org.TeamMembership] records.

    Attributes:
        id: a stable identifier, unique among teams.
        name: the team's name.
        department_id: the department the team belongs to, if any.

    Raises:
        ValidationError: naming every field of the wrong kind.
    """

    id: str
    name: str
    department_id: str | None = attrs.field(default=None, validator=_check_team)


_POSITION: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("job_title_id", is_text, "a string"),
    ("department_id", is_text, "a string"),
    ("reports_to", is_optional_text, "a string or None"),
    ("single_holder", _BOOLEAN, "true or false (a bool)"),
)


def _check_position(position: Position, _: object, single_holder: bool) -> None:
    if (
        type(position.id) is str
        and type(position.job_title_id) is str
        and type(position.department_id) is str
        and (position.reports_to is None or type(position.reports_to) is str)
        and type(single_holder) is bool
    ):
        return
    refuse(position, _POSITION, "invalid position")


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

    Raises:
        ValidationError: naming every field of the wrong kind (`single_holder` must be a
            bool: a truthy string such as ``"no"`` is refused, not read as true).
    """

    id: str
    job_title_id: str
    department_id: str
    reports_to: str | None = None
    single_holder: bool = attrs.field(default=True, validator=_check_position)
