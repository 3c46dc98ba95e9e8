"""Strategies for cascade values: measures, rules, nodes, configurations and whole cascades."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from workplan_core.cascade.levels import DEFAULT_LEVELS, CascadeConfig, Level, Severity
from workplan_core.cascade.measures import (
    BinaryMeasure,
    Measure,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
)
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.rules import RollupMethod, RollupRule, RollupScope
from workplan_core.cascade.status import Status
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.periods import Period
from workplan_core.testing.strategies._registry import register_strategy
from workplan_core.testing.strategies.periods import dates, periods

__all__ = [
    "binary_measures",
    "cascade_configs",
    "cascade_nodes",
    "contributions",
    "levels",
    "measures",
    "metric_measures",
    "milestone_measures",
    "nodes",
    "readings",
    "rollup_rules",
]

_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_TITLES = st.text(min_size=1, max_size=20)
#: Weights that make float sums order-dependent, to keep the exactness tests honest.
WEIGHTS = st.sampled_from([1.0, 2.0, 3.0, 0.5, 0.1, 0.2, 0.3, 0.7, 1 / 3, 2.5, 1e-3, 7.0, 1e6])
_NUMBERS = st.floats(min_value=-1e6, max_value=1e6).filter(lambda x: x == 0 or abs(x) >= 1e-9)


def _owner_refs() -> st.SearchStrategy[OwnerRef]:
    return st.builds(OwnerRef, st.sampled_from(OwnerKind), _IDS)


@st.composite
def metric_measures(draw: st.DrawFn, unit: str | None = None) -> MetricMeasure:
    """Metric measures, rising or falling, with or without a reading, in `unit` if given."""
    baseline = draw(_NUMBERS)
    target = draw(_NUMBERS.filter(lambda x: x != baseline))
    current = draw(st.none() | _NUMBERS)
    chosen = unit if unit is not None else draw(st.sampled_from(["EUR", "%", "tickets"]))
    return MetricMeasure(chosen, baseline, target, current)


def binary_measures() -> st.SearchStrategy[BinaryMeasure]:
    """Done and not-done measures."""
    return st.builds(BinaryMeasure, st.booleans())


def milestone_measures() -> st.SearchStrategy[MilestoneMeasure]:
    """Milestone measures with 1–5 milestones, some reached, some with due dates."""
    milestone = st.builds(Milestone, _TITLES, st.booleans(), st.none() | dates())
    return st.builds(MilestoneMeasure, st.lists(milestone, min_size=1, max_size=5))


def measures() -> st.SearchStrategy[Measure]:
    """Any measure."""
    return st.one_of(metric_measures(), binary_measures(), milestone_measures())


@st.composite
def rollup_rules(
    draw: st.DrawFn, methods: tuple[RollupMethod, ...] = tuple(RollupMethod)
) -> RollupRule:
    """Valid rollup rules using one of `methods`."""
    method = draw(st.sampled_from(methods))
    scope = draw(st.sampled_from(RollupScope))
    if method is RollupMethod.MANUAL:
        progress = draw(st.floats(min_value=0.0, max_value=1.0))
        return RollupRule(method, scope, progress, draw(_TITLES.filter(str.strip)))
    return RollupRule(method, scope)


def contributions() -> st.SearchStrategy[Contribution]:
    """Contributions to an arbitrary parent id."""
    return st.builds(Contribution, _IDS, WEIGHTS)


def nodes() -> st.SearchStrategy[Node]:
    """Single nodes with every field drawn (not necessarily valid inside a cascade)."""
    return st.builds(
        Node,
        id=_IDS,
        title=_TITLES,
        level=st.sampled_from([level.name for level in DEFAULT_LEVELS]),
        owner=_owner_refs(),
        period=periods(),
        parent=st.none() | _IDS,
        contributions=st.lists(contributions(), max_size=2).map(tuple),
        weight=WEIGHTS,
        measure=measures(),
        rule=rollup_rules(),
        status=st.sampled_from(Status),
        description=st.text(max_size=20),
        tags=st.frozensets(st.sampled_from(["okr", "q1", "risk"])),
        origin=st.none() | _IDS,
    )


def readings() -> st.SearchStrategy[Reading]:
    """Readings with or without a progress and a value."""
    progress = st.none() | st.floats(min_value=0.0, max_value=1.0)
    return st.builds(Reading, progress, st.sampled_from(Status), st.none() | _NUMBERS)


def levels() -> st.SearchStrategy[Level]:
    """Levels with a name and a non-empty set of owner kinds."""
    return st.builds(Level, _TITLES, st.frozensets(st.sampled_from(OwnerKind), min_size=1))


def cascade_configs() -> st.SearchStrategy[CascadeConfig]:
    """Configurations with 1–6 uniquely named levels and either period rule."""
    return st.builds(
        CascadeConfig,
        st.lists(levels(), min_size=1, max_size=6, unique_by=lambda lv: lv.name).map(tuple),
        st.sampled_from(Severity),
    )


_PERIOD = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
_ME = OwnerRef(OwnerKind.PERSON, "p1")


@st.composite
def cascade_nodes(draw: st.DrawFn, max_nodes: int = 30) -> list[Node]:
    """Node lists that form a valid cascade over the default levels.

    Every rule is exercised: extra contributions (so a node may be reached along several
    paths), every rollup method and scope, cancelled and done nodes, and sums (all metrics
    share the unit ``"u"``, and the contributors of a sum are forced to be metrics).
    """
    count = draw(st.integers(min_value=1, max_value=max_nodes))
    depth = sorted(draw(st.lists(st.integers(0, 4), min_size=count, max_size=count)))
    parent: list[int | None] = []
    extra: list[list[int]] = []
    for i in range(count):
        above = [j for j in range(i) if depth[j] < depth[i]]
        if not above:
            parent.append(None)
            extra.append([])
            continue
        parent.append(draw(st.none() | st.sampled_from(above)) if depth[i] else None)
        others = [j for j in above if j != parent[i]]
        extra.append(
            draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
        )
    children: list[list[int]] = [[] for _ in range(count)]
    for i in range(count):
        primary = parent[i]
        for p in ([] if primary is None else [primary]) + extra[i]:
            children[p].append(i)
    rules = [draw(st.just(RollupRule()) | rollup_rules()) for _ in range(count)]
    metric = [draw(st.booleans()) for _ in range(count)]
    for i, rule in enumerate(rules):
        if rule.method is RollupMethod.SUM:
            metric[i] = True
            for c in _contributors(children, i, rule.scope):
                metric[c] = True
    result = []
    for i in range(count):
        measure: Measure = (
            draw(metric_measures("u"))
            if metric[i]
            else draw(st.one_of(binary_measures(), milestone_measures()))
        )
        result.append(
            Node(
                id=f"n{i}",
                title=f"node {i}",
                level=DEFAULT_LEVELS[depth[i]].name,
                owner=_ME,
                period=_PERIOD,
                parent=None if parent[i] is None else f"n{parent[i]}",
                contributions=tuple(Contribution(f"n{j}", draw(WEIGHTS)) for j in extra[i]),
                weight=draw(WEIGHTS),
                measure=measure,
                rule=rules[i],
                status=draw(st.sampled_from(Status)),
            )
        )
    return draw(st.permutations(result))


def _contributors(children: list[list[int]], root: int, scope: RollupScope) -> list[int]:
    if scope is RollupScope.CHILDREN:
        return children[root]
    seen, stack = {root}, [root]
    found: list[int] = []
    while stack:
        for c in children[stack.pop()]:
            if c not in seen:
                seen.add(c)
                (stack if children[c] else found).append(c)
    return found


register_strategy(MetricMeasure, metric_measures())
register_strategy(BinaryMeasure, binary_measures())
register_strategy(MilestoneMeasure, milestone_measures())
register_strategy(RollupRule, rollup_rules())
register_strategy(Contribution, contributions())
register_strategy(Node, nodes())
register_strategy(Level, levels())
register_strategy(CascadeConfig, cascade_configs())
register_strategy(Reading, readings())
