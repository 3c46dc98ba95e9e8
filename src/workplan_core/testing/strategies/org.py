"""Strategies for the organisation's records and for whole, valid organisations."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from typing import TypeVar

from hypothesis import strategies as st

from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    OwnerKind,
    OwnerRef,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)
from workplan_core.testing.strategies._registry import register_strategy

__all__ = [
    "assignments",
    "departments",
    "job_titles",
    "organisations",
    "owner_refs",
    "people",
    "positions",
    "role_assignments",
    "roles",
    "team_memberships",
    "teams",
]

M = TypeVar("M", RoleAssignment, TeamMembership)

_FIRST_DAY = dt.date(2021, 1, 1)  # memberships in generated organisations lie in these years
_LAST_DAY = dt.date(2025, 12, 31)


def _ids() -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10)


def _names() -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=20)


def _dates() -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31))


@st.composite
def _span(draw: st.DrawFn) -> tuple[dt.date, dt.date | None]:
    start = draw(_dates())
    length = draw(st.none() | st.integers(min_value=0, max_value=3000))
    return start, None if length is None else start + dt.timedelta(days=length)


@st.composite
def people(draw: st.DrawFn) -> Person:
    """People with any id and name, employed from a start to an end not before it (or open)."""
    start, end = draw(_span())
    return Person(draw(_ids()), draw(_names()), start, end)


def job_titles() -> st.SearchStrategy[JobTitle]:
    """Job titles with any id and name."""
    return st.builds(JobTitle, _ids(), _names())


def roles() -> st.SearchStrategy[Role]:
    """Roles with any id and name."""
    return st.builds(Role, _ids(), _names())


def departments() -> st.SearchStrategy[Department]:
    """Departments with any id and name, top or under some parent."""
    return st.builds(Department, _ids(), _names(), st.none() | _ids())


def teams() -> st.SearchStrategy[Team]:
    """Teams with any id and name, in some department or none."""
    return st.builds(Team, _ids(), _names(), st.none() | _ids())


def positions() -> st.SearchStrategy[Position]:
    """Positions with any ids, top or reporting to some position, single-holder or a pool."""
    return st.builds(Position, _ids(), _ids(), _ids(), st.none() | _ids(), st.booleans())


@st.composite
def assignments(draw: st.DrawFn) -> Assignment:
    """Assignments of some person to some position, ending not before they start (or open)."""
    start, end = draw(_span())
    return Assignment(draw(_ids()), draw(_ids()), start, end)


@st.composite
def role_assignments(draw: st.DrawFn) -> RoleAssignment:
    """Role assignments ending not before they start (or open)."""
    start, end = draw(_span())
    return RoleAssignment(draw(_ids()), draw(_ids()), start, end)


@st.composite
def team_memberships(draw: st.DrawFn) -> TeamMembership:
    """Team memberships ending not before they start (or open)."""
    start, end = draw(_span())
    return TeamMembership(draw(_ids()), draw(_ids()), start, end)


def owner_refs() -> st.SearchStrategy[OwnerRef]:
    """Owner references of every kind with any non-empty id."""
    return st.builds(OwnerRef, st.sampled_from(OwnerKind), _ids())


# Module-level strategies: building strategies inside a composite on every draw is slow.
_BOOL = st.booleans()
_SINGLE = st.sampled_from((True, True, False))  # mostly single-holder positions, some pools
_SPAN_DAYS = (_LAST_DAY - _FIRST_DAY).days
_DAY = st.integers(0, _SPAN_DAYS)
_CUTS = st.sets(_DAY, min_size=1, max_size=4)
_HIRED = st.integers(0, 6 * 365)  # days after 2015-01-01
_LEFT = st.integers(0, 3 * 365)  # days after 2026-01-01
_CUTS_N = st.integers(0, 4)
_ROOT = st.sampled_from((True, False, False, False, False))  # one tree node in five is a root


def _day(offset: int) -> dt.date:
    return _FIRST_DAY + dt.timedelta(days=offset)


def _index(draw: st.DrawFn, count: int) -> int:
    """An index below `count` (which must be positive)."""
    return draw(st.integers(0, count - 1))


def _maybe_index(draw: st.DrawFn, count: int) -> int | None:
    """`None` or an index below `count` (`None` when `count` is 0)."""
    return None if count == 0 or draw(_BOOL) else _index(draw, count)


def _tree(draw: st.DrawFn, prefix: str, count: int) -> list[tuple[str, str | None]]:
    """`count` (id, parent id) pairs forming a forest: each parent comes earlier."""
    nodes: list[tuple[str, str | None]] = []
    for i in range(count):
        above = None if i == 0 or draw(_ROOT) else _index(draw, i)
        nodes.append((f"{prefix}{i}", None if above is None else nodes[above][0]))
    return nodes


def _tenures(
    draw: st.DrawFn, staff: list[Person], single_holder: bool
) -> list[tuple[Person, dt.date, dt.date | None]]:
    """Back-to-back spans of one position (several chains for a pool).

    Spans of one person never overlap, and an open span is closed when its holder leaves.
    """
    chains = 1 if single_holder else draw(st.integers(1, 3))
    kept: list[tuple[Person, dt.date, dt.date | None]] = []
    for _ in range(chains):
        cuts = sorted(draw(_CUTS))
        open_end = draw(_BOOL)
        for i, cut in enumerate(cuts):
            holder = staff[_index(draw, len(staff))]
            start = _day(cut)
            end: dt.date | None = _day(cuts[i + 1] - 1) if i + 1 < len(cuts) else None
            if end is None and (holder.end is not None or not open_end):
                end = _LAST_DAY
            clash = any(
                p is holder and (e is None or start <= e) and (end is None or s <= end)
                for p, s, e in kept
            )
            if not clash:
                kept.append((holder, start, end))
    return kept


def _person(draw: st.DrawFn, number: int) -> Person:
    start = dt.date(2015, 1, 1) + dt.timedelta(days=draw(_HIRED))
    leaves = draw(_BOOL)
    end = dt.date(2026, 1, 1) + dt.timedelta(days=draw(_LEFT)) if leaves else None
    return Person(f"p{number}", f"Person {number}", start, end)


@st.composite
def organisations(draw: st.DrawFn, max_people: int = 8, max_positions: int = 10) -> Organisation:
    """Small valid organisations with moves, leavers, pools, roles and teams.

    Departments and positions form forests; single-holder positions and pools are mixed;
    assignments run back to back (moves). Employment spans every membership: people start by
    2020 and leave in 2026 or later, while memberships lie in 2021–2025.
    """
    depts = [
        Department(d, f"Department {d}", parent)
        for d, parent in _tree(draw, "d", draw(st.integers(1, 4)))
    ]
    titles = [JobTitle(f"jt{i}", f"Title {i}") for i in range(draw(st.integers(1, 3)))]
    role_list = [Role(f"r{i}", f"Role {i}") for i in range(draw(st.integers(0, 2)))]
    staff = [_person(draw, i) for i in range(draw(st.integers(1, max_people)))]
    seats: list[Position] = []
    held: list[Assignment] = []
    for pid, above in _tree(draw, "pos", draw(st.integers(1, max_positions))):
        single = draw(_SINGLE)
        title = titles[_index(draw, len(titles))].id
        seats.append(Position(pid, title, depts[_index(draw, len(depts))].id, above, single))
        held.extend(Assignment(p.id, pid, s, e) for p, s, e in _tenures(draw, staff, single))
    team_list = []
    for i in range(draw(st.integers(0, 2))):
        at = _maybe_index(draw, len(depts))
        team_list.append(Team(f"t{i}", f"Team {i}", None if at is None else depts[at].id))
    return Organisation(
        people=tuple(staff),
        job_titles=tuple(titles),
        roles=tuple(role_list),
        departments=tuple(depts),
        teams=tuple(team_list),
        positions=tuple(seats),
        assignments=tuple(held),
        role_assignments=tuple(_memberships(draw, staff, role_list, RoleAssignment)),
        team_memberships=tuple(_memberships(draw, staff, team_list, TeamMembership)),
    )


def _memberships(
    draw: st.DrawFn,
    staff: list[Person],
    groups: list[Role] | list[Team],
    kind: Callable[[str, str, dt.date, dt.date | None], M],
) -> list[M]:
    """At most one membership per (person, group) pair, inside 2021–2025."""
    if not groups:
        return []
    pairs = {(_index(draw, len(staff)), _index(draw, len(groups))) for _ in range(draw(_CUTS_N))}
    found: list[M] = []
    for person_at, group_at in sorted(pairs):
        person = staff[person_at]
        first = draw(_DAY)
        start = _day(first)
        end: dt.date | None = None if draw(_BOOL) else _day(draw(st.integers(first, _SPAN_DAYS)))
        if end is None and person.end is not None:
            end = _LAST_DAY
        found.append(kind(person.id, groups[group_at].id, start, end))
    return found


register_strategy(Person, people())
register_strategy(JobTitle, job_titles())
register_strategy(Role, roles())
register_strategy(Department, departments())
register_strategy(Team, teams())
register_strategy(Position, positions())
register_strategy(Assignment, assignments())
register_strategy(RoleAssignment, role_assignments())
register_strategy(TeamMembership, team_memberships())
register_strategy(OwnerRef, owner_refs())
register_strategy(Organisation, organisations())
