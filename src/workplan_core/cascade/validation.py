"""The cascade's rules, checked all at once.

Every broken rule becomes a [Problem][workplan_core.errors.Problem] whose path points into the
node list (``$.nodes[3].parent``) and whose message names the node ids involved:

* ids: empty or duplicate ids;
* values: a measure or status of the wrong type;
* levels: unknown level names, and owner kinds a level does not allow;
* parents: unknown primary parents, unknown or repeated contribution parents, a node aligned
  to itself;
* depth: every child must sit at a deeper level than each of its parents;
* cycles: through primary parents and extra contributions alike;
* weights: node and contribution weights must be finite, at least ``MIN_WEIGHT`` and at most
  ``MAX_WEIGHT`` (so non-positive weights are refused);
* periods: a child's period must lie inside each parent's period (an error or a warning, as
  [CascadeConfig.period_rule][workplan_core.cascade.levels.CascadeConfig] says);
* sums: a node with the `SUM` rule must be a metric, and so must each of its contributors,
  in the same unit.

All checks together are O(n + e) for n nodes and e edges, plus O(descendants) for each node
that sums over its leaves. Cycles can only exist where some edge breaks the depth rule, so the
cycle search (Tarjan's algorithm, O(n + e)) runs only when the depth check fails.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import chain, compress, repeat
from operator import attrgetter, contains, eq, is_, is_not, itemgetter, le, not_
from typing import cast

import attrs

from workplan_core.cascade._columns import NodeColumns
from workplan_core.cascade._graph import Children, Edges, _skipping, summed_positions
from workplan_core.cascade.levels import ALL_OWNER_KINDS, DEFAULT_CONFIG, CascadeConfig, Severity
from workplan_core.cascade.measures import MetricMeasure
from workplan_core.cascade.nodes import Node
from workplan_core.errors import Problem

__all__ = ["MAX_WEIGHT", "MIN_WEIGHT", "ValidationReport", "validate_cascade"]

MIN_WEIGHT = 1e-9
"""The smallest weight a node or contribution may have."""
MAX_WEIGHT = 1e9
"""The largest weight a node or contribution may have."""


@attrs.frozen
class ValidationReport:
    """What is wrong with a set of nodes.

    Attributes:
        errors: problems that stop the cascade from being built.
        warnings: problems reported but tolerated (periods, when so configured).
    """

    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether there are no errors."""
        return not self.errors


def validate_cascade(
    nodes: Iterable[Node], config: CascadeConfig = DEFAULT_CONFIG
) -> ValidationReport:
    """Check every rule over `nodes` and report all the problems, raising nothing.

    Args:
        nodes: the nodes of the cascade, in any order.
        config: the levels and the period rule.

    Returns:
        The errors and warnings, each in the order the rules are listed above. O(n + e).
    """
    nodes = tuple(nodes)
    cols = NodeColumns(nodes, config)
    edges = Edges(cols)
    children = Children(cols, edges)
    return check(cols, edges, children, summed_positions(cols, children), config)


def check(
    cols: NodeColumns,
    edges: Edges,
    children: Children,
    summed: dict[int, list[int]],
    config: CascadeConfig,
) -> ValidationReport:
    """Run every check over already extracted columns (the fast path of `Cascade`).

    `summed` maps each node with the sum rule to the positions it sums (see
    `summed_positions`). Each check first tests the clean case with C-level passes and only
    walks node by node, to name every offender, when something is wrong.
    """
    errors = [
        *_check_ids(cols),
        *_check_values(cols),
        *_check_levels(cols, config),
        *_check_owner_kinds(cols, config),
        *_check_parents(cols),
        *_check_contributions(cols, edges),
        *_check_weights(cols),
    ]
    depth_problems = _check_depths(cols, edges, children)
    errors += depth_problems
    if depth_problems or cols.unknown_levels:
        errors += _check_cycles(cols, edges)
    errors += _check_sums(cols, summed)
    periods = _check_periods(cols, edges)
    if config.period_rule is Severity.ERROR:
        return ValidationReport((*errors, *periods), ())
    return ValidationReport(tuple(errors), tuple(periods))


# --------------------------------------------------------------------------- helpers


def _node(cols: NodeColumns, index: int) -> str:
    return f"$.nodes[{index}]"


def _edge_path(cols: NodeColumns, edges: Edges, e: int) -> str:
    slot = edges.slot[e - edges.primary] if e >= edges.primary else -1
    base = _node(cols, edges.child[e])
    return f"{base}.parent" if slot < 0 else f"{base}.contributions[{slot}].parent"


