"""Records round-trip through the one converter; bad input is reported with paths."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    BinaryMeasure,
    CascadeConfig,
    Direction,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
    Node,
    NodeTemplate,
    Reading,
    RollupRule,
    Status,
    is_overdue,
    roll_status,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.periods import Period
from workplan_core.serialization import dump_record, load_record, structure, unstructure
from workplan_core.testing.strategies import for_type
from workplan_core.testing.strategies.templates import node_templates


@pytest.mark.parametrize("cls", [Node, CascadeConfig, NodeTemplate])
@given(data=st.data())
def test_stored_records_round_trip(cls: type[Any], data: st.DataObject) -> None:
    value = data.draw(for_type(cls))
    assert load_record(dump_record(value), cls) == value


@pytest.mark.parametrize("cls", [MetricMeasure, BinaryMeasure, MilestoneMeasure, RollupRule])
@given(data=st.data())
def test_values_round_trip(cls: type[Any], data: st.DataObject) -> None:
    value = data.draw(for_type(cls))
    assert structure(unstructure(value), cls) == value


@given(node_templates())
def test_templates_make_valid_looking_nodes(template: NodeTemplate) -> None:
    node = template.node_for("p1")
    assert node.id == f"{template.id}:p1"
    assert node.measure == template.measure


def test_bad_nodes_are_reported_with_paths() -> None:
    data = {
        "id": "t1",
        "title": "A task",
        "level": "task",
        "owner": {"kind": "person", "id": "p1"},
        "period": {"start": "2026-07-01", "end": "2026-06-30"},
        "weight": "heavy",
        "measure": {"kind": "metric", "unit": "EUR", "baseline": 5, "target": 5},
        "rule": {"method": "manual", "manual_progress": 2},
        "status": "finished",
        "colour": "red",
        "$type": "cascade.node",
        "$version": 1,
    }
    with pytest.raises(ValidationError) as caught:
        load_record(data, Node)
    paths = {p.path for p in caught.value.problems}
    assert {
        "$.period.end",
        "$.weight",
        "$.measure.target",
        "$.rule.manual_progress",
        "$.rule.reason",
        "$.status",
        "$",
    } <= paths


def test_measures_follow_their_rules() -> None:
    assert MetricMeasure("tickets", 120, 40, 100).progress() == 0.25  # falling
    assert MetricMeasure("tickets", 120, 40, 130).progress() == 0.0  # the wrong way
    assert MetricMeasure("EUR", 0, 10, 15).progress() == 1.0  # past the target
    assert MetricMeasure("EUR", 0, 10).progress() == 0.0  # no reading yet
    assert MetricMeasure("EUR", 0, 10).direction is Direction.RISING
    with pytest.raises(ValidationError) as caught:
        MetricMeasure("EUR", 0, 10, direction=Direction.FALLING)
    assert caught.value.problems == (
        Problem("$.direction", "a falling metric needs a target below its baseline"),
    )
    with pytest.raises(ValidationError):
        MetricMeasure("EUR", 0, float("inf"))
    with pytest.raises(ValidationError):
        MetricMeasure("EUR", 0, 1e-12)
    with pytest.raises(ValidationError):
        MilestoneMeasure([])
    assert MilestoneMeasure([Milestone("a", True), Milestone("b")]).progress() == 0.5
    with pytest.raises(ValidationError):
        Reading(1.5, Status.DONE)
    with pytest.raises(ValidationError):
        RollupRule.manual(0.5, " ")


def test_status_rules() -> None:
    assert roll_status({Status.DONE: 2, Status.CANCELLED: 1}) is Status.DONE
    assert roll_status({Status.DONE: 1, Status.NOT_STARTED: 1}) is Status.ON_TRACK
    assert roll_status({Status.NOT_STARTED: 2}) is Status.NOT_STARTED
    assert roll_status({Status.AT_RISK: 1, Status.BLOCKED: 1, Status.DONE: 3}) is Status.BLOCKED
    assert roll_status({Status.CANCELLED: 2}) is None
    assert roll_status([0, 1, 1, 0, 0, 0, 0]) is Status.AT_RISK
    q = Period(__import__("datetime").date(2026, 7, 1), __import__("datetime").date(2026, 9, 30))
    assert is_overdue(q, Status.ON_TRACK, q.end.replace(day=30).replace(month=10))
    assert not is_overdue(q, Status.DONE, q.end.replace(month=10))
    assert not is_overdue(q, Status.BLOCKED, q.end)
