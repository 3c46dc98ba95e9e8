"""A seeded generator of realistic organisations, from 10 to 1,000,000 people.

[generate_organisation][workplan_core.synthetic.org.generate_organisation] grows a position
hierarchy breadth-first with spans of 5 to 12 reports, cuts it into a department tree (a top
office, divisions by function, then units), gives every position a job title by function and
grade, and staffs it with up to ten years of history before `as_of`:

* most positions have one holder since their start date, a few are vacant;
* about one person in twelve left; half of their positions were filled by an internal move
  (the mover's old position then got a new hire, sometimes starting after `as_of`), the other
  half by a new hire after a gap of up to two months;
* every manager position leads a team of the holders of the positions reporting to it;
* a few people hold roles such as "Fire warden".

The same `size`, `seed` and `as_of` always give the same organisation, and the result passes
[Organisation.validate][workplan_core.org.Organisation.validate] by construction (it is returned
unvalidated, so that callers can time the two steps apart). Complexity: O(size).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import attrs

from workplan_core._collector import collector_paused
from workplan_core.errors import ValidationError
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)
from workplan_core.synthetic._names import (
    FIRST_NAMES,
    FUNCTIONS,
    LAST_NAMES,
    ROLE_NAMES,
    UNIT_QUALIFIERS,
)

__all__ = ["DEFAULT_AS_OF", "MIN_SIZE", "generate_organisation"]

DEFAULT_AS_OF = dt.date(2027, 3, 31)
"""The date a synthetic organisation is generated up to, unless another is given."""

MIN_SIZE = 10
"""The smallest organisation the generator makes."""

_HISTORY_DAYS = 3650  # the earliest start lies this many days before as_of
_FUTURE_DAYS = 200  # the latest start lies at most this many days after as_of


@attrs.define
class _Tree:
    """The position hierarchy as parallel lists; node 0 is the top, children are contiguous."""

    parent: list[int]
    depth: list[int]
    managers: int  # nodes 0..managers-1 have children, the rest are leaves


@attrs.define
class _Structure:
    """Departments, job titles and positions of a grown tree."""

    departments: list[Department]
    job_titles: list[JobTitle]
    positions: list[Position]
    department_of: list[int]


_Tenure = tuple[int, int, int, int | None]
"""(position, person, first day, last day or None) with days as ordinals."""


@attrs.define
class _Staffing:
    """People, their assignments, and the same assignments as tenures."""

    people: list[Person]
    assignments: list[Assignment]
    tenures: list[_Tenure]


class _Draw:
    """Fast seeded draws: `random.Random.random` scaled, several times quicker than `randint`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random: Callable[[], float] = self.rng.random

    def between(self, lo: int, hi: int) -> int:
        """An integer from `lo` to `hi`, both included."""
        return lo + int(self.random() * (hi - lo + 1))

    def below(self, n: int) -> int:
        """An integer from 0 to `n - 1`."""
        return int(self.random() * n)


class _Days:
    """Ordinal-to-date look-up over the generator's window (faster than `date.fromordinal`)."""

    def __init__(self, as_of: dt.date) -> None:
        self.end = as_of.toordinal()
        self.first = self.end - _HISTORY_DAYS
        last = self.end + _FUTURE_DAYS
        self.dates = [dt.date.fromordinal(day) for day in range(self.first, last + 1)]

    def date(self, day: int | None) -> dt.date | None:
        """The date of an ordinal, `None` for `None`."""
        return None if day is None else self.dates[day - self.first]


def generate_organisation(size: int, seed: int = 0, as_of: dt.date = DEFAULT_AS_OF) -> Organisation:
    """Generate a realistic organisation of exactly `size` people (current staff and leavers).

    Args:
        size: the number of people, at least 10 (tested up to 1,000,000).
        seed: the random seed; the same seed gives the same organisation.
        as_of: the date the history runs up to (a few hires start shortly after it).

    Returns:
        An organisation that passes validation (not validated here; call `validate()`).

    Raises:
        ValidationError: `size` is below 10.
    """
    if size < MIN_SIZE:
        raise ValidationError.single("$.size", f"must be at least {MIN_SIZE}")
    with collector_paused(settle=True):
        return _generate(size, _Draw(seed), as_of)