def _weight_ok(weight: object) -> bool:
    return (
        isinstance(weight, int | float)
        and not isinstance(weight, bool)
        and math.isfinite(weight)
        and MIN_WEIGHT <= weight <= MAX_WEIGHT
    )


_WEIGHT_RULE = f"must be a finite number between {MIN_WEIGHT:g} and {MAX_WEIGHT:g}"


# --------------------------------------------------------------------------- the checks


def _check_ids(cols: NodeColumns) -> Iterator[Problem]:
    if cols.empty_id:
        for index in compress(range(len(cols)), map(not_, cols.ids)):
            yield Problem(f"{_node(cols, index)}.id", "must not be empty")
    if cols.unique:
        return
    pos = cols.pos
    for index, node_id in enumerate(cols.ids):
        first = pos[node_id]
        if first != index:
            yield Problem(
                f"{_node(cols, index)}.id",
                f"duplicate id {node_id!r} (first at {_node(cols, first)})",
            )


def _check_values(cols: NodeColumns) -> Iterator[Problem]:
    for index in cols.bad_measures:
        yield Problem(f"{_node(cols, index)}.measure", f"node {cols.ids[index]!r}: not a measure")
    for index in cols.bad_statuses:
        yield Problem(f"{_node(cols, index)}.status", f"node {cols.ids[index]!r}: not a status")


def _check_levels(cols: NodeColumns, config: CascadeConfig) -> Iterator[Problem]:
    if not cols.unknown_levels:
        return
    names = ", ".join(repr(name) for name in config.level_names)
    for index in cols.unknown_levels:
        level = cols.nodes[index].level
        yield Problem(
            f"{_node(cols, index)}.level",
            f"node {cols.ids[index]!r}: unknown level {level!r}; levels are {names}",
        )


def _check_owner_kinds(cols: NodeColumns, config: CascadeConfig) -> Iterator[Problem]:
    allowed = [level.owner_kinds for level in config.levels]
    if all(kinds == ALL_OWNER_KINDS for kinds in allowed):
        return
    kinds = list(map(attrgetter("owner.kind"), cols.nodes))
    known = cast("list[int]", cols.depth)
    if cols.unknown_levels:
        known = [d if d is not None else 0 for d in cols.depth]
    fits = map(contains, map(allowed.__getitem__, known), kinds)
    for index in compress(range(len(cols)), map(not_, fits)):
        depth = cols.depth[index]
        if depth is None:
            continue
        level = config.levels[depth]
        accepted = ", ".join(sorted(kind.value for kind in level.owner_kinds))
        yield Problem(
            f"{_node(cols, index)}.owner.kind",
            f"node {cols.ids[index]!r}: a {kinds[index].value} may not own a {level.name!r} "
            f"(allowed: {accepted})",
        )


def _check_parents(cols: NodeColumns) -> Iterator[Problem]:
    for index in cols.unknown_parents:
        yield Problem(
            f"{_node(cols, index)}.parent",
            f"node {cols.ids[index]!r}: unknown parent {cols.nodes[index].parent!r}",
        )


def _contributions_fine(cols: NodeColumns, edges: Edges) -> bool:
    """The common case in C-level passes: every contribution linked, every weight fine.

    `Edges` links a contribution unless its parent is unknown, the node itself, or already
    aligned to; so with unique ids, all contributions linked means no such problem.
    """
    if not cols.unique:  # a duplicate id could hide a contribution to itself
        return False
    if len(edges) - edges.primary != sum(map(len, map(itemgetter(1), cols.extra))):
        return False
    weights = edges.weight[edges.primary :]
    return _weights_fine(weights) and not any(map(is_, weights, repeat(True)))


def _check_contributions(cols: NodeColumns, edges: Edges) -> Iterator[Problem]:
    if _contributions_fine(cols, edges):
        return
    for index, contributions in cols.extra:
        node_id = cols.ids[index]
        seen = {cols.nodes[index].parent}
        for slot, contribution in enumerate(contributions):
            path = f"{_node(cols, index)}.contributions[{slot}]"
            target = contribution.parent
            if target == node_id:
                yield Problem(f"{path}.parent", f"node {node_id!r} cannot contribute to itself")
            elif target not in cols.pos:
                yield Problem(f"{path}.parent", f"node {node_id!r}: unknown parent {target!r}")
            elif target in seen:
                yield Problem(
                    f"{path}.parent", f"node {node_id!r} is already aligned to {target!r}"
                )
            seen.add(target)
            if not _weight_ok(contribution.weight):
                yield Problem(f"{path}.weight", f"node {node_id!r}: weight {_WEIGHT_RULE}")


