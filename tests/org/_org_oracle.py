"""Slow, obviously-correct answers to the organisation's queries, straight from the records."""

from __future__ import annotations

import datetime as dt

from workplan_core.org import Organisation


def holders(org: Organisation, position_id: str, day: dt.date) -> set[str]:
    return {
        a.person_id for a in org.assignments if a.position_id == position_id and a.active_on(day)
    }


def positions_of(org: Organisation, person_id: str, day: dt.date) -> set[str]:
    return {a.position_id for a in org.assignments if a.person_id == person_id and a.active_on(day)}


def primary_position(org: Organisation, person_id: str, day: dt.date) -> str | None:
    held = [a for a in org.assignments if a.person_id == person_id and a.active_on(day)]
    if not held:
        return None
    return min(held, key=lambda a: (a.start, a.position_id)).position_id


def manager_chain(org: Organisation, person_id: str, day: dt.date) -> tuple[str, ...]:
    above = {p.id: p.reports_to for p in org.positions}
    chain: list[str] = []
    current = primary_position(org, person_id, day)
    if current is None:
        return ()
    current = above[current]
    while current is not None:
        candidates = holders(org, current, day) - {person_id} - set(chain)
        if candidates:
            chain.append(min(candidates))
        current = above[current]
    return tuple(chain)


def descendants(parent: dict[str, str | None], node: str) -> set[str]:
    return {other for other in parent if other != node and node in ancestors(parent, other)}


def ancestors(parent: dict[str, str | None], node: str) -> list[str]:
    found: list[str] = []
    current = parent[node]
    while current is not None:
        found.append(current)
        current = parent[current]
    return found


def reports(org: Organisation, person_id: str, day: dt.date) -> set[str]:
    parent = {p.id: p.reports_to for p in org.positions}
    below: set[str] = set()
    for held in positions_of(org, person_id, day):
        below |= descendants(parent, held)
    people = set().union(*(holders(org, p, day) for p in below)) if below else set()
    return people - {person_id}


def department_members(org: Organisation, department_id: str, day: dt.date) -> set[str]:
    parent = {d.id: d.parent_id for d in org.departments}
    inside = descendants(parent, department_id) | {department_id}
    found: set[str] = set()
    for position in org.positions:
        if position.department_id in inside:
            found |= holders(org, position.id, day)
    return found
