"""The `Organisation` aggregate: every organisational record, and the as-of queries over them."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

import attrs
import cattrs

from workplan_core._collector import collector_paused
from workplan_core.errors import Problem, ValidationError
from workplan_core.org._index import OrgIndex, day_of
from workplan_core.org.memberships import Assignment, RoleAssignment, TeamMembership
from workplan_core.org.records import Department, JobTitle, Person, Position, Role, Team
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.org.validation import RECORD_TYPES, organisation_problems
from workplan_core.periods import _check_arguments
from workplan_core.serialization import converter, record_type

__all__ = ["Organisation"]


@record_type("org.organisation", version=1)
@attrs.frozen
class Organisation:
    """Everything known about an organisation's structure and who held what, when.

    A frozen value holding tuples of records. Constructing one checks nothing (each record has
    checked the kinds of its own fields), so that large organisations can be assembled cheaply;
    [build][workplan_core.org.Organisation.build] and
    [validate][workplan_core.org.Organisation.validate] check every rule at once (see
    [workplan_core.org.validation][]), and structuring one from data through
    [workplan_core.serialization][] validates it too.

    Every query takes the date it is asked `as_of`. The first query builds a private index in
    O(n log n) for `n` records; it is cached on the value and is not part of its equality,
    representation or serialized form. Queries raise
    [NotFoundError][workplan_core.errors.NotFoundError] for an unknown id and
    [ValidationError][workplan_core.errors.ValidationError] for arguments of the wrong kind
    (an id that is not a string, an `as_of` that is a datetime or a string, a reference that is
    not an [OwnerRef][workplan_core.org.OwnerRef]).

    Reorganise by appending records (new assignments, with the old ones closed), e.g. through
    `attrs.evolve(org, assignments=org.assignments + (new,))`; history stays queryable.

    Attributes:
        people: everyone who is or was employed.
        job_titles: the job titles that positions carry.
        roles: responsibilities held beside positions.
        departments: the department tree.
        teams: the teams.
        positions: the position hierarchy.
        assignments: who held which position, when.
        role_assignments: who held which role, when.
        team_memberships: who belonged to which team, when.
    """

    people: tuple[Person, ...] = ()
    job_titles: tuple[JobTitle, ...] = ()
    roles: tuple[Role, ...] = ()
    departments: tuple[Department, ...] = ()
    teams: tuple[Team, ...] = ()
    positions: tuple[Position, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    role_assignments: tuple[RoleAssignment, ...] = ()
    team_memberships: tuple[TeamMembership, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        people: Iterable[Person] = (),
        job_titles: Iterable[JobTitle] = (),
        roles: Iterable[Role] = (),
        departments: Iterable[Department] = (),
        teams: Iterable[Team] = (),
        positions: Iterable[Position] = (),
        assignments: Iterable[Assignment] = (),
        role_assignments: Iterable[RoleAssignment] = (),
        team_memberships: Iterable[TeamMembership] = (),
    ) -> Organisation:
        """Build an organisation from any iterables of records and validate it.

        Raises:
            ValidationError: listing every collection that is not an iterable (a string is
                refused) and every entry that is not a record of its collection's type; when
                there are none, every broken rule, with paths such as ``$.assignments[3].end``.
        """
        given = (
            people,
            job_titles,
            roles,
            departments,
            teams,
            positions,
            assignments,
            role_assignments,
            team_memberships,
        )
        problems: list[Problem] = []
        collections: list[tuple[Any, ...]] = []
        for (name, record), items in zip(RECORD_TYPES, given, strict=True):
            kind = f"must be an iterable of {record.__name__} records"
            if isinstance(items, str | bytes):
                problems.append(Problem(f"$.{name}", f"{kind}, not a string"))
                continue
            try:
                iterator = iter(items)
            except TypeError:
                problems.append(Problem(f"$.{name}", f"{kind}, got {type(items).__name__}"))
                continue
            collections.append(tuple(iterator))
        if problems:
            raise ValidationError(problems, summary="invalid organisation")
        org = cls(*collections)
        org.validate()
        return org

    # ----------------------------------------------------------------------- validation

    def problems(self) -> list[Problem]:
        """Every broken rule, in a stable order (empty when valid). O(n log n).

        Entries of the wrong kind (a collection that is not a tuple, a record in the wrong
        collection) are reported first and alone: the rules read the records' fields.
        """
        with collector_paused():
            return organisation_problems(self)

    def validate(self) -> None:
        """Check every rule at once.

        Raises:
            ValidationError: listing every problem found.
        """
        problems = self.problems()
        if problems:
            raise ValidationError(problems, summary="invalid organisation")

    # ----------------------------------------------------------------------- queries

    @functools.cached_property
    def _index(self) -> OrgIndex:
        with collector_paused(settle=True):
            return OrgIndex(self)

    def holders(self, position_id: str, as_of: dt.date) -> frozenset[str]:
        """People holding the position on `as_of`. O(assignments of the position)."""
        if type(position_id) is not str or type(as_of) is not dt.date:
            _check_arguments(position_id=(position_id, str), as_of=(as_of, dt.date))
        index = self._index
        return frozenset(index.holders(index.position_key(position_id), day_of(as_of)))

    def positions_of(self, person_id: str, as_of: dt.date) -> frozenset[str]:
        """Ids of the positions the person holds on `as_of`. O(assignments of the person)."""
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        index = self._index
        ids = index.positions.ids
        return frozenset(ids[k] for k in index.position_keys_of(person_id, day_of(as_of)))

    def primary_position(self, person_id: str, as_of: dt.date) -> str | None:
        """The position the manager chain starts from, or `None` when the person holds none.

        Among the positions held on `as_of`, the one held since the earliest date (ties: the
        smallest id).
        """
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        index = self._index
        key = index.primary_position(person_id, day_of(as_of))
        return None if key is None else index.positions.ids[key]

    def manager_of(self, person_id: str, as_of: dt.date) -> str | None:
        """The person's manager on `as_of`, or `None` at the top or when holding no position.

        The manager is a holder (the smallest id, if several) of the nearest position above the
        person's primary position that is held by someone else on that date. O(depth).
        """
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        return self._index.manager_of(person_id, day_of(as_of))

    def manager_chain(self, person_id: str, as_of: dt.date) -> tuple[str, ...]:
        """The person's manager, their manager's manager, … up to a top position.

        The chain walks up from the person's primary position and lists the holder of each
        filled position on the way, never repeating anyone and never the person. O(depth).
        """
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        return tuple(self._index.manager_chain(person_id, day_of(as_of)))

    def direct_reports(self, person_id: str, as_of: dt.date) -> frozenset[str]:
        """People whose [manager_of][workplan_core.org.Organisation.manager_of] is this person.

        O(positions between the person's positions and the nearest filled ones below).
        """
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        return frozenset(self._index.direct_reports(person_id, day_of(as_of)))

    def reports(self, person_id: str, as_of: dt.date) -> frozenset[str]:
        """Everyone holding, on `as_of`, a position anywhere below a position this person holds.

        Never contains the person. O(assignments below).
        """
        if type(person_id) is not str or type(as_of) is not dt.date:
            _check_arguments(person_id=(person_id, str), as_of=(as_of, dt.date))
        return self._index.reports(person_id, day_of(as_of))

    def members(self, ref: OwnerRef, as_of: dt.date) -> frozenset[str]:
        """Members of a department (with its sub-departments) or a team on `as_of`.

        Raises:
            ValidationError: `ref` is neither a department nor a team.
            NotFoundError: the department or team does not exist.
        """
        if type(ref) is not OwnerRef or type(as_of) is not dt.date:
            _check_arguments(ref=(ref, OwnerRef), as_of=(as_of, dt.date))
        if ref.kind not in (OwnerKind.DEPARTMENT, OwnerKind.TEAM):
            raise ValidationError.single("$.kind", "members needs a department or team reference")
        return self.resolve_owner(ref, as_of)

    def resolve_owner(self, ref: OwnerRef, as_of: dt.date) -> frozenset[str]:
        """The ids of the people accountable for `ref` on `as_of`.

        * person: the person, if employed on that date;
        * position: its holders;
        * job title: holders of positions carrying the title;
        * role: people holding the role;
        * team: its members;
        * department: holders of positions in the department and its sub-departments.

        Complexity: O(matching assignments or memberships).

        Raises:
            NotFoundError: `ref` names nothing in the organisation.
        """
        if type(ref) is not OwnerRef or type(as_of) is not dt.date:
            _check_arguments(ref=(ref, OwnerRef), as_of=(as_of, dt.date))
        index, day = self._index, day_of(as_of)
        kind = ref.kind
        if kind is OwnerKind.PERSON:
            employed = index.person(ref.id).employed_on(as_of)
            return frozenset((ref.id,)) if employed else frozenset()
        if kind is OwnerKind.POSITION:
            return frozenset(index.holders(index.position_key(ref.id), day))
        if kind is OwnerKind.DEPARTMENT:
            return frozenset(index.department_members(ref.id, day))
        if kind is OwnerKind.JOB_TITLE:
            row, table = index.row(index.title_keys, "job title", ref.id), index.by_title
        elif kind is OwnerKind.ROLE:
            row, table = index.row(index.role_keys, "role", ref.id), index.by_role
        else:
            row, table = index.row(index.team_keys, "team", ref.id), index.by_team
        return frozenset(table.active(row, row + 1, day))


def _structure_organisation(data: Any, _: type[Organisation]) -> Organisation:
    org = _structure_fields(data, Organisation)
    org.validate()
    return org


_structure_fields = cattrs.gen.make_dict_structure_fn(
    Organisation, converter, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
)
converter.register_structure_hook(Organisation, _structure_organisation)