def _generate(size: int, draw: _Draw, as_of: dt.date) -> Organisation:
    leavers = size // 12
    current = size - leavers
    tree = _grow_tree(draw, current + current // 40)  # about one position in 40 is vacant
    structure = _build_structure(draw, tree)
    days = _Days(as_of)
    staffing = _staff(draw, structure.positions, days, current=current, leavers=leavers)
    teams, memberships = _teams(tree, structure, staffing, days)
    roles, role_assignments = _roles(draw, staffing, days)
    return Organisation(
        people=tuple(staffing.people),
        job_titles=tuple(structure.job_titles),
        roles=tuple(roles),
        departments=tuple(structure.departments),
        teams=tuple(teams),
        positions=tuple(structure.positions),
        assignments=tuple(staffing.assignments),
        role_assignments=tuple(role_assignments),
        team_memberships=tuple(memberships),
    )


def _grow_tree(draw: _Draw, count: int) -> _Tree:
    """Grow `count` positions breadth-first, each manager getting 5 to 12 reports. O(count)."""
    parent, depth = [-1], [0]
    manager = 0
    while len(parent) < count:
        span = min(draw.between(5, 12), count - len(parent))
        parent.extend([manager] * span)
        depth.extend([depth[manager] + 1] * span)
        manager += 1
    return _Tree(parent, depth, manager)


def _department_levels(count: int) -> int:
    """How many levels of managers below the top head a department of their own."""
    if count < 100:
        return 1
    if count < 5_000:
        return 2
    if count < 200_000:
        return 3
    return 4


class _Departments:
    """The department tree as it grows: the top office, divisions by function, then units."""

    def __init__(self) -> None:
        self.records = [Department("d-00001", "Executive Office")]
        self.units: dict[int, int] = {}  # department -> units created under it

    def add_under(self, parent: int, function: str | None) -> int:
        """Add a division (named by `function`) or a unit under `parent`; return its number."""
        unit = self.units.get(parent, 0)
        self.units[parent] = unit + 1
        above = self.records[parent]
        name = function or f"{above.name} {UNIT_QUALIFIERS[unit % len(UNIT_QUALIFIERS)]}"
        self.records.append(Department(f"d-{len(self.records) + 1:05d}", name, above.id))
        return len(self.records) - 1


def _build_structure(draw: _Draw, tree: _Tree) -> _Structure:
    """Departments, job titles and positions for the tree. O(positions)."""
    count = len(tree.parent)
    levels = _department_levels(count)
    departments = _Departments()
    department_of = [0] * count
    function_of = [0] * count
    titles: dict[tuple[int, str], JobTitle] = {}
    ceo = JobTitle("jt-ceo", "Chief Executive Officer")
    ids = _numbered("pos-", count)
    positions = [Position(ids[0], ceo.id, departments.records[0].id)]
    for k in range(1, count):
        above, depth = tree.parent[k], tree.depth[k]
        function_of[k] = (k - 1) % len(FUNCTIONS) if depth == 1 else function_of[above]
        heads = k < tree.managers and depth <= levels
        department_of[k] = (
            departments.add_under(
                department_of[above], FUNCTIONS[function_of[k]] if depth == 1 else None
            )
            if heads
            else department_of[above]
        )
        grade = _grade(draw, tree, k, heads)
        title = titles.get((function_of[k], grade))
        if title is None:
            title = titles[function_of[k], grade] = _job_title(FUNCTIONS[function_of[k]], grade)
        department_id = departments.records[department_of[k]].id
        positions.append(Position(ids[k], title.id, department_id, ids[above]))
    return _Structure(departments.records, [ceo, *titles.values()], positions, department_of)


def _grade(draw: _Draw, tree: _Tree, k: int, heads: bool) -> str:
    if tree.depth[k] == 1:
        return "director"
    if heads:
        return "head"
    if k < tree.managers:
        return "manager"
    return "senior" if draw.random() < 0.3 else "specialist"


def _job_title(function: str, grade: str) -> JobTitle:
    names = {
        "director": f"Director of {function}",
        "head": f"Head of {function}",
        "manager": f"{function} Manager",
        "senior": f"Senior {function} Specialist",
        "specialist": f"{function} Specialist",
    }
    slug = function.lower().replace(" ", "-")
    return JobTitle(f"jt-{slug}-{grade}", names[grade])


@attrs.define
class _Events:
    """What happened to the positions: first holders' spans, moves and later hires."""

    first_start: dict[int, int] = attrs.Factory(dict)  # position -> first holder's first day
    first_end: dict[int, int] = attrs.Factory(dict)  # position -> first holder's last day there
    moves: list[tuple[int, int, int]] = attrs.Factory(list)  # (to, from, first day)
    hires: list[tuple[int, int]] = attrs.Factory(list)  # (position, first day)


def _departures(draw: _Draw, leaving: list[int], sources: list[int], end: int) -> _Events:
    """Leavers, each replaced by an internal move (half the time) or a new hire."""
    events = _Events()
    earliest = end - _HISTORY_DAYS
    spare = iter(sources)
    for k in leaving:
        first = events.first_start[k] = draw.between(earliest, end - 400)
        last = events.first_end[k] = draw.between(first + 30, end - 30)
        start = last + draw.between(1, 61)
        if draw.random() < 0.5:
            source = next(spare)
            events.first_start[source] = draw.between(earliest, start - 31)
            events.first_end[source] = start - 1
            events.moves.append((k, source, start))
            events.hires.append((source, start + draw.between(1, 61)))
        else:
            events.hires.append((k, start))
    return events


def _staff(
    draw: _Draw, positions: list[Position], days: _Days, *, current: int, leavers: int
) -> _Staffing:
    """People and assignments: first holders, leavers, internal moves and new hires. O(size)."""
    count = len(positions)
    vacancies = count - current
    chosen = draw.rng.sample(range(1, count), vacancies + 2 * leavers)
    vacant = set(chosen[:vacancies])
    leaving = chosen[vacancies : vacancies + leavers]
    events = _departures(draw, leaving, chosen[vacancies + leavers :], days.end)
    ids = _numbered("p-", current + leavers)
    left = set(leaving)
    holder = [-1] * count
    people: list[Person] = []
    tenures: list[_Tenure] = []
    earliest, first_start, first_end = days.first, events.first_start, events.first_end
    for k in range(count):
        if k in vacant:
            continue
        start = first_start.get(k) or draw.between(earliest, days.end - 10)
        stop = first_end.get(k)
        holder[k] = number = len(people)
        people.append(_person(draw, ids[number], days, start, stop if k in left else None))
        tenures.append((k, number, start, stop))
    tenures.extend((k, holder[source], start, None) for k, source, start in events.moves)
    for k, start in events.hires:
        tenures.append((k, len(people), start, None))
        people.append(_person(draw, ids[len(people)], days, start, None))
    dates, first = days.dates, days.first
    assignments = [
        Assignment(
            people[person].id,
            positions[k].id,
            dates[start - first],
            None if stop is None else dates[stop - first],
        )
        for k, person, start, stop in tenures
    ]
    return _Staffing(people, assignments, tenures)


_FULL_NAMES = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]


