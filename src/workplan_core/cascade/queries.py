"""Structural and summary queries over a cascade.

* [line_of_sight][workplan_core.cascade.queries.line_of_sight]: the path from a node up its
  primary parents to the top. O(depth).
* [subtree][workplan_core.cascade.queries.subtree]: a node and everything beneath it. O(result).
* [nodes_at_level][workplan_core.cascade.queries.nodes_at_level]: every node of a level. O(n).
* [unaligned][workplan_core.cascade.queries.unaligned]: nodes with no path (through any parent)
  to a strategic objective. O(n + e).
* [uncovered_objectives][workplan_core.cascade.queries.uncovered_objectives]: strategic
  objectives with no task beneath them (strategic coverage). O(n + e).
* [level_summaries][workplan_core.cascade.queries.level_summaries]: per level, the node count,
  statuses, mean progress and overdue nodes. O(n).
* [overdue_nodes][workplan_core.cascade.queries.overdue_nodes]: nodes whose period ended
  before a date without being done or cancelled. O(n).
"""

from __future__ import annotations

import datetime as dt

import attrs

from workplan_core._arguments import check_arguments
from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.results import Rollup, StatusCounts
from workplan_core.cascade.status import STATUSES, Status
from workplan_core.errors import ValidationError

__all__ = [
    "LevelSummary",
    "level_summaries",
    "line_of_sight",
    "nodes_at_level",
    "overdue_nodes",
    "subtree",
    "unaligned",
    "uncovered_objectives",
]


def line_of_sight(cascade: Cascade, node_id: str) -> tuple[Node, ...]:
    """The node, its primary parent, that parent's parent, … up to the top. O(depth).

    The last node is a strategic objective unless the node is unaligned.

    Raises:
        NotFoundError: no node has that id.
    """
    index = cascade.index
    position = cascade.position(node_id)
    path = []
    while position >= 0:
        path.append(index.nodes[position])
        position = index.parent[position]
    return tuple(path)


def subtree(cascade: Cascade, node_id: str, *, contributions: bool = False) -> tuple[Node, ...]:
    """The node and every node beneath it, in cascade order. O(result).

    Args:
        cascade: the cascade.
        node_id: the root of the subtree.
        contributions: also follow extra contributions downwards (by default only primary
            parents, the line-of-sight tree).

    Raises:
        NotFoundError: no node has that id.
    """
    index = cascade.index
    root = cascade.position(node_id)
    parent = index.parent
    seen = {root}
    stack = [root]
    while stack:
        p = stack.pop()
        for c in index.children.children_of(p):
            if c not in seen and (contributions or parent[c] == p):
                seen.add(c)
                stack.append(c)
    return tuple(index.nodes[p] for p in sorted(seen))


def nodes_at_level(cascade: Cascade, level: str) -> tuple[Node, ...]:
    """Every node of the level named `level`, in cascade order. O(n).

    Raises:
        ValidationError: no level has that name.
    """
    depth = cascade.config.depth_of(level)
    index = cascade.index
    return tuple(node for node, d in zip(index.nodes, index.depth, strict=True) if d == depth)


def unaligned(cascade: Cascade) -> tuple[Node, ...]:
    """Nodes with no path through any parent to a strategic objective (a top-level node).

    Top-level nodes are aligned by definition. Parents come before children in level order,
    so one pass over the levels settles every node. O(n + e).
    """
    index = cascade.index
    aligned = [d == 0 for d in index.depth]
    for position in sorted(range(len(index)), key=index.depth.__getitem__):
        if aligned[position]:
            continue
        aligned[position] = any(aligned[p] for p, _ in index.up(position))
    return tuple(node for node, ok in zip(index.nodes, aligned, strict=True) if not ok)


def uncovered_objectives(cascade: Cascade) -> tuple[Node, ...]:
    """Strategic objectives with no node of the deepest level (a task) beneath them.

    Beneath means through primary parents or extra contributions. O(n + e).
    """
    index = cascade.index
    deepest = len(cascade.config.levels) - 1
    covered = [d == deepest for d in index.depth]
    for position in sorted(range(len(index)), key=lambda p: -index.depth[p]):
        if covered[position]:
            for p, _ in index.up(position):
                covered[p] = True
    return tuple(
        node
        for node, d, ok in zip(index.nodes, index.depth, covered, strict=True)
        if d == 0 and not ok
    )


@attrs.frozen
class LevelSummary:
    """How one level of the cascade stands.

    Attributes:
        level: the level's name.
        nodes: how many nodes it has.
        counts: its nodes by rolled-up status.
        mean_progress: the unweighted mean rolled-up progress of its nodes that are not
            cancelled (0 when there are none).
        overdue: how many of its nodes are overdue on the date asked (see
            [is_overdue][workplan_core.cascade.status.is_overdue]).
    """

    level: str
    nodes: int
    counts: StatusCounts
    mean_progress: float
    overdue: int


def _check_rollup_query(cascade: Cascade, rolled: Rollup, as_of: dt.date) -> None:
    """Refuse arguments of the wrong kind and a rollup of another cascade."""
    check_arguments(
        "invalid query arguments",
        cascade=(cascade, Cascade),
        rolled=(rolled, Rollup),
        as_of=(as_of, dt.date),
    )
    if rolled.index is not cascade.index:
        raise ValidationError.single("$.rolled", "must be a rollup of this cascade")


def level_summaries(cascade: Cascade, rolled: Rollup, as_of: dt.date) -> tuple[LevelSummary, ...]:
    """One summary per level, top first, from a rollup of `cascade`. O(n).

    Args:
        cascade: the cascade.
        rolled: its rollup (from `rollup` or `RollupEngine.snapshot`).
        as_of: the date that decides what is overdue.

    Raises:
        ValidationError: an argument is not of its kind, or `rolled` is not a rollup of
            `cascade`.
    """
    _check_rollup_query(cascade, rolled, as_of)
    levels = cascade.config.levels
    index = cascade.index
    progress, codes = rolled.columns()
    counts = [[0] * len(STATUSES) for _ in levels]
    totals = [0.0] * len(levels)
    active = [0] * len(levels)
    overdue = [0] * len(levels)
    cancelled, done = Status.CANCELLED.code, Status.DONE.code
    for position, node in enumerate(index.nodes):
        code = codes[position]
        depth = index.depth[position]
        counts[depth][code] += 1
        if code != cancelled:
            totals[depth] += progress[position]
            active[depth] += 1
            if code != done and node.period.end < as_of:
                overdue[depth] += 1
    return tuple(
        LevelSummary(
            level=level.name,
            nodes=sum(counts[d]),
            counts=StatusCounts(*counts[d]),
            mean_progress=totals[d] / active[d] if active[d] else 0.0,
            overdue=overdue[d],
        )
        for d, level in enumerate(levels)
    )


def overdue_nodes(cascade: Cascade, rolled: Rollup, as_of: dt.date) -> tuple[Node, ...]:
    """Nodes whose period ended before `as_of` and whose rolled-up status is not closed. O(n).

    Raises:
        ValidationError: an argument is not of its kind, or `rolled` is not a rollup of
            `cascade`.
    """
    _check_rollup_query(cascade, rolled, as_of)
    _, codes = rolled.columns()
    closed = {Status.DONE.code, Status.CANCELLED.code}
    return tuple(
        node
        for node, code in zip(cascade.index.nodes, codes, strict=True)
        if node.period.end < as_of and code not in closed
    )
