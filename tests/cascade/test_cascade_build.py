"""Building a cascade: the quick checks of the common case agree with the node-by-node ones."""

from __future__ import annotations

import gc

import attrs
import pytest
from _cascade_example import NODES, Q2, person

from workplan_core.cascade import (
    Cascade,
    Contribution,
    MetricMeasure,
    Node,
    RollupMethod,
    RollupRule,
    RollupScope,
    validate_cascade,
)
from workplan_core.errors import Problem, ValidationError


def task(node_id: str, parent: str | None = "g3", **fields: object) -> Node:
    return Node(node_id, "A task", "task", person("p"), Q2, parent=parent, **fields)  # type: ignore[arg-type]


def problems(nodes: list[Node]) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        Cascade(nodes)
    assert list(validate_cascade(nodes).errors) == list(caught.value.problems)
    return list(caught.value.problems)


def test_a_duplicate_id_cannot_hide_a_contribution_to_itself() -> None:
    found = problems([*NODES, task("t6"), task("t6", contributions=(Contribution("t6"),))])
    assert found == [
        Problem("$.nodes[15].id", "duplicate id 't6' (first at $.nodes[14])"),
        Problem("$.nodes[15].contributions[0].parent", "node 't6' cannot contribute to itself"),
        Problem(
            "$.nodes[15].contributions[0].parent",
            "node 't6' (level 'task') must sit below its parent 't6' (level 'task')",
        ),
    ]


def test_a_contribution_weight_must_be_a_number_not_a_flag() -> None:
    with attrs.validators.disabled():  # the nodes refuse it too: check the build's own check
        flagged = task("t6", contributions=(Contribution("g4", True),))  # type: ignore[arg-type]
    found = problems([*NODES, flagged])
    assert found == [
        Problem(
            "$.nodes[14].contributions[0].weight",
            "node 't6': weight must be a finite number between 1e-09 and 1e+09",
        )
    ]


def test_a_node_weight_must_be_a_number_not_a_flag() -> None:
    with attrs.validators.disabled():  # the node refuses it too: check the build's own check
        flagged = task("t6", weight=True)
    found = problems([*NODES, flagged])
    assert found == [
        Problem(
            "$.nodes[14].weight",
            "node 't6': weight must be a finite number between 1e-09 and 1e+09",
        )
    ]


def test_weights_of_other_number_types_are_checked_one_by_one() -> None:
    class Share(float):
        """A float subclass, as number types of other libraries are."""

    cascade = Cascade([*NODES, task("t6", weight=Share(2.0))])
    assert cascade.index.weight[cascade.position("t6")] == 2.0
    assert [p.path for p in problems([*NODES, task("t6", weight=Share(0.0))])] == [
        "$.nodes[14].weight"
    ]


def test_infinite_weights_are_refused() -> None:
    found = problems([*NODES, task("t6", weight=float("inf"))])
    assert [p.path for p in found] == ["$.nodes[14].weight"]


def test_several_contributions_each_link_their_parent_in_order() -> None:
    cascade = Cascade(
        [*NODES, task("t6", contributions=(Contribution("g4", 2.0), Contribution("g2", 0.5)))]
    )
    index = cascade.index
    up = index.up(cascade.position("t6"))
    assert up == [
        (cascade.position("g3"), 1.0),
        (cascade.position("g4"), 2.0),
        (cascade.position("g2"), 0.5),
    ]
    assert cascade.position("t6") in index.children.children_of(cascade.position("g2"))


def test_single_contributions_link_like_several() -> None:
    cascade = Cascade([*NODES, task("t6", contributions=(Contribution("g4", 2.0),))])
    index = cascade.index
    t6, g4 = cascade.position("t6"), cascade.position("g4")
    assert index.extra_up == {t6: [(g4, 2.0)]}
    assert index.children.children_of(g4) == [t6]


def test_a_rule_equal_to_the_default_is_not_special() -> None:
    cascade = Cascade([*NODES, task("t6", rule=RollupRule())])
    assert cascade.position("t6") not in cascade.index.rules
    leaves = RollupRule(RollupMethod.WEIGHTED_MEAN, RollupScope.LEAVES)
    other = Cascade([*NODES, task("t6", rule=leaves)])
    assert other.index.rules[other.position("t6")] == leaves


def test_sums_read_every_leaf_once() -> None:
    nodes = list(NODES)
    nodes[3] = Node(
        "d1", "Deals", "departmental target", person("p"), nodes[3].period, parent="s1",
        measure=MetricMeasure("deals", 0, 40),
        rule=RollupRule(RollupMethod.SUM, RollupScope.LEAVES),
    )  # fmt: skip
    nodes[5] = Node(
        "g1", "North", "team goal", person("p"), Q2, parent="d1",
        measure=MetricMeasure("deals", 0, 25),
    )  # fmt: skip
    index = Cascade(nodes).index
    d1 = index.position("d1")
    assert index.summing[d1] == (0, 40)
    assert {index.ids[p] for p in index.valued} == {"d1", "t1", "t2", "g2"}
    assert index.own_value[index.position("g2")] == 3


def test_positions_by_id() -> None:
    cascade = Cascade(NODES)
    assert cascade.index.pos == {node.id: i for i, node in enumerate(NODES)}
    assert "t3" in cascade
    assert "zz" not in cascade
    assert cascade.position("t3") == 11


def test_building_leaves_the_program_s_frozen_objects_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        Cascade(NODES)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_building_restores_the_collector() -> None:
    assert gc.isenabled()
    Cascade(NODES)
    assert gc.isenabled()
    gc.disable()
    try:
        Cascade(NODES)
        assert not gc.isenabled()
    finally:
        gc.enable()