_PLAIN_NUMBERS = frozenset({int, float})


def _weights_fine(weights: list[float]) -> bool:
    """Whether all weights lie within the bounds and none is NaN (False on non-numbers). O(n).

    Plain ints and floats only: anything else (a bool, a number type of another library) is
    left to the node-by-node check. Once the bounds hold, the sum is finite exactly when no
    weight is NaN; summing is cheaper than testing each weight.
    """
    if not _PLAIN_NUMBERS.issuperset(map(type, weights)):
        return False
    try:
        if not (
            min(weights, default=1.0) >= MIN_WEIGHT and max(weights, default=1.0) <= MAX_WEIGHT
        ):
            return False
    except TypeError:  # not numbers
        return False
    try:
        if math.isfinite(sum(weights)):
            return True
    except TypeError:  # numbers that do not add up together: test each
        pass
    try:
        return not any(map(math.isnan, weights))
    except TypeError:
        return False


def _check_weights(cols: NodeColumns) -> Iterator[Problem]:
    weights = cols.weight
    if _weights_fine(weights):
        return
    for index, weight in enumerate(weights):
        if not _weight_ok(weight):
            yield Problem(
                f"{_node(cols, index)}.weight", f"node {cols.ids[index]!r}: weight {_WEIGHT_RULE}"
            )


def _depths_fine(cols: NodeColumns, children: Children) -> bool:
    """Whether every child sits deeper than its parent, level by level of parents.

    The children table keeps each level's edges contiguous, so one ``min`` of the child
    depths per level of parents decides it. O(e).
    """
    depth = cast("list[int]", cols.depth)
    child, first, last, internal = children.child, children.first, children.last, children.internal
    for parent_depth, begin, end in children.groups:
        table = child[first[internal[begin]] : last[internal[end - 1]]]
        if min(map(depth.__getitem__, table)) <= parent_depth:
            return False
    return True


def _check_depths(cols: NodeColumns, edges: Edges, children: Children) -> list[Problem]:
    depth = cols.depth
    if cols.unknown_levels:
        child_depth = [depth[c] for c in edges.child]
        parent_depth = [depth[p] for p in edges.parent]
        suspects: Iterable[int] = [
            e
            for e, (cd, pd) in enumerate(zip(child_depth, parent_depth, strict=True))
            if cd is not None and pd is not None and cd <= pd
        ]
    else:
        if _depths_fine(cols, children):
            return []
        known = cast("list[int]", depth)
        suspects = compress(
            range(len(edges)),
            map(le, map(known.__getitem__, edges.child), map(known.__getitem__, edges.parent)),
        )
    problems = []
    for e in suspects:
        c, p = edges.child[e], edges.parent[e]
        problems.append(
            Problem(
                _edge_path(cols, edges, e),
                f"node {cols.ids[c]!r} (level {cols.nodes[c].level!r}) must sit below its "
                f"parent {cols.ids[p]!r} (level {cols.nodes[p].level!r})",
            )
        )
    return problems


