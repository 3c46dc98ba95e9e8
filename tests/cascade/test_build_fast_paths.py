"""The build's column shortcuts agree with the plain, node-by-node reading of the rules."""

from __future__ import annotations

import attrs
import pytest
from _cascade_example import FY, NODES, Q2, person, team

from workplan_core.cascade import Cascade, Contribution, Node, validate_cascade
from workplan_core.cascade._graph import _skipping
from workplan_core.errors import Problem, ValidationError
from workplan_core.periods import Period


def task(node_id: str, parent: str | None = "g3", period: Period = Q2, **fields: object) -> Node:
    return Node(node_id, "A task", "task", person("p"), period, parent=parent, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("holes", [[], [0], [9], [0, 9], [3, 4, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
def test_skipping_drops_exactly_the_holes(holes: list[int]) -> None:
    values = list(range(10, 20))
    assert _skipping(values, holes) == [v for i, v in enumerate(values) if i not in holes]


def test_detached_nodes_are_not_compared_with_a_stray_period() -> None:
    # nodes without a known parent meet some other node's period in the column pass;
    # they must be dropped, whatever that period is
    outside = Period(FY.start.replace(year=FY.start.year - 5), FY.end)
    nodes = [
        Node("root", "Root", "strategic objective", person("ceo"), outside),
        *NODES,
        task("lost", parent="nowhere", period=outside),
        Node("last", "Last", "strategic objective", person("ceo"), Q2),
    ]
    report = validate_cascade(nodes)
    assert list(report.errors) == [
        Problem("$.nodes[15].parent", "node 'lost': unknown parent 'nowhere'")
    ]


@pytest.mark.parametrize("extra", [0, 1, 2])
def test_tiny_cascades_with_detached_nodes_report_them(extra: int) -> None:
    # with fewer than three nodes, a detached node's parent position (-1 or -2) must not be
    # read as some node's period
    lone = task("lost", parent="nowhere", period=Q2)
    tops = [Node(f"o{i}", "Top", "strategic objective", person("ceo"), Q2) for i in range(extra)]
    for nodes in ([lone, *tops], [*tops, lone]):
        with pytest.raises(ValidationError) as raised:
            Cascade(nodes)
        assert raised.value.problems == (
            Problem(
                f"$.nodes[{nodes.index(lone)}].parent", "node 'lost': unknown parent 'nowhere'"
            ),
        )
    assert validate_cascade(tops).errors == ()


def test_period_problems_keep_edge_order() -> None:
    early = Period(Q2.start.replace(year=Q2.start.year - 3), Q2.end)
    nodes = [
        *NODES,
        task("t6", period=early, contributions=(Contribution("g4"),)),
        task("t7", period=early),
    ]
    found = [p.path for p in validate_cascade(nodes).errors if p.path.endswith(".period")]
    assert found == ["$.nodes[14].period", "$.nodes[15].period", "$.nodes[14].period"]


def test_contribution_edge_paths_name_the_slot() -> None:
    goal = Node("g9", "Goal", "team goal", team("t"), Q2, parent="d1")
    nodes = [*NODES, goal, attrs.evolve(NODES[3], contributions=(Contribution("g9"),))]
    del nodes[3]
    found = validate_cascade(nodes).errors
    assert any(p.path == "$.nodes[14].contributions[0].parent" for p in found)


def test_weight_totals_are_the_sums_of_each_parents_edges() -> None:
    nodes = [*NODES, task("t6", weight=0.1), task("t7", weight=0.2, contributions=(
        Contribution("g4", 0.3),))]  # fmt: skip
    index = Cascade(nodes).index
    children = index.children
    for parent in children.internal:
        span = index.edge_weight[children.first[parent] : children.last[parent]]
        assert repr(index.weight_total[parent]) == repr(sum(span))
    assert set(index.weight_total) == set(children.internal)


def test_positions_with_duplicate_ids_point_at_the_first() -> None:
    found = validate_cascade([*NODES, task("t1"), task("t1")]).errors
    assert [p.message for p in found] == [
        "duplicate id 't1' (first at $.nodes[9])",
        "duplicate id 't1' (first at $.nodes[9])",
    ]
