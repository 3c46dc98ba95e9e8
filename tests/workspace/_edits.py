"""Edits the workspace tests make to an organisation, as two services would."""

from __future__ import annotations

import attrs

from workplan_core.org import Organisation


def renamed(org: Organisation, index: int, name: str) -> Organisation:
    """`org` with its `index`-th person renamed."""
    people = list(org.people)
    people[index] = attrs.evolve(people[index], name=name)
    return attrs.evolve(org, people=tuple(people))
