"""Rollover: carry unfinished work into the next period, keeping history.

At the end of a period, [rollover][workplan_core.cascade.rollover.rollover] copies every
unfinished node whose period ends within it, together with its unfinished subtree, into the
next period as new nodes. Each copy records its `origin` (the id it was carried from); the
originals stay untouched, so the old period's history can still be rolled up and reported.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.full import rollup
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.results import Rollup
from workplan_core.periods import Period

__all__ = ["RolloverResult", "rollover"]


@attrs.frozen
class RolloverResult:
    """The nodes carried over and where each came from.

    Attributes:
        carried: the new nodes, in the order of their origins.
        links: ``(origin id, new id)`` pairs, in the same order.
    """

    carried: tuple[Node, ...]
    links: tuple[tuple[str, str], ...]

    def apply(self, cascade: Cascade) -> Cascade:
        """The cascade with the carried nodes added after the originals. O(n).

        Raises:
            ValidationError: a copy breaks a rule (e.g. its parent's period does not cover the
                new period and periods are checked as errors).
        """
        return Cascade([*cascade.nodes, *self.carried], cascade.config)


def _default_id(into: Period) -> Callable[[Node], str]:
    """Name copies ``"<id>@<first day of into>"``; ids do not grow with each carry.

    A copy made by an earlier rollover is named from the id it got then, without the first
    day it got then.
    """
    suffix = into.start.isoformat()

    def name(node: Node) -> str:
        earlier = f"@{node.period.start.isoformat()}"
        base = node.id
        if node.origin is not None and base.endswith(earlier) and len(base) > len(earlier):
            base = base[: -len(earlier)]
        return f"{base}@{suffix}"

    return name


def rollover(
    cascade: Cascade,
    *,
    ending: Period,
    into: Period,
    rolled: Rollup | None = None,
    new_id: Callable[[Node], str] | None = None,
) -> RolloverResult:
    """Carry the unfinished nodes of a period that is ending into the next one.

    A node is carried when its rolled-up status is neither done nor cancelled and either its
    period ends within `ending`, or its primary parent is carried (its unfinished subtree
    goes with it). Each copy gets a new id, the period `into`, `origin` set to the original's
    id, and its parent and contributions pointed at the copies of carried parents; everything
    else (measure with its reading, status, weight, rule, owner) is kept. Done and cancelled
    nodes stay behind with their origins.

    Args:
        cascade: the cascade.
        ending: the period that is ending.
        into: the period the copies run in.
        rolled: a rollup of `cascade` to judge "unfinished" by (computed when omitted).
        new_id: names each copy (default: ``"<id>@<first day of into>"``; a node that is
            itself a copy, ``"t4@2027-01-01"``, is named from its id without that first
            day: ``"t4@2027-04-01"``, so ids do not grow with each carry).

    Returns:
        The copies and their links; `RolloverResult.apply` adds them to the cascade. O(n).
    """
    rolled = rolled if rolled is not None else rollup(cascade)
    naming = new_id if new_id is not None else _default_id(into)
    index = cascade.index
    open_ = [not rolled.result_at(p).status.is_closed for p in range(len(index))]
    carried = [False] * len(index)
    for position in sorted(range(len(index)), key=index.depth.__getitem__):
        if not open_[position]:
            continue
        end = index.nodes[position].period.end
        parent = index.parent[position]
        carried[position] = ending.start <= end <= ending.end or (parent >= 0 and carried[parent])
    renamed = {index.ids[p]: naming(index.nodes[p]) for p in range(len(index)) if carried[p]}
    copies = []
    for position, node in enumerate(index.nodes):
        if not carried[position]:
            continue
        contributions = tuple(
            attrs.evolve(c, parent=renamed.get(c.parent, c.parent)) for c in node.contributions
        )
        parent_id = None if node.parent is None else renamed.get(node.parent, node.parent)
        copies.append(
            attrs.evolve(
                node,
                id=renamed[node.id],
                period=into,
                parent=parent_id,
                contributions=contributions,
                origin=node.id,
            )
        )
    return RolloverResult(tuple(copies), tuple(renamed.items()))
