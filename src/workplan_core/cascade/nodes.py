"""Nodes of the cascade and their extra contributions.

A [Node][workplan_core.cascade.nodes.Node] is one objective, goal, target or task: a frozen
value. Its *primary parent* is its line of sight; extra
[Contribution][workplan_core.cascade.nodes.Contribution]s let it count towards other parents
too, each with its own weight. Rules that involve other nodes (unknown parents, cycles,
depths, periods, weights, units, owner kinds) are checked when a
[Cascade][workplan_core.cascade.cascade.Cascade] is built, all at once.
"""

from __future__ import annotations

import attrs

from workplan_core.cascade.measures import NOT_DONE, Measure
from workplan_core.cascade.rules import DEFAULT_RULE, RollupRule
from workplan_core.cascade.status import Status
from workplan_core.org.refs import OwnerRef
from workplan_core.periods import Period
from workplan_core.serialization import record_type

__all__ = ["Contribution", "Node"]


@attrs.frozen
class Contribution:
    """An extra alignment of a node to a parent other than its primary one.

    Attributes:
        parent: the id of the parent contributed to.
        weight: the weight of this contribution in that parent's rollup (positive).
    """

    parent: str
    weight: float = 1.0


@record_type("cascade.node", version=1)
@attrs.frozen
class Node:
    """One objective, goal, target or task of the cascade.

    Attributes:
        id: unique within the cascade.
        title: what it is, in a few words.
        level: the name of its level (e.g. ``"team goal"``).
        owner: who is accountable.
        period: when it runs.
        parent: the id of its primary parent (its line of sight), `None` at the top.
        contributions: extra parents it also counts towards, each with a weight.
        weight: its weight in its primary parent's rollup (positive).
        measure: how its own progress is read.
        rule: how its progress rolls up from its contributors.
        status: its own reported status.
        description: optional longer text.
        tags: optional labels.
        origin: the id of the node this one was carried over from by a rollover.
    """

    id: str
    title: str
    level: str
    owner: OwnerRef
    period: Period
    parent: str | None = None
    contributions: tuple[Contribution, ...] = ()
    weight: float = 1.0
    measure: Measure = NOT_DONE
    rule: RollupRule = DEFAULT_RULE
    status: Status = Status.NOT_STARTED
    description: str = ""
    tags: frozenset[str] = frozenset()
    origin: str | None = None

    @property
    def parents(self) -> tuple[str, ...]:
        """Every parent id: the primary parent first, then the contributions in order."""
        extra = tuple(c.parent for c in self.contributions)
        return extra if self.parent is None else (self.parent, *extra)
