"""The cascade as a graph over node positions: edges and a compressed children table.

An *edge* runs from a child to a parent, either the child's primary parent (weighted by the
child's own weight) or one of its extra contributions (weighted by the contribution's weight).
Edges to unknown parents are left out (validation reports them).

The children table is CSR-like: the edges sorted by parent, parents ordered deepest level
first (then by position), so that the children of parent ``p`` are
``child[first[p]:last[p]]`` and every level's edges are contiguous. Building it is one stable
sort of the edges, O(e log e) in C.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import attrgetter, eq, itemgetter
from typing import TypeVar

from workplan_core.cascade._columns import NodeColumns
from workplan_core.cascade.rules import RollupMethod, RollupScope

T = TypeVar("T")


def _skipping(values: list[T], holes: list[int]) -> list[T]:
    """`values` without the positions `holes` (ascending), copied slice by slice. O(n)."""
    kept: list[T] = []
    start = 0
    for hole in holes:
        kept += values[start:hole]
        start = hole + 1
    kept += values[start:]
    return kept


class Edges:
    """Child → parent edges as parallel lists.

    Attributes:
        child: child position of each edge.
        parent: parent position of each edge.
        weight: weight of each edge.
        slot: per extra edge (edge ``primary + i`` has ``slot[i]``), the index of its
            contribution on the child.
        primary: how many edges are primary; they come first.
    """

    __slots__ = ("child", "parent", "primary", "slot", "weight")

    def __init__(self, cols: NodeColumns) -> None:
        holes = cols.detached  # no primary edge out of these
        self.child: list[int] = _skipping(cols.positions, holes)
        self.parent: list[int] = _skipping(cols.parent, holes)
        self.weight: list[float] = _skipping(cols.weight, holes)
        self.slot: list[int] = []
        self.primary = len(self.child)
        if cols.extra and not self._link_single_contributions(cols):
            self._link_contributions(cols)

    def _link_single_contributions(self, cols: NodeColumns) -> bool:
        """The common case in C-level passes: one contribution each, all to linkable parents.

        Returns whether that was the case (and the edges were added); nothing is added if not.
        """
        contributions = list(map(itemgetter(1), cols.extra))
        if max(map(len, contributions)) != 1:
            return False
        children = list(map(itemgetter(0), cols.extra))
        only = list(map(itemgetter(0), contributions))
        targets = list(map(cols.pos.get, map(attrgetter("parent"), only), repeat(-1)))
        if (
            -1 in targets
            or any(map(eq, targets, children))
            or any(map(eq, targets, map(cols.parent.__getitem__, children)))
        ):
            return False
        self.child += children
        self.parent += targets
        self.weight += map(attrgetter("weight"), only)
        self.slot += repeat(0, len(children))
        return True

    def _link_contributions(self, cols: NodeColumns) -> None:
        """Every contribution, one by one: self-links, unknown parents and repeats are skipped."""
        parent, get = cols.parent, cols.pos.get
        for index, contributions in cols.extra:
            linked = {index, parent[index]}  # self-links and repeats are reported, not linked
            for slot, contribution in enumerate(contributions):
                target = get(contribution.parent)
                if target is not None and target not in linked:
                    linked.add(target)
                    self.child.append(index)
                    self.parent.append(target)
                    self.weight.append(contribution.weight)
                    self.slot.append(slot)

    def __len__(self) -> int:
        return len(self.child)


class Children:
    """The children table (CSR-like) of a cascade.

    Attributes:
        internal: positions of nodes with at least one child, deepest level first.
        groups: ``(depth, first_internal, last_internal)`` ranges of `internal` per level.
        first: per position, the start of its edges in `child` (0 for leaves).
        last: per position, the end of its edges in `child` (0 for leaves).
        child: child positions, grouped by parent.
        weight: the weight of each of those edges.
        edge: the index in `Edges` of each of those edges.
    """

    __slots__ = ("child", "edge", "first", "groups", "internal", "last", "weight")

    def __init__(self, cols: NodeColumns, edges: Edges) -> None:
        n = len(cols)
        depth = cols.depth
        if cols.unknown_levels:
            depth = [0 if d is None else d for d in depth]
        # deepest level first, then by position: a stable sort of the sorted positions
        by_position = sorted(set(edges.parent))
        internal = sorted(by_position, key=depth.__getitem__, reverse=True)  # type: ignore[arg-type]
        self.internal: list[int] = internal
        rank = [0] * n
        _scatter(rank, internal, cols.positions[: len(internal)])
        key = list(map(rank.__getitem__, edges.parent))
        order = cols.positions[: len(edges)]  # the edge numbers, sharing the int objects
        order += range(len(order), len(edges))
        order.sort(key=key.__getitem__)
        self.edge: list[int] = order
        self.child: list[int] = list(map(edges.child.__getitem__, order))
        self.weight: list[float] = list(map(edges.weight.__getitem__, order))
        key.sort()  # now the rank of each table entry's parent, ascending
        ends = list(map(bisect_right, repeat(key), range(len(internal))))
        self.first: list[int] = [0] * n
        self.last: list[int] = [0] * n
        _scatter(self.first, internal, [0, *ends][:-1])
        _scatter(self.last, internal, ends)
        self.groups = _level_groups(list(map(depth.__getitem__, internal)))  # type: ignore[arg-type]

    def children_of(self, p: int) -> list[int]:
        """Child positions of `p`, primary children first in position order. O(children)."""
        return self.child[self.first[p] : self.last[p]]

    def is_leaf(self, p: int) -> bool:
        """Whether `p` has no children at all."""
        return self.first[p] == self.last[p]


def _scatter(target: list[T], positions: list[int], values: list[T]) -> None:
    """``target[positions[i]] = values[i]`` for every i of the shorter list. O(len(positions))."""
    deque(map(target.__setitem__, positions, values), maxlen=0)


def _level_groups(depths: list[int]) -> list[tuple[int, int, int]]:
    """``(depth, begin, end)`` for each run of equal values in descending `depths`. O(n·levels)."""
    groups = []
    begin = 0
    for depth in sorted(set(depths), reverse=True):
        end = begin + depths.count(depth)
        groups.append((depth, begin, end))
        begin = end
    return groups


def leaves_below(
    children: Children,
    roots: Iterable[int],
    status: Sequence[int] | None = None,
    stop: int = -1,
) -> list[int]:
    """Distinct leaves below `roots` through all edges, in first-seen order. O(descendants).

    With `status`, the walk does not pass through an internal node whose status is `stop`
    (its leaves count only when reached another way). A root is listed when it is a leaf
    below another root.
    """
    first, last, child = children.first, children.last, children.child
    seen: set[int] = set()
    leaves: list[int] = []
    stack = list(roots)
    while stack:
        top = stack.pop()
        for c in child[first[top] : last[top]]:
            if c in seen:
                continue
            seen.add(c)
            if first[c] == last[c]:
                leaves.append(c)
            elif status is None or status[c] != stop:
                stack.append(c)
    return leaves


def summed_positions(cols: NodeColumns, children: Children) -> dict[int, list[int]]:
    """For each node with the sum rule, the positions it sums: children or distinct leaves.

    O(s + descendants of the nodes summing over leaves), for s summed children.
    """
    found = {}
    for index, rule in cols.special:
        if rule.method is RollupMethod.SUM:
            if rule.scope is RollupScope.LEAVES:
                found[index] = leaves_below(children, [index])
            else:
                found[index] = children.children_of(index)
    return found
