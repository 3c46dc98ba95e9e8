"""Edits the workspace tests make to an organisation, as two services would."""

from __future__ import annotations

import attrs

from workplan_core.org import Organisation


def renamed(org: Organisation, index: int, name: str) -> Organisation:
    """`org` with its `index`-th person renamed."""
    people = list(org.people)
    people[index] = attrs.evolve(people[index], name=name)
    return attrs.evolve(org, people=tuple(people))


def without_person(org: Organisation, person_id: str) -> Organisation:
    """`org` without a person and every assignment and membership of theirs."""
    return attrs.evolve(
        org,
        people=tuple(p for p in org.people if p.id != person_id),
        assignments=tuple(a for a in org.assignments if a.person_id != person_id),
        role_assignments=tuple(r for r in org.role_assignments if r.person_id != person_id),
        team_memberships=tuple(m for m in org.team_memberships if m.person_id != person_id),
    )