def _person(draw: _Draw, person_id: str, days: _Days, start: int, end: int | None) -> Person:
    name = _FULL_NAMES[draw.below(len(_FULL_NAMES))]  # shared strings: less memory
    return Person(person_id, name, days.dates[start - days.first], days.date(end))


def _numbered(prefix: str, count: int) -> list[str]:
    """`count` ids such as ``p-0001`` … ``p-1000``, zero-padded so they sort by number."""
    width = len(str(count))
    return [f"{prefix}%0{width}d" % number for number in range(1, count + 1)]


def _teams(
    tree: _Tree, structure: _Structure, staffing: _Staffing, days: _Days
) -> tuple[list[Team], list[TeamMembership]]:
    """One team per manager position; its members hold the positions reporting to it. O(size)."""
    ids = _numbered("t-", tree.managers)
    departments = structure.departments
    teams: list[Team] = []
    per_department: dict[int, int] = {}
    for k in range(tree.managers):
        department = structure.department_of[k]
        number = per_department[department] = per_department.get(department, 0) + 1
        name = f"{departments[department].name} team {number}"
        teams.append(Team(ids[k], name, departments[department].id))
    people, parent, dates, first = staffing.people, tree.parent, days.dates, days.first
    memberships = [
        TeamMembership(
            people[person].id,
            teams[parent[k]].id,
            dates[start - first],
            None if stop is None else dates[stop - first],
        )
        for k, person, start, stop in staffing.tenures
        if k > 0
    ]
    return teams, memberships


def _roles(
    draw: _Draw, staffing: _Staffing, days: _Days
) -> tuple[list[Role], list[RoleAssignment]]:
    """The roles, held by about one current holder in fifty since some day of their tenure."""
    roles = [Role(f"r-{i + 1:02d}", name) for i, name in enumerate(ROLE_NAMES)]
    end = days.end
    current = [
        (p, start) for _, p, start, stop in staffing.tenures if stop is None and start <= end
    ]
    held: list[RoleAssignment] = []
    for person, start in sorted(draw.rng.sample(current, max(1, len(current) // 50))):
        first = max(start, end - draw.between(0, 900))
        stop = first + draw.between(30, 300) if draw.random() < 0.3 else None
        if stop is not None and stop > end:
            stop = None
        role = roles[draw.below(len(roles))]
        held.append(
            RoleAssignment(
                staffing.people[person].id, role.id, days.dates[first - days.first], days.date(stop)
            )
        )
    return roles, held
