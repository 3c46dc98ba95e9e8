"""The rules an organisation must keep, checked all at once.

[organisation_problems][workplan_core.org.validation.organisation_problems] returns every broken
rule as a [Problem][workplan_core.errors.Problem] whose path points into the organisation's
record tuples, e.g. ``$.assignments[3].end``.

First it checks the kinds: every collection is a tuple of its own record type (records check
the kinds of their own fields when made). Entries of the wrong kind are reported alone, since the
rules below read the records' fields; once the kinds are right, the rules are checked all at once:

* ids are non-empty and unique within their collection;
* every reference names an existing record (job title, department, position, person, role, team);
* no record ends before it starts;
* neither the position hierarchy (`reports_to`) nor the department tree (`parent_id`) has a cycle;
* a single-holder position is never held by two assignments on the same day, and nobody holds the
  same position, role or team membership twice on the same day;
* assignments, role assignments and team memberships lie within the person's employment.

Every check is a linear pass (plus a sort inside each group of records that share a position,
role or team), so validating `n` records costs O(n log k) for groups of size `k`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from itertools import compress, count, repeat
from operator import attrgetter, lt
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import attrs

from workplan_core.errors import Problem
from workplan_core.org.memberships import Assignment, RoleAssignment, TeamMembership
from workplan_core.org.records import Department, JobTitle, Person, Position, Role, Team

if TYPE_CHECKING:
    from workplan_core.org.organisation import Organisation

__all__ = ["organisation_problems"]


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


class _Dated(Protocol):
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date | None: ...


class _Membership(_Dated, Protocol):
    @property
    def person_id(self) -> str: ...


_ID = attrgetter("id")
_PERSON_ID = attrgetter("person_id")
_START = attrgetter("start")

_KEYED = ("people", "job_titles", "roles", "departments", "teams", "positions")
_DATED = ("people", "assignments", "role_assignments", "team_memberships")
_MEMBERSHIPS = ("assignments", "role_assignments", "team_memberships")


class _Reference(NamedTuple):
    """A field of one collection that names a record of another."""

    collection: str
    field: str
    target: str
    what: str
    optional: bool


_REFERENCES = (
    _Reference("positions", "job_title_id", "job_titles", "job title", False),
    _Reference("positions", "department_id", "departments", "department", False),
    _Reference("positions", "reports_to", "positions", "position", True),
    _Reference("departments", "parent_id", "departments", "department", True),
    _Reference("teams", "department_id", "departments", "department", True),
    _Reference("assignments", "person_id", "people", "person", False),
    _Reference("assignments", "position_id", "positions", "position", False),
    _Reference("role_assignments", "person_id", "people", "person", False),
    _Reference("role_assignments", "role_id", "roles", "role", False),
    _Reference("team_memberships", "person_id", "people", "person", False),
    _Reference("team_memberships", "team_id", "teams", "team", False),
)


RECORD_TYPES: tuple[tuple[str, type[Any]], ...] = (
    ("people", Person),
    ("job_titles", JobTitle),
    ("roles", Role),
    ("departments", Department),
    ("teams", Team),
    ("positions", Position),
    ("assignments", Assignment),
    ("role_assignments", RoleAssignment),
    ("team_memberships", TeamMembership),
)
"""Each collection of an organisation, in field order, and the record type it holds."""


def _a(name: str) -> str:
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def kind_problems(org: Organisation) -> list[Problem]:
    """Every collection that is not a tuple, and every entry not of its collection's type.

    One C-level pass over the types of each collection in the common case. O(n).
    """
    problems: list[Problem] = []
    for name, cls in RECORD_TYPES:
        records = getattr(org, name)
        if type(records) is not tuple:
            problems.append(
                Problem(
                    f"$.{name}",
                    f"must be a tuple of {cls.__name__} records, got {type(records).__name__}",
                )
            )
        elif records and not frozenset((cls,)).issuperset(map(type, records)):
            problems.extend(
                Problem(f"$.{name}[{index}]", f"must be {_a(cls.__name__)}, got {type(r).__name__}")
                for index, r in enumerate(records)
                if not isinstance(r, cls)
            )
    return problems


def organisation_problems(org: Organisation) -> list[Problem]:
    """Check every rule on `org` and return all the problems found (empty when valid).

    Entries of the wrong kind are reported first and alone (see the module docstring).

    Complexity: O(n log k) for `n` records in groups of at most `k` records sharing a position,
    role or team.
    """
    kinds = kind_problems(org)
    if kinds:
        return kinds
    first = {name: _first_index(getattr(org, name)) for name in _KEYED}
    invalid = {name: _invalid_dates(getattr(org, name)) for name in _DATED}
    problems: list[Problem] = []
    for name in _KEYED:
        problems.extend(_id_problems(name, getattr(org, name), first[name]))
    for ref in _REFERENCES:
        problems.extend(_reference_problems(org, first, ref))
    for name in _DATED:
        problems.extend(_date_problems(name, getattr(org, name), invalid[name]))
    problems.extend(_cycle_problems(org, first))
    problems.extend(_overlap_problems(org, invalid))
    employment = _Employment.of(org.people, invalid["people"])
    for name in _MEMBERSHIPS:
        problems.extend(employment.problems(name, getattr(org, name), invalid[name]))
    return problems


def _first_index(records: Sequence[_Keyed]) -> dict[str, int]:
    """Each id's first index; built backwards so that the first occurrence wins."""
    ids = map(_ID, reversed(records))
    return dict(zip(ids, range(len(records) - 1, -1, -1), strict=True))


