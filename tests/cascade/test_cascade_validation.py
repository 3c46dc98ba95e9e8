"""Every cascade rule, each reported with its path and the node ids, all at once."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from _cascade_example import H1, NODES, Q2, department, person, team
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    DEFAULT_CONFIG,
    BinaryMeasure,
    Cascade,
    CascadeConfig,
    Contribution,
    Level,
    MetricMeasure,
    Node,
    RollupMethod,
    RollupRule,
    Severity,
    validate_cascade,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.org import OwnerKind
from workplan_core.periods import Period
from workplan_core.testing.strategies.cascade import cascade_nodes


def problems(nodes: list[Node], config: CascadeConfig = DEFAULT_CONFIG) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        Cascade(nodes, config)
    report = validate_cascade(nodes, config)
    assert list(report.errors) == list(caught.value.problems)
    return list(caught.value.problems)


def task(node_id: str, parent: str | None = "g3", **fields: object) -> Node:
    return Node(node_id, "A task", "task", person("p"), Q2, parent=parent, **fields)  # type: ignore[arg-type]


def test_the_example_is_valid() -> None:
    report = validate_cascade(NODES)
    assert report.ok
    assert report.warnings == ()


def test_duplicate_and_empty_ids() -> None:
    found = problems([*NODES, task("t1"), task("")])
    assert Problem("$.nodes[14].id", "duplicate id 't1' (first at $.nodes[9])") in found
    assert Problem("$.nodes[15].id", "must not be empty") in found


def test_unknown_parents_and_contributions() -> None:
    found = problems([*NODES, task("t6", parent="g9"), task("t7", contributions=(
        Contribution("g9"), Contribution("g3"), Contribution("t7"))),
    ])  # fmt: skip
    assert found == [
        Problem("$.nodes[14].parent", "node 't6': unknown parent 'g9'"),
        Problem("$.nodes[15].contributions[0].parent", "node 't7': unknown parent 'g9'"),
        Problem("$.nodes[15].contributions[1].parent", "node 't7' is already aligned to 'g3'"),
        Problem("$.nodes[15].contributions[2].parent", "node 't7' cannot contribute to itself"),
    ]


def test_a_child_must_sit_below_each_parent() -> None:
    found = problems([*NODES, Node("s3", "Goal", "supporting goal", person("p"), H1, parent="d2")])
    assert found == [
        Problem(
            "$.nodes[14].parent",
            "node 's3' (level 'supporting goal') must sit below its parent 'd2' "
            "(level 'departmental target')",
        )
    ]


def test_cycles_through_contributions_are_found() -> None:
    nodes = list(NODES)
    nodes[3] = attrs.evolve(nodes[3], contributions=(Contribution("g1"),))  # d1 -> g1 -> d1
    found = problems(nodes)
    assert Problem("$.nodes[3].contributions[0].parent", "cycle: 'd1' → 'g1' → 'd1'") in found
    assert any("must sit below its parent 'g1'" in p.message for p in found)


def test_weights_must_be_positive_and_finite() -> None:
    found = problems([
        *NODES,
        task("t6", weight=0),
        task("t7", weight=-2),
        task("t8", weight=float("nan")),
        task("t9", contributions=(Contribution("g4", 0.0),)),
    ])  # fmt: skip
    rule = "weight must be a finite number between 1e-09 and 1e+09"
    assert found == [
        Problem("$.nodes[17].contributions[0].weight", f"node 't9': {rule}"),
        Problem("$.nodes[14].weight", f"node 't6': {rule}"),
        Problem("$.nodes[15].weight", f"node 't7': {rule}"),
        Problem("$.nodes[16].weight", f"node 't8': {rule}"),
    ]


def test_periods_outside_the_parent_are_errors_or_warnings() -> None:
    late = Period(dt.date(2027, 7, 1), dt.date(2027, 9, 30))
    nodes = [*NODES, Node("t6", "Late", "task", person("p"), late, parent="g3")]
    message = (
        "node 't6' runs 2027-07-01..2027-09-30, outside its parent 'g3' (2026-10-01..2026-12-31)"
    )
    assert problems(nodes) == [Problem("$.nodes[14].period", message)]
    relaxed = Cascade(nodes, CascadeConfig(period_rule=Severity.WARNING))
    assert relaxed.warnings == (Problem("$.nodes[14].period", message),)


def test_sums_need_metrics_in_one_unit() -> None:
    nodes = [*NODES, task("t6", parent="g1", measure=MetricMeasure("EUR", 0, 5)),
             task("t7", parent="g1"),
             Node("g9", "Sum of nothing", "team goal", team("x"), Q2, parent="d2",
                  rule=RollupRule(RollupMethod.SUM))]  # fmt: skip
    assert problems(nodes) == [
        Problem("$.nodes[14].measure.unit",
                "node 't6' is in 'EUR', which cannot be summed into 'g1' in 'deals'"),
        Problem("$.nodes[15].measure", "node 't7' has no metric to sum into 'g1' (deals)"),
        Problem("$.nodes[16].measure",
                "node 'g9' sums its contributors' metrics, so it needs a metric measure"),
    ]  # fmt: skip


def test_owner_kinds_per_level() -> None:
    config = CascadeConfig(
        levels=(
            Level("strategic objective"),
            Level("supporting goal"),
            Level("departmental target", {OwnerKind.DEPARTMENT}),
            Level("team goal", {OwnerKind.TEAM}),
            Level("task"),
        )
    )
    assert Cascade(NODES, config).node("d1").owner == department("sales")
    nodes = list(NODES)
    nodes[3] = attrs.evolve(nodes[3], owner=person("boss"))
    assert problems(nodes, config) == [
        Problem("$.nodes[3].owner.kind",
                "node 'd1': a person may not own a 'departmental target' (allowed: department)"),
    ]  # fmt: skip


def test_unknown_levels_and_wrong_types() -> None:
    with attrs.validators.disabled():  # nodes refuse these too: check the build's own checks
        wrong = [
            task("t6", measure="done"),  # type: ignore[arg-type]
            task("t7", status="done"),  # type: ignore[arg-type]
        ]
    found = problems([*NODES, Node("x", "X", "epic", person("p"), Q2, parent="g3"), *wrong])
    assert found[0].path == "$.nodes[15].measure"
    assert found[1] == Problem("$.nodes[16].status", "node 't7': not a status")
    assert found[2].path == "$.nodes[14].level"
    assert "unknown level 'epic'" in found[2].message


def test_every_problem_is_reported_at_once() -> None:
    found = problems([*NODES, task("t1"), task("t6", parent="zz", weight=0)])
    assert {p.path for p in found} == {"$.nodes[14].id", "$.nodes[15].parent", "$.nodes[15].weight"}


def test_configs_refuse_bad_levels() -> None:
    with pytest.raises(ValidationError) as caught:
        CascadeConfig(levels=(Level("a"), Level("a")))
    assert caught.value.problems == (
        Problem("$.levels[1].name", "duplicate level name 'a' (first at $.levels[0])"),
    )
    with pytest.raises(ValidationError):
        CascadeConfig(levels=())
    with pytest.raises(ValidationError):
        Level("x", set())


@given(cascade_nodes())
def test_generated_cascades_are_valid(nodes: list[Node]) -> None:
    assert validate_cascade(nodes).ok
    assert len(Cascade(nodes)) == len(nodes)


@given(cascade_nodes(), st.data())
def test_aligning_a_node_to_its_own_descendant_is_refused(
    nodes: list[Node], data: st.DataObject
) -> None:
    with_parents = [n for n in nodes if n.parent is not None]
    if not with_parents:
        return
    child = data.draw(st.sampled_from(with_parents))
    ancestor = next(n for n in nodes if n.id == child.parent)
    looped = attrs.evolve(ancestor, contributions=(*ancestor.contributions, Contribution(child.id)))
    changed = [looped if n.id == ancestor.id else n for n in nodes]
    report = validate_cascade(changed)
    assert any(p.message.startswith("cycle:") for p in report.errors)
    assert any("must sit below its parent" in p.message for p in report.errors)


def test_binary_measures_are_the_default() -> None:
    assert task("t9").measure == BinaryMeasure(False)
