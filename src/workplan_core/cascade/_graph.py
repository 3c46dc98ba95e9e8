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
from itertools import compress, repeat
from operator import ge

from workplan_core.cascade._columns import NodeColumns


class Edges:
    """Child → parent edges as parallel lists.

    Attributes:
        child: child position of each edge.
        parent: parent position of each edge.
        weight: weight of each edge.
        slot: -1 for a primary edge, else the index of the contribution on the child.
        primary: how many edges are primary; they come first.
    """

    __slots__ = ("child", "parent", "primary", "slot", "weight")

    def __init__(self, cols: NodeColumns) -> None:
        n = len(cols)
        parent = cols.parent
        child = list(compress(range(n), map(ge, parent, repeat(0))))
        self.child: list[int] = child
        self.parent: list[int] = list(map(parent.__getitem__, child))
        self.weight: list[float] = list(map(cols.weight.__getitem__, child))
        self.slot: list[int] = [-1] * len(child)
        self.primary = len(child)
        get = cols.pos.get
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
        depth = [0 if d is None else d for d in cols.depth] if None in cols.depth else cols.depth
        # deepest level first, then by position: a stable sort of the sorted positions
        by_position = sorted(set(edges.parent))
        internal = sorted(by_position, key=depth.__getitem__, reverse=True)  # type: ignore[arg-type]
        self.internal: list[int] = internal
        rank = dict(zip(internal, range(len(internal)), strict=True))
        key = list(map(rank.__getitem__, edges.parent))
        order = sorted(range(len(edges)), key=key.__getitem__)
        self.edge: list[int] = order
        self.child: list[int] = list(map(edges.child.__getitem__, order))
        self.weight: list[float] = list(map(edges.weight.__getitem__, order))
        ranks = list(map(key.__getitem__, order))  # ascending
        self.first: list[int] = [0] * n
        self.last: list[int] = [0] * n
        start = 0
        for r, p in enumerate(internal):
            end = bisect_right(ranks, r, start)
            self.first[p] = start
            self.last[p] = end
            start = end
        self.groups: list[tuple[int, int, int]] = []
        begin = 0
        for r in range(1, len(internal) + 1):
            if r == len(internal) or depth[internal[r]] != depth[internal[begin]]:
                self.groups.append((depth[internal[begin]], begin, r))  # type: ignore[arg-type]
                begin = r

    def children_of(self, p: int) -> list[int]:
        """Child positions of `p`, primary children first in position order. O(children)."""
        return self.child[self.first[p] : self.last[p]]

    def is_leaf(self, p: int) -> bool:
        """Whether `p` has no children at all."""
        return self.first[p] == self.last[p]