def _id_problems(name: str, records: Sequence[_Keyed], first: dict[str, int]) -> Iterator[Problem]:
    if len(first) == len(records) and "" not in first:
        return  # every id is distinct and non-empty
    for index, record in enumerate(records):
        seen = first[record.id]
        if not record.id:
            yield Problem(f"$.{name}[{index}].id", "must not be empty")
        elif seen != index:
            yield Problem(
                f"$.{name}[{index}].id",
                f"duplicate id {record.id!r} (first used at $.{name}[{seen}])",
            )


def _reference_problems(
    org: Organisation, first: dict[str, dict[str, int]], ref: _Reference
) -> Iterator[Problem]:
    known = first[ref.target]
    values = list(map(attrgetter(ref.field), getattr(org, ref.collection)))
    missing = set(values).difference(known)  # one pass in C; usually empty
    if ref.optional:
        missing.discard(None)
    if not missing:
        return
    for index, value in enumerate(values):
        if value not in missing:
            continue
        yield Problem(f"$.{ref.collection}[{index}].{ref.field}", f"unknown {ref.what} {value!r}")


def _invalid_dates(records: Sequence[_Dated]) -> set[int]:
    """Indices of the records that end before they start."""
    return {i for i, r in enumerate(records) if r.end is not None and r.end < r.start}


def _date_problems(name: str, records: Sequence[_Dated], invalid: set[int]) -> Iterator[Problem]:
    for index in sorted(invalid):
        yield Problem(
            f"$.{name}[{index}].end",
            f"must not be before start ({records[index].start.isoformat()})",
        )


def _cycle_problems(org: Organisation, first: dict[str, dict[str, int]]) -> Iterator[Problem]:
    trees = (
        ("positions", "reports_to", "reporting cycle"),
        ("departments", "parent_id", "department cycle"),
    )
    for name, field, label in trees:
        records = getattr(org, name)
        get = attrgetter(field)
        parent = {record.id: get(record) for record in records}
        for cycle in _find_cycles(parent):
            index = min(first[name][node] for node in cycle)
            start = records[index].id
            at = cycle.index(start)
            ordered = [*cycle[at:], *cycle[:at], start]
            yield Problem(f"$.{name}[{index}].{field}", f"{label}: {' -> '.join(ordered)}")


def _find_cycles(parent: dict[str, str | None]) -> list[list[str]]:
    """Return every cycle of the parent map `parent` (each cycle once, as a list of nodes).

    A node whose parent is `None` or unknown ends its path. Complexity: O(n).
    """
    state: dict[str, bool] = {}  # True while on the current path, False once finished
    cycles: list[list[str]] = []
    for node in parent:
        path: list[str] = []
        current: str | None = node
        while current is not None and current not in state:
            state[current] = True
            path.append(current)
            current = parent.get(current)
        if current is not None and state[current]:
            cycles.append(path[path.index(current) :])
        for visited in path:
            state[visited] = False
    return cycles


