"""The compiled form of a cascade: flat lists indexed by integer node positions.

[CascadeIndex][workplan_core.cascade.index.CascadeIndex] is built once from validated node
values and holds everything the rollup engines and the queries need: positions by id, depths,
primary parents, extra parents, the children table, each node's own progress and status, and
the non-default rollup rules. Building it is O(n + e) plus one sort of the edges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain, compress, islice, repeat
from operator import attrgetter, is_, sub
from typing import Any, cast

from workplan_core.cascade._columns import NodeColumns
from workplan_core.cascade._graph import Children, Edges
from workplan_core.cascade._levels import LevelPlan, gatherer
from workplan_core.cascade.levels import CascadeConfig
from workplan_core.cascade.measures import Measure, MetricMeasure
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.rules import RollupMethod, RollupRule, RollupScope
from workplan_core.errors import NotFoundError

__all__ = ["SCALE", "CascadeIndex"]


def _extra_up(edges: Edges) -> dict[int, list[tuple[int, float]]]:
    """Child position → its ``(parent, weight)`` extra edges, in edge order. O(extra edges)."""
    children = edges.child[edges.primary :]
    pairs = zip(edges.parent[edges.primary :], edges.weight[edges.primary :], strict=True)
    if len(set(children)) == len(children):  # one extra edge per child: no grouping needed
        return dict(zip(children, map(list, zip(pairs)), strict=True))
    extra_up: dict[int, list[tuple[int, float]]] = {}
    for child, pair in zip(children, pairs, strict=True):
        extra_up.setdefault(child, []).append(pair)
    return extra_up


def _metric_values(measures: list[Measure], positions: Iterable[int]) -> dict[int, float]:
    """Position → its metric's value (the current reading, else the baseline). O(positions)."""
    positions = list(positions)
    metrics = cast("list[MetricMeasure]", list(map(measures.__getitem__, positions)))
    values = list(map(attrgetter("current"), metrics))
    for i in compress(range(len(values)), map(is_, values, repeat(None))):
        values[i] = metrics[i].baseline
    return dict(zip(positions, values, strict=True))


SCALE = 1 << 64
"""Fixed-point scale of the exact rollup sums: a float ``x`` counts as ``int(x * 2**64)``."""


class CascadeIndex:
    """The flat-array form of a validated cascade (positions are input order).

    Attributes:
        nodes: the nodes in input order.
        config: the configuration the cascade was checked against.
        ids: node ids by position.
        pos: id → position.
        depth: level depth by position.
        parent: primary parent position, -1 for none.
        weight: node weights (the weight of each node's primary edge).
        extra_up: for nodes with extra contributions, the ``(parent, weight)`` pairs.
        children: the children table.
        edge_weight: per children-table edge, its weight as a float.
        weight_total: per node with children, the sum of its edge weights in table order.
        own_progress: each node's own progress (its manual value under the manual rule).
        own_status: each node's own status code (see `STATUSES`).
        rules: the non-default rules by position.
        leaf_scoped: positions whose rule rolls up from leaves, deepest first.
        summing: for nodes with the sum rule, their own ``(baseline, target)``.
        valued: positions whose metric value takes part in a sum (sum nodes and contributors).
        own_value: the metric value of each of those, as built.
        gathers: the cached result of `gather` by position.
    """

    __slots__ = (
        "__weakref__",
        "_plans",
        "children",
        "config",
        "depth",
        "edge_weight",
        "extra_up",
        "gathers",
        "ids",
        "leaf_scoped",
        "nodes",
        "own_progress",
        "own_status",
        "own_value",
        "parent",
        "pos",
        "rules",
        "summing",
        "valued",
        "weight",
        "weight_total",
    )

    def __init__(
        self,
        cols: NodeColumns,
        edges: Edges,
        children: Children,
        summed: dict[int, list[int]],
        config: CascadeConfig,
    ) -> None:
        """Compile validated columns; `summed` is what each node with the sum rule sums."""
        self.nodes: tuple[Node, ...] = tuple(cols.nodes)
        self.config = config
        self.ids = cols.ids
        self.pos: dict[str, int] = cols.pos  # validated: ids are unique
        self.depth: list[int] = cols.depth  # type: ignore[assignment]  # validated: no None
        self.parent = cols.parent
        self.weight = cols.weight
        self.extra_up = _extra_up(edges)
        self.children = children
        self._plans: list[LevelPlan] | None = None  # see `level_plans`
        self.gathers: dict[
            int, tuple[Callable[[Sequence[Any]], tuple[Any, ...]], tuple[float, ...], float]
        ] = {}
        self.edge_weight: list[float] = children.weight
        internal = children.internal
        # the internal nodes' edges follow each other in the table: sum them off one iterator
        counts = map(
            sub,
            map(children.last.__getitem__, internal),
            map(children.first.__getitem__, internal),
        )
        totals = map(sum, map(islice, repeat(iter(self.edge_weight)), counts))
        self.weight_total: dict[int, float] = dict(zip(internal, totals, strict=True))
        self.own_progress: list[float] = cols.progress
        self.own_status: list[int] = cols.status
        self.rules: dict[int, RollupRule] = dict(cols.special)
        leaf_scoped = []
        for index, rule in cols.special:
            if rule.method is RollupMethod.MANUAL:
                self.own_progress[index] = rule.manual_progress  # type: ignore[assignment]
            if rule.scope is RollupScope.LEAVES:
                leaf_scoped.append(index)
        self.leaf_scoped: list[int] = sorted(leaf_scoped, key=lambda p: -self.depth[p])
        owners = cast("list[MetricMeasure]", list(map(cols.measure.__getitem__, summed)))
        goals = zip(
            map(attrgetter("baseline"), owners), map(attrgetter("target"), owners), strict=True
        )
        self.summing: dict[int, tuple[float, float]] = dict(zip(summed, goals, strict=True))
        self.valued: set[int] = set(summed)
        self.valued.update(chain.from_iterable(summed.values()))
        self.own_value: dict[int, float] = _metric_values(cols.measure, self.valued)

    def gather(
        self, index: int
    ) -> tuple[Callable[[Sequence[Any]], tuple[Any, ...]], tuple[float, ...], float]:
        """How to read a node's children quickly: a getter, their weights and their sum.

        The getter takes any per-position list (progress, status codes) and returns the
        children's entries in children-table order. Built on first use, then cached. O(children).
        """
        found = self.gathers.get(index)
        if found is None:
            kids = self.children.children_of(index)
            take = gatherer(kids)
            weights = tuple(
                self.edge_weight[self.children.first[index] : self.children.last[index]]
            )
            found = self.gathers[index] = (take, weights, self.weight_total[index])
        return found

    def level_plans(self) -> list[LevelPlan]:
        """The plan of each level of the children table, deepest first. Built once. O(e)."""
        if self._plans is None:
            internal = self.children.internal
            self._plans = [
                LevelPlan(self.children, internal[begin:end])
                for _, begin, end in self.children.groups
            ]
        return self._plans

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, node_id: str) -> int:
        """The position of `node_id`. O(1).

        Raises:
            NotFoundError: no node has that id.
        """
        try:
            return self.pos[node_id]
        except KeyError:
            raise NotFoundError(f"no node {node_id!r} in the cascade") from None

    def up(self, index: int) -> list[tuple[int, float]]:
        """Every ``(parent, weight)`` edge out of `index`: primary first. O(parents)."""
        edges = [] if self.parent[index] < 0 else [(self.parent[index], self.weight[index])]
        extra = self.extra_up.get(index)
        return edges + extra if extra else edges