def _strongly_connected(n: int, out: dict[int, list[int]]) -> Iterator[list[int]]:
    """Tarjan's algorithm, iteratively; yields each strongly connected component. O(n + e)."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    counter = 0
    for root in out:
        if root in index_of:
            continue
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            if i == 0:
                index_of[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            successors = out.get(v, [])
            if i < len(successors):
                work[-1] = (v, i + 1)
                w = successors[i]
                if w not in index_of:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index_of[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index_of[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                yield component


def _check_cycles(cols: NodeColumns, edges: Edges) -> list[Problem]:
    out: dict[int, list[int]] = {}
    edge_of: dict[tuple[int, int], int] = {}
    for e, (c, p) in enumerate(zip(edges.child, edges.parent, strict=True)):
        out.setdefault(c, []).append(p)
        edge_of.setdefault((c, p), e)
    problems = []
    for component in _strongly_connected(len(cols), out):
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in out.get(start, []):
            continue
        cycle = [start]
        current = start
        while True:  # walk inside the component until the start comes round again
            step = next(p for p in out[current] if p in members)
            if step == start:
                break
            if step in cycle:
                cycle = cycle[cycle.index(step) :]
                start = step
                break
            cycle.append(step)
            current = step
        names = " → ".join(repr(cols.ids[v]) for v in [*cycle, cycle[0]])
        first_edge = edge_of[(cycle[0], cycle[1] if len(cycle) > 1 else cycle[0])]
        problems.append(Problem(_edge_path(cols, edges, first_edge), f"cycle: {names}"))
    return problems


def _differing_periods(cols: NodeColumns, edges: Edges) -> tuple[list[int], list[int]]:
    """Child and parent positions of the edges whose two periods are not the same object.

    In edge order. The primary edges are compared by child position, straight along the
    period column; a detached node's parent (a negative position) meets `None` at the end of
    the padded column, and the node is then dropped. O(n + e).
    """
    period, parent = cols.period, cols.parent
    padded = [*period, None, None]  # [-1] and [-2]: no parent, unknown parent
    children = list(compress(cols.positions, map(is_not, period, map(padded.__getitem__, parent))))
    if cols.detached:
        children = _skipping(children, _indices_of(children, cols.detached))
    parents = list(map(parent.__getitem__, children))
    extra_child, extra_parent = edges.child[edges.primary :], edges.parent[edges.primary :]
    inner_of = map(period.__getitem__, extra_child)
    differ = compress(
        range(len(extra_child)), map(is_not, inner_of, map(period.__getitem__, extra_parent))
    )
    for e in differ:
        children.append(extra_child[e])
        parents.append(extra_parent[e])
    return children, parents


def _indices_of(values: list[int], wanted: list[int]) -> list[int]:
    """The indices in ascending `values` of those of `wanted` (ascending) it holds. O(w log v)."""
    found = []
    for value in wanted:
        at = bisect_left(values, value)
        if at < len(values) and values[at] == value:
            found.append(at)
    return found


def _check_periods(cols: NodeColumns, edges: Edges) -> list[Problem]:
    period = cols.period
    children, parents = _differing_periods(cols, edges)
    inners = list(map(period.__getitem__, children))
    outers = list(map(period.__getitem__, parents))
    start, end = attrgetter("start"), attrgetter("end")
    if all(map(le, map(start, outers), map(start, inners))) and all(
        map(le, map(end, inners), map(end, outers))
    ):
        return []
    problems = []
    for c, p, inner, outer in zip(children, parents, inners, outers, strict=True):
        if outer.start <= inner.start and inner.end <= outer.end:
            continue
        problems.append(
            Problem(
                f"{_node(cols, c)}.period",
                f"node {cols.ids[c]!r} runs {inner}, outside its parent {cols.ids[p]!r} ({outer})",
            )
        )
    return problems


def _sums_fine(cols: NodeColumns, summed: dict[int, list[int]]) -> bool:
    """The common case in C-level passes: metrics everywhere, each in its summing node's unit."""
    measure, metric = cols.measure, MetricMeasure
    owners = list(map(measure.__getitem__, summed))
    theirs = list(map(measure.__getitem__, chain.from_iterable(summed.values())))
    if not all(map(is_, map(type, owners), repeat(metric))) or not all(
        map(is_, map(type, theirs), repeat(metric))
    ):
        return False
    units = map(attrgetter("unit"), owners)
    expected = chain.from_iterable(map(repeat, units, map(len, summed.values())))
    return all(map(eq, map(attrgetter("unit"), theirs), expected))


def _check_sums(cols: NodeColumns, summed: dict[int, list[int]]) -> Iterator[Problem]:
    if _sums_fine(cols, summed):
        return
    for index, contributors in summed.items():
        node_id = cols.ids[index]
        own = cols.measure[index]
        if not isinstance(own, MetricMeasure):
            yield Problem(
                f"{_node(cols, index)}.measure",
                f"node {node_id!r} sums its contributors' metrics, so it needs a metric measure",
            )
            continue
        for c in contributors:
            theirs = cols.measure[c]
            if not isinstance(theirs, MetricMeasure):
                yield Problem(
                    f"{_node(cols, c)}.measure",
                    f"node {cols.ids[c]!r} has no metric to sum into {node_id!r} ({own.unit})",
                )
            elif theirs.unit != own.unit:
                yield Problem(
                    f"{_node(cols, c)}.measure.unit",
                    f"node {cols.ids[c]!r} is in {theirs.unit!r}, which cannot be summed into "
                    f"{node_id!r} in {own.unit!r}",
                )
