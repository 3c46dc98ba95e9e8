"""A slow, obviously-correct model of the documented rollup formulas, for comparison."""

from __future__ import annotations

from fractions import Fraction

from workplan_core.cascade.measures import MetricMeasure, metric_progress
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.rules import RollupMethod, RollupScope
from workplan_core.cascade.status import Status, roll_status

SEVERITY = [
    Status.BLOCKED,
    Status.OFF_TRACK,
    Status.AT_RISK,
    Status.NOT_STARTED,
    Status.ON_TRACK,
    Status.DONE,
]


def reference_rollup(nodes: list[Node]) -> dict[str, tuple[float, Status, float | None]]:
    """Progress, status and value of every node, by recursion straight from the formulas."""
    by_id = {n.id: n for n in nodes}
    edges: dict[str, list[tuple[str, float]]] = {n.id: [] for n in nodes}
    for n in nodes:
        if n.parent is not None:
            edges[n.parent].append((n.id, n.weight))
        for c in n.contributions:
            edges[c.parent].append((n.id, c.weight))
    memo: dict[str, tuple[float, Status, float | None]] = {}

    def leaves(root: str) -> list[tuple[str, float]]:
        seen, found, stack = {root}, [], [root]
        while stack:
            for child, _ in edges[stack.pop()]:
                if child in seen:
                    continue
                seen.add(child)
                if not edges[child]:
                    found.append((child, by_id[child].weight))
                elif by_id[child].status is not Status.CANCELLED:
                    stack.append(child)
        return found

    def own_value(node: Node) -> float | None:
        return node.measure.value if isinstance(node.measure, MetricMeasure) else None

    def result(node_id: str) -> tuple[float, Status, float | None]:
        if node_id in memo:
            return memo[node_id]
        node = by_id[node_id]
        rule = node.rule
        contributors = leaves(node_id) if rule.scope is RollupScope.LEAVES else edges[node_id]
        rolled = [(result(c), w) for c, w in contributors]
        active = [(r, w) for r, w in rolled if r[1] is not Status.CANCELLED]
        value = own_value(node)
        if rule.method is RollupMethod.MANUAL or not active:
            own = (
                rule.manual_progress
                if rule.method is RollupMethod.MANUAL
                else node.measure.progress()
            )
            memo[node_id] = (float(own), node.status, value)  # type: ignore[arg-type]
            return memo[node_id]
        counts: dict[Status, int] = {}
        for r, _ in rolled:
            counts[r[1]] = counts.get(r[1], 0) + 1
        status = roll_status(counts)
        assert status is not None
        if node.status is Status.CANCELLED:
            status = Status.CANCELLED
        method = rule.method
        if method is RollupMethod.WEIGHTED_MEAN:
            total = sum(Fraction(w) for _, w in active)
            progress = float(sum(Fraction(w) * Fraction(r[0]) for r, w in active) / total)
        elif method is RollupMethod.SUM:
            value = float(sum(Fraction(r[2]) for r, _ in active))  # type: ignore[arg-type]
            assert isinstance(node.measure, MetricMeasure)
            progress = metric_progress(node.measure.baseline, node.measure.target, value)
        elif method is RollupMethod.MINIMUM:
            progress = min(r[0] for r, _ in active)
        elif method is RollupMethod.FRACTION_DONE:
            progress = sum(1 for r, _ in active if r[1] is Status.DONE) / len(active)
        else:
            worst = next(s for s in SEVERITY if any(r[1] is s for r, _ in active))
            progress = min(r[0] for r, _ in active if r[1] is worst)
        memo[node_id] = (progress, status, value)
        return memo[node_id]

    return {n.id: result(n.id) for n in nodes}
