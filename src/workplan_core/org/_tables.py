"""Two compact structures behind the organisation's fast as-of queries.

* `Forest` numbers the nodes of a tree (positions, departments) in preorder, so every subtree is
  one contiguous range of numbers.
* `DatedTable` groups dated entries by an integer row (compressed rows, like a sparse matrix), so
  the entries of a range of rows are one contiguous slice that a single pass filters by date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

V = TypeVar("V")

OPEN_END = dt.date.max.toordinal()
"""The ordinal that stands for an open end (`end is None`)."""


def ordinal_end(end: dt.date | None) -> int:
    """The ordinal of an inclusive end date, `OPEN_END` for an open end."""
    return OPEN_END if end is None else end.toordinal()


class Forest:
    """The nodes of a forest numbered in preorder: node `k`'s subtree is `range(k, end[k])`.

    Only the first record of a repeated id counts. A node whose parent is unknown becomes a
    root, and a cycle is broken where the walk first enters it, so queries always terminate
    even on an organisation that has not been validated.

    Attributes:
        key: id to preorder number.
        ids: preorder number to id.
        parent: preorder number of the parent, -1 for a root.
        end: one past the last preorder number of the node's subtree.
        record: preorder number to the index of the node's record.
    """

    __slots__ = ("end", "ids", "key", "parent", "record")

    def __init__(self, ids: Sequence[str], parents: Sequence[str | None]) -> None:
        first: dict[str, int] = {}
        for index, node in enumerate(ids):
            first.setdefault(node, index)
        children: dict[int, list[int]] = {}
        roots: list[int] = []
        for index in first.values():
            above = parents[index]
            parent = first.get(above) if above is not None else None
            if parent is None or parent == index:
                roots.append(index)
            else:
                children.setdefault(parent, []).append(index)
        self.record: list[int] = []
        self.parent: list[int] = []
        self._walk(roots, children)
        if len(self.record) < len(first):  # nodes on cycles are not reachable from a root
            seen = set(self.record)
            self._walk([i for i in first.values() if i not in seen], children, seen)
        self.ids = [ids[index] for index in self.record]
        self.key = {node: k for k, node in enumerate(self.ids)}
        self.end = self._subtree_ends()

    def _walk(
        self, roots: list[int], children: dict[int, list[int]], seen: set[int] | None = None
    ) -> None:
        record, parent = self.record, self.parent
        for root in roots:
            if seen is not None and root in seen:
                continue
            stack = [(root, -1)]
            while stack:
                index, above = stack.pop()
                if seen is not None:
                    if index in seen:
                        continue
                    seen.add(index)
                key = len(record)
                record.append(index)
                parent.append(above)
                below = children.get(index)
                if below:
                    stack.extend((child, key) for child in reversed(below))

    def _subtree_ends(self) -> list[int]:
        size = [1] * len(self.parent)
        for key in range(len(size) - 1, -1, -1):
            above = self.parent[key]
            if above >= 0:
                size[above] += size[key]
        return [key + n for key, n in enumerate(size)]

    def children(self, key: int) -> Iterator[int]:
        """The preorder numbers of the node's children, in order. O(number of children)."""
        child, stop = key + 1, self.end[key]
        while child < stop:
            yield child
            child = self.end[child]

    def ancestors(self, key: int) -> Iterator[int]:
        """The preorder numbers above the node, nearest first. O(depth)."""
        above = self.parent[key]
        while above >= 0:
            yield above
            above = self.parent[above]


class DatedTable(Generic[V]):
    """Dated entries grouped by integer row; rows `lo..hi-1` are one contiguous slice.

    Args:
        rows: the number of rows.
        keys: each entry's row.
        starts: each entry's first day, as an ordinal.
        ends: each entry's last day, as an ordinal (`OPEN_END` when open).
        values: each entry's payload.
    """

    __slots__ = ("ends", "offsets", "starts", "values")

    def __init__(
        self,
        rows: int,
        keys: Sequence[int],
        starts: Sequence[int],
        ends: Sequence[int],
        values: Sequence[V],
    ) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.starts = [starts[i] for i in order]
        self.ends = [ends[i] for i in order]
        self.values = [values[i] for i in order]
        counts = [0] * (rows + 1)
        for key in keys:
            counts[key + 1] += 1
        self.offsets = list(accumulate(counts))

    def active(self, lo: int, hi: int, day: int) -> list[V]:
        """The values of rows `lo..hi-1` whose entries cover `day`. O(entries in those rows)."""
        a, b = self.offsets[lo], self.offsets[hi]
        if b - a == 1:
            return [self.values[a]] if self.starts[a] <= day <= self.ends[a] else []
        return [
            value
            for value, start, end in zip(
                self.values[a:b], self.starts[a:b], self.ends[a:b], strict=True
            )
            if start <= day <= end
        ]

    def active_with_start(self, row: int, day: int) -> list[tuple[int, V]]:
        """`(start, value)` of the entries of `row` that cover `day`. O(entries in the row)."""
        a, b = self.offsets[row], self.offsets[row + 1]
        starts, ends, values = self.starts, self.ends, self.values
        return [(starts[i], values[i]) for i in range(a, b) if starts[i] <= day <= ends[i]]
