"""The private index that answers an organisation's as-of queries quickly.

Built once per organisation in O(n log n) for `n` records. Positions and departments are numbered
in preorder (each subtree is a contiguous range), and assignments are grouped by position, by
department, by job title and by person, so that:

* holders of one position: O(assignments of the position);
* a manager chain: O(depth × assignments per position on the way up);
* transitive reports, or the members of a department with its sub-departments: one pass over the
  assignments in a contiguous range, O(assignments below).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from workplan_core.errors import NotFoundError
from workplan_core.org._tables import DatedTable, Forest, ordinal_end
from workplan_core.org.records import Person

if TYPE_CHECKING:
    from workplan_core.org.organisation import Organisation


def _first_by_id(records: tuple[Person, ...]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for record in records:
        found.setdefault(record.id, record)
    return found


def _row_keys(ids: list[str]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for node in ids:
        keys.setdefault(node, len(keys))
    return keys


class OrgIndex:
    """Query structures derived from one `Organisation`; see the module docstring."""

    def __init__(self, org: Organisation) -> None:
        self.positions = Forest(
            [p.id for p in org.positions], [p.reports_to for p in org.positions]
        )
        self.departments = Forest(
            [d.id for d in org.departments], [d.parent_id for d in org.departments]
        )
        self.people = _first_by_id(org.people)
        self.person_keys = {person_id: k for k, person_id in enumerate(self.people)}
        self.title_keys = _row_keys([t.id for t in org.job_titles])
        self.role_keys = _row_keys([r.id for r in org.roles])
        self.team_keys = _row_keys([t.id for t in org.teams])
        self._build_assignment_tables(org)
        self._build_role_and_team_tables(org)

    def _build_assignment_tables(self, org: Organisation) -> None:
        position_key, dept_key = self.positions.key, self.departments.key
        dept_of: list[int] = []
        title_of: list[int] = []
        for index in self.positions.record:
            position = org.positions[index]
            dept_of.append(dept_key.get(position.department_id, -1))
            title_of.append(self.title_keys.get(position.job_title_id, -1))
        rows: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        people: list[str] = []
        for assignment in org.assignments:
            row = position_key.get(assignment.position_id)
            if row is None:
                continue
            rows.append(row)
            starts.append(assignment.start.toordinal())
            ends.append(ordinal_end(assignment.end))
            people.append(assignment.person_id)
        self.by_position = DatedTable(len(position_key), rows, starts, ends, people)
        entries = _Entries(rows, starts, ends, people)
        self.by_department = _regrouped(entries, dept_of, len(dept_key))
        self.by_title = _regrouped(entries, title_of, len(self.title_keys))
        person_rows = [self.person_keys.get(p, -1) for p in people]
        kept = [i for i, row in enumerate(person_rows) if row >= 0]
        self.by_person = DatedTable(
            len(self.person_keys),
            [person_rows[i] for i in kept],
            [starts[i] for i in kept],
            [ends[i] for i in kept],
            [rows[i] for i in kept],
        )

    def _build_role_and_team_tables(self, org: Organisation) -> None:
        role_rows, role_records = [], []
        for record in org.role_assignments:
            row = self.role_keys.get(record.role_id)
            if row is not None:
                role_rows.append(row)
                role_records.append(record)
        self.by_role = DatedTable(
            len(self.role_keys),
            role_rows,
            [r.start.toordinal() for r in role_records],
            [ordinal_end(r.end) for r in role_records],
            [r.person_id for r in role_records],
        )
        team_rows, team_records = [], []
        for membership in org.team_memberships:
            row = self.team_keys.get(membership.team_id)
            if row is not None:
                team_rows.append(row)
                team_records.append(membership)
        self.by_team = DatedTable(
            len(self.team_keys),
            team_rows,
            [m.start.toordinal() for m in team_records],
            [ordinal_end(m.end) for m in team_records],
            [m.person_id for m in team_records],
        )

    # ----------------------------------------------------------------------- look-ups

    def position_key(self, position_id: str) -> int:
        """The preorder number of a position. Raises NotFoundError when unknown."""
        try:
            return self.positions.key[position_id]
        except KeyError:
            raise NotFoundError(f"unknown position {position_id!r}") from None

    def department_key(self, department_id: str) -> int:
        """The preorder number of a department. Raises NotFoundError when unknown."""
        try:
            return self.departments.key[department_id]
        except KeyError:
            raise NotFoundError(f"unknown department {department_id!r}") from None

    def person(self, person_id: str) -> Person:
        """The person with this id. Raises NotFoundError when unknown."""
        try:
            return self.people[person_id]
        except KeyError:
            raise NotFoundError(f"unknown person {person_id!r}") from None

    @staticmethod
    def row(keys: dict[str, int], what: str, node: str) -> int:
        """The row of `node` in `keys`. Raises NotFoundError when unknown."""
        try:
            return keys[node]
        except KeyError:
            raise NotFoundError(f"unknown {what} {node!r}") from None

    # ----------------------------------------------------------------------- queries

    def holders(self, key: int, day: int) -> list[str]:
        """People holding the position numbered `key` on `day`."""
        return self.by_position.active(key, key + 1, day)

    def position_keys_of(self, person_id: str, day: int) -> list[int]:
        """Preorder numbers of the positions `person_id` holds on `day`."""
        row = self.person_row(person_id)
        return [key for _, key in self.by_person.active_with_start(row, day)]

    def person_row(self, person_id: str) -> int:
        """The row of a person in `by_person`. Raises NotFoundError when unknown."""
        row = self.person_keys.get(person_id)
        if row is None:
            raise NotFoundError(f"unknown person {person_id!r}")
        return row

    def primary_position(self, person_id: str, day: int) -> int | None:
        """The position held longest on `day` (earliest start, then smallest id), or None."""
        held = self.by_person.active_with_start(self.person_row(person_id), day)
        if len(held) < 2:
            return held[0][1] if held else None
        ids = self.positions.ids
        return min(held, key=lambda entry: (entry[0], ids[entry[1]]))[1]

    def manager_chain(self, person_id: str, day: int, limit: int = -1) -> list[str]:
        """Holders of the filled positions above the primary position, nearest first.

        At each position the smallest id among holders not yet in the chain is taken; the
        walk stops after `limit` managers (no limit when negative). O(depth).
        """
        chain: list[str] = []
        key = self.primary_position(person_id, day)
        if key is None:
            return chain
        parent = self.positions.parent
        table = self.by_position
        offsets, starts, ends, values = table.offsets, table.starts, table.ends, table.values
        key = parent[key]
        while key >= 0 and len(chain) != limit:
            best: str | None = None
            for i in range(offsets[key], offsets[key + 1]):
                if starts[i] <= day <= ends[i]:
                    holder = values[i]
                    better = best is None or holder < best
                    if better and holder != person_id and holder not in chain:
                        best = holder
            if best is not None:
                chain.append(best)
            key = parent[key]
        return chain

    def manager_of(self, person_id: str, day: int) -> str | None:
        """The first link of the manager chain, or None."""
        chain = self.manager_chain(person_id, day, limit=1)
        return chain[0] if chain else None

    def direct_reports(self, person_id: str, day: int) -> set[str]:
        """People whose manager is `person_id` on `day`.

        O(positions between the person's and the nearest filled ones below).
        """
        found: set[str] = set()
        forest = self.positions
        for held in self.position_keys_of(person_id, day):
            stack = list(forest.children(held))
            while stack:
                key = stack.pop()
                holders = [h for h in self.holders(key, day) if h != person_id]
                if holders:
                    found.update(h for h in holders if self.manager_of(h, day) == person_id)
                else:
                    stack.extend(forest.children(key))
        return found

    def reports(self, person_id: str, day: int) -> frozenset[str]:
        """Holders of every position below the positions `person_id` holds. O(assignments below)."""
        end = self.positions.end
        found = frozenset().union(
            *(
                self.by_position.active(held + 1, end[held], day)
                for held in self.position_keys_of(person_id, day)
            )
        )
        return found - {person_id} if person_id in found else found

    def department_members(self, department_id: str, day: int) -> list[str]:
        """Holders of positions in the department and its sub-departments."""
        key = self.department_key(department_id)
        return self.by_department.active(key, self.departments.end[key], day)


class _Entries(NamedTuple):
    rows: list[int]
    starts: list[int]
    ends: list[int]
    values: list[str]


def _regrouped(entries: _Entries, group_of_row: list[int], groups: int) -> DatedTable[str]:
    """The same entries grouped by `group_of_row[row]` (entries of group -1 are dropped)."""
    _, starts, ends, values = entries
    keys = [group_of_row[row] for row in entries.rows]
    kept = [i for i, key in enumerate(keys) if key >= 0]
    return DatedTable(
        groups,
        [keys[i] for i in kept],
        [starts[i] for i in kept],
        [ends[i] for i in kept],
        [values[i] for i in kept],
    )


def day_of(as_of: dt.date) -> int:
    """The ordinal the index uses for `as_of`."""
    return as_of.toordinal()
