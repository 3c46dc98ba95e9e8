"""Synthetic cascades: exact size, same seed same nodes, valid, realistic shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from workplan_core.cascade import (
    Cascade,
    MetricMeasure,
    RollupMethod,
    RollupScope,
    line_of_sight,
    nodes_owned_by,
    rollup,
    unaligned,
    uncovered_objectives,
)
from workplan_core.errors import ValidationError
from workplan_core.org import OwnerKind
from workplan_core.synthetic.cascade import SYNTHETIC_CONFIG, generate_cascade
from workplan_core.synthetic.org import generate_organisation


@pytest.mark.parametrize("size", [1, 7, 500, 5000])
def test_exact_size_and_valid(size: int) -> None:
    nodes = generate_cascade(size, seed=3)
    assert len(nodes) == size
    cascade = Cascade(nodes, SYNTHETIC_CONFIG)
    assert cascade.warnings == ()
    assert unaligned(cascade) == ()


def test_same_seed_same_nodes() -> None:
    assert generate_cascade(800, seed=5) == generate_cascade(800, seed=5)
    assert generate_cascade(800, seed=5) != generate_cascade(800, seed=6)


def test_small_cascades_have_several_objectives() -> None:
    nodes = generate_cascade(3000, seed=1)
    assert sum(1 for n in nodes if n.level == "strategic objective") >= 2


def test_shape_is_realistic() -> None:
    nodes = generate_cascade(20000, seed=1)
    cascade = Cascade(nodes, SYNTHETIC_CONFIG)
    levels = Counter(n.level for n in nodes)
    assert set(levels) == set(SYNTHETIC_CONFIG.level_names)
    assert levels["task"] / len(nodes) > 0.85
    index = cascade.index
    last_unit = nodes[-1]
    while last_unit.parent is not None:
        last_unit = cascade.node(last_unit.parent)
    complete = {  # business units before the last one have every planned node
        n.id for n in nodes if n.parent is None and n.owner.id != last_unit.owner.id
    }
    assert len(complete) >= 2

    def fan_out(level: str) -> list[int]:
        return [
            sum(1 for c in index.children.children_of(p) if index.parent[c] == p)
            for p, node in enumerate(nodes)
            if node.level == level and line_of_sight(cascade, node.id)[-1].id in complete
        ]

    assert 3 <= min(fan_out("strategic objective")) <= max(fan_out("strategic objective")) <= 8
    assert 3 <= min(fan_out("supporting goal")) <= max(fan_out("supporting goal")) <= 8
    assert 2 <= min(fan_out("departmental target")) <= max(fan_out("departmental target")) <= 5
    assert 10 <= min(fan_out("team goal")) <= max(fan_out("team goal")) <= 40
    extra = sum(1 for n in nodes if n.contributions) / len(nodes)
    assert 0.03 < extra < 0.07
    kinds = Counter(type(n.measure).__name__ for n in nodes)
    assert len(kinds) == 3
    methods = Counter(n.rule.method for n in nodes)
    assert {RollupMethod.SUM, RollupMethod.FRACTION_DONE, RollupMethod.MINIMUM} <= set(methods)
    assert any(n.rule.scope is RollupScope.LEAVES for n in nodes)
    assert sum(1 for n in nodes if n.weight != 1) > len(nodes) / 5
    assert uncovered_objectives(cascade) == ()
    result = rollup(cascade)
    assert all(0 <= result.progress(n.id) <= 1 for n in nodes[:2000])
    summed = next(n for n in nodes if n.rule.method is RollupMethod.SUM)
    assert isinstance(summed.measure, MetricMeasure)
    assert result[summed.id].value is not None


def test_owners_come_from_the_organisation() -> None:
    org = generate_organisation(300, seed=2)
    nodes = generate_cascade(3000, seed=2, organisation=org)
    Cascade(nodes, SYNTHETIC_CONFIG)
    as_of = dt.date(2026, 10, 1)
    for node in nodes[:300]:
        org.resolve_owner(node.owner, as_of)  # every owner exists in the organisation
    task = next(n for n in nodes if n.owner.kind is OwnerKind.PERSON)
    owned = nodes_owned_by(Cascade(nodes), org, task.owner.id, as_of)
    assert task in owned or not org.resolve_owner(task.owner, as_of)


def test_size_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        generate_cascade(0)
