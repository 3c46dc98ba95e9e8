"""Property tests: the full rollup follows the formulas; the engine always equals it exactly."""

from __future__ import annotations

import math

import attrs
import pytest
from _cascade_reference import reference_rollup
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.engine import RollupEngine
from workplan_core.cascade.full import rollup
from workplan_core.cascade.measures import Measure, MetricMeasure
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.rules import RollupMethod, RollupRule
from workplan_core.cascade.status import Status
from workplan_core.errors import ValidationError
from workplan_core.testing.strategies.cascade import (
    binary_measures,
    cascade_nodes,
    milestone_measures,
)

NUMBERS = st.floats(min_value=-1e6, max_value=1e6).filter(lambda x: x == 0 or abs(x) >= 1e-9)


@given(cascade_nodes())
def test_full_rollup_follows_the_documented_formulas(nodes: list[Node]) -> None:
    result = rollup(Cascade(nodes))
    expected = reference_rollup(nodes)
    for node in nodes:
        progress, status, value = expected[node.id]
        got = result[node.id]
        assert got.status is status, node.id
        assert 0.0 <= got.progress <= 1.0
        assert math.isclose(got.progress, progress, rel_tol=1e-9, abs_tol=1e-12), node.id
        if value is None:
            assert got.value is None
        else:
            assert got.value is not None
            assert math.isclose(got.value, value, rel_tol=1e-9, abs_tol=1e-6), node.id


@given(cascade_nodes())
def test_counts_cover_every_contributor(nodes: list[Node]) -> None:
    cascade = Cascade(nodes)
    result = rollup(cascade)
    children = cascade.index.children
    for position, node in enumerate(cascade.nodes):
        counts = result[node.id].counts
        if node.rule.scope.value == "children":
            assert counts.total == len(children.children_of(position))


def _next_measure(data: st.DataObject, node: Node, current: Measure) -> Measure:
    if isinstance(current, MetricMeasure):  # keep unit, baseline and target: sums stay valid
        return attrs.evolve(current, current=data.draw(st.none() | NUMBERS))
    return data.draw(st.one_of(binary_measures(), milestone_measures()))


def _reading(data: st.DataObject) -> Reading:
    progress = data.draw(st.none() | st.floats(min_value=0.0, max_value=1.0))
    value = data.draw(st.none() | NUMBERS)
    return Reading(progress, data.draw(st.sampled_from(Status)), value)


@given(cascade_nodes(), st.data())
def test_incremental_updates_equal_a_full_rollup_exactly(
    nodes: list[Node], data: st.DataObject
) -> None:
    cascade = Cascade(nodes)
    engine = RollupEngine(cascade)
    assert engine.snapshot() == rollup(cascade)
    readings: dict[str, Reading] = {}  # the model: readings still in force
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        node = data.draw(st.sampled_from(nodes))
        before = engine.snapshot()
        change: dict[str, object] = {}
        if data.draw(st.booleans()):
            change["measure"] = _next_measure(data, node, engine.node(node.id).measure)
            readings.pop(node.id, None)  # a new measure supersedes the last reading
        if data.draw(st.booleans()):
            change["status"] = status = data.draw(st.sampled_from(Status))
            if node.id in readings:
                readings[node.id] = attrs.evolve(readings[node.id], status=status)
        if node.rule.method is RollupMethod.MANUAL and data.draw(st.booleans()):
            progress = data.draw(st.floats(min_value=0.0, max_value=1.0))
            change["rule"] = RollupRule(
                RollupMethod.MANUAL, node.rule.scope, progress, "re-estimated"
            )
        if data.draw(st.booleans()):
            change["reading"] = readings[node.id] = _reading(data)
        changed = engine.update(node.id, **change)  # type: ignore[arg-type]
        after = engine.snapshot()
        updated = Cascade([engine.node(n.id) for n in nodes])
        assert after == rollup(updated, readings)
        moved = {i for i in after if after[i] != before[i]}
        assert moved <= set(changed)


@given(cascade_nodes(), st.data())
def test_the_engine_edge_columns_mirror_its_results(nodes: list[Node], data: st.DataObject) -> None:
    """The contiguous copies the engine reads parents from never go stale."""
    cascade = Cascade(nodes)
    engine = RollupEngine(cascade)
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        node = data.draw(st.sampled_from(nodes))
        engine.update(node.id, status=data.draw(st.sampled_from(Status)))
        state, edges = engine._state, engine._edges
        children = cascade.index.children
        for e, child in enumerate(children.child):
            assert edges.progress[e] == state.progress[child]
            active = state.status[child] != Status.CANCELLED.code
            assert edges.factor[e] == (children.weight[e] if active else 0.0)


@given(cascade_nodes(), st.data())
def test_rollups_and_engines_leave_the_cascade_and_earlier_rollups_alone(
    nodes: list[Node], data: st.DataObject
) -> None:
    cascade = Cascade(nodes)
    index = cascade.index
    own = (list(index.own_progress), list(index.own_status), dict(index.own_value))
    first = rollup(cascade)
    kept = {node_id: first[node_id] for node_id in first}
    readings = {n.id: _reading(data) for n in data.draw(st.lists(st.sampled_from(nodes)))}
    rollup(cascade, readings)
    engine = RollupEngine(cascade)
    for node_id, reading in readings.items():
        engine.update(node_id, reading=reading)
    assert (index.own_progress, index.own_status, index.own_value) == own
    assert {node_id: first[node_id] for node_id in first} == kept
    assert rollup(cascade) == first


_BAD_ARGUMENTS: list[tuple[str, object]] = [
    ("reading", "oops"),
    ("status", "done"),
    ("measure", 0.5),
    ("rule", RollupRule()),  # only a manual value may change
]


@given(cascade_nodes(), st.data())
def test_a_refused_update_changes_nothing(nodes: list[Node], data: st.DataObject) -> None:
    cascade = Cascade(nodes)
    engine = RollupEngine(cascade)
    node = data.draw(st.sampled_from(nodes))
    change: dict[str, object] = {}
    if data.draw(st.booleans()):
        change["measure"] = _next_measure(data, node, node.measure)
    if data.draw(st.booleans()):
        change["status"] = data.draw(st.sampled_from(Status))
    if data.draw(st.booleans()):
        change["reading"] = _reading(data)
    name, bad = data.draw(st.sampled_from(_BAD_ARGUMENTS))
    change[name] = bad
    before = engine.snapshot()
    with pytest.raises(ValidationError) as caught:
        engine.update(node.id, **change)  # type: ignore[arg-type]
    assert caught.value.problems[0].path == f"$.{name}"
    assert engine.node(node.id) == node
    assert engine.snapshot() == before == rollup(cascade)
    engine.update(nodes[0].id, status=Status.AT_RISK)  # and the engine still works
    assert engine.snapshot() == rollup(Cascade([engine.node(n.id) for n in nodes]))
