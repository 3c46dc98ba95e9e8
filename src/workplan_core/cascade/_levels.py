"""Level plans: what rolling up one level of the children table reads, worked out once.

Rolling up a level reads, for each of its parents, a span of the children table, and gathers
its children's progress and status codes. The spans and the gather depend only on the
cascade's shape, so a whole level's plan is built once per compiled cascade (see
`CascadeIndex.level_plans`) and reused by every full rollup; a plan for any other set of
same-level parents (a partial rollup) is built on the spot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from operator import itemgetter, sub
from typing import Any

from workplan_core.cascade._graph import Children

__all__ = ["LevelPlan", "gatherer"]


class LevelPlan:
    """The spans of the children table that a set of same-level parents rolls up from.

    Attributes:
        parents: the parents, in children-table order.
        lo: where the first parent's children start in the table.
        hi: where the last parent's children end.
        starts: per parent, where its children start, relative to `lo`.
        ends: per parent, where its children end, relative to `lo`.
        spans: per parent, ``slice(start, end)``.
        sizes: per parent, how many children it has.
        kids: the table's child positions between `lo` and `hi`.
        take: gathers the entries of `kids` from any per-position sequence, as a tuple.
    """

    __slots__ = ("ends", "hi", "kids", "lo", "parents", "sizes", "spans", "starts", "take")

    def __init__(self, children: Children, parents: list[int]) -> None:
        """Plan `parents` (non-empty, one level, in table order). O(edges between them)."""
        first, last = children.first, children.last
        self.parents = parents
        self.lo = lo = first[parents[0]]
        self.hi = hi = last[parents[-1]]
        self.starts = list(map(sub, map(first.__getitem__, parents), repeat(lo)))
        self.ends = list(map(sub, map(last.__getitem__, parents), repeat(lo)))
        self.spans = list(map(slice, self.starts, self.ends))
        self.sizes = list(map(sub, self.ends, self.starts))
        self.kids = children.child[lo:hi]
        self.take = gatherer(self.kids)


def gatherer(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A function gathering the entries at `positions` (non-empty) as a tuple, in C."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return _One(positions[0])


class _One:
    """Gathers one position's entry as a 1-tuple (`itemgetter` of one returns it bare)."""

    __slots__ = ("position",)

    def __init__(self, position: int) -> None:
        self.position = position

    def __call__(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return (values[self.position],)
