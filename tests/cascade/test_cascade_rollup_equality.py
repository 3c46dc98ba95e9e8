"""Two rollups are equal only when every result, value included, is equal."""

from __future__ import annotations

from _cascade_example import Q2, example, person
from hypothesis import given

from workplan_core.cascade import Cascade, MetricMeasure, Node, Reading, Status, rollup
from workplan_core.testing.strategies.cascade import cascade_nodes, readings


def test_rollups_showing_different_values_differ() -> None:
    node = Node("t", "T", "task", person("p"), Q2, measure=MetricMeasure("deals", 0, 10, 5))
    cascade = Cascade([node])
    read = rollup(cascade, {"t": Reading(0.5, Status.NOT_STARTED, 7)})
    assert rollup(cascade)["t"].value == 5
    assert read["t"].value == 7
    assert rollup(cascade, {"t": Reading(0.5, Status.NOT_STARTED)}) != read
    assert rollup(cascade, {"t": Reading(0.5, Status.NOT_STARTED, 7)}) == read


def test_equal_rollups_have_equal_results() -> None:
    cascade = example()
    assert rollup(cascade) == rollup(cascade)
    assert rollup(cascade) != rollup(cascade, {"t1": Reading(None, Status.ON_TRACK, 7)})


@given(cascade_nodes(), readings())
def test_equality_agrees_with_the_results(nodes: list[Node], reading: Reading) -> None:
    cascade = Cascade(nodes)
    first = rollup(cascade)
    second = rollup(cascade, {nodes[0].id: reading})
    assert (first == second) == (dict(first) == dict(second))