def _overlap_problems(org: Organisation, invalid: dict[str, set[int]]) -> Iterator[Problem]:
    single = {p.id for p in org.positions if p.single_holder}
    keys: list[Hashable] = [
        a.position_id if a.position_id in single else (a.position_id, a.person_id)
        for a in org.assignments
    ]

    def assignment_message(key: str | tuple[str, str], other: int) -> str:
        if isinstance(key, tuple):
            return f"overlaps $.assignments[{other}]: {key[1]!r} already holds position {key[0]!r}"
        return f"overlaps $.assignments[{other}] in single-holder position {key!r}"

    def role_message(key: tuple[str, str], other: int) -> str:
        person, role = key
        return f"overlaps $.role_assignments[{other}]: {person!r} already holds role {role!r}"

    def team_message(key: tuple[str, str], other: int) -> str:
        person, team = key
        return f"overlaps $.team_memberships[{other}]: {person!r} is already in team {team!r}"

    yield from _overlaps(
        "assignments", org.assignments, keys, invalid["assignments"], assignment_message
    )
    role_keys: list[Hashable] = [(r.person_id, r.role_id) for r in org.role_assignments]
    yield from _overlaps(
        "role_assignments",
        org.role_assignments,
        role_keys,
        invalid["role_assignments"],
        role_message,
    )
    team_keys: list[Hashable] = [(m.person_id, m.team_id) for m in org.team_memberships]
    yield from _overlaps(
        "team_memberships",
        org.team_memberships,
        team_keys,
        invalid["team_memberships"],
        team_message,
    )


def _overlaps(
    name: str,
    records: Sequence[_Dated],
    keys: list[Hashable],
    invalid: set[int],
    message: Callable[[Any, int], str],
) -> Iterator[Problem]:
    """Overlapping records among those sharing a key; only repeated keys are grouped."""
    repeated = {key for key, n in Counter(keys).items() if n > 1}
    if not repeated:
        return
    groups: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        if key in repeated and index not in invalid:
            groups.setdefault(key, []).append(index)
    for group_key, indices in groups.items():
        for index, other in _overlapping_pairs(records, indices):
            yield Problem(f"$.{name}[{index}]", message(group_key, other))


def _overlapping_pairs(records: Sequence[_Dated], indices: list[int]) -> Iterator[tuple[int, int]]:
    """Pairs (later, earlier) of overlapping records: a sweep by start, O(k log k)."""
    ordered = sorted(indices, key=lambda i: (records[i].start, i))
    reach = ordered[0]  # the record seen so far that ends last
    for index in ordered[1:]:
        reach_end = records[reach].end
        if reach_end is None or records[index].start <= reach_end:
            yield index, reach
        end = records[index].end
        if reach_end is not None and (end is None or end > reach_end):
            reach = index


@attrs.frozen
class _Employment:
    """First day of employment of every validly dated person, and last day of the leavers."""

    starts: dict[str, dt.date]
    ends: dict[str, dt.date]

    @classmethod
    def of(cls, people: Sequence[Person], invalid: set[int]) -> _Employment:
        last = len(people) - 1
        valid = [p for i, p in enumerate(reversed(people)) if last - i not in invalid]
        starts = {p.id: p.start for p in valid}
        ends = {p.id: p.end for p in valid if p.end is not None}
        return cls(starts, ends)

    def problems(
        self, name: str, records: Sequence[_Membership], invalid: set[int]
    ) -> Iterator[Problem]:
        """Records outside the employment of their (known, validly dated) person."""
        starts, ends = self.starts, self.ends
        people = list(map(_PERSON_ID, records))
        employed_from = map(starts.get, people, repeat(dt.date.min))
        early = list(compress(count(), map(lt, map(_START, records), employed_from)))
        leavers = list(compress(count(), map(ends.__contains__, people)))
        late = [i for i in leavers if (end := records[i].end) is None or end > ends[people[i]]]
        for index in early:
            if index not in invalid:
                person = records[index].person_id
                yield Problem(
                    f"$.{name}[{index}].start",
                    f"before {person!r} is employed (from {starts[person].isoformat()})",
                )
        for index in late:
            if index not in invalid:
                person = records[index].person_id
                yield Problem(
                    f"$.{name}[{index}].end",
                    f"after {person!r} leaves ({ends[person].isoformat()})",
                )
