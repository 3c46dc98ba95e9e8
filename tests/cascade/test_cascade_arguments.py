"""Arguments of the wrong kind are refused with the library's error, naming each one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from _cascade_example import NODES

from workplan_core.cascade import Cascade, Reading, Status, level_summaries, overdue_nodes, rollup
from workplan_core.errors import ValidationError

CASCADE = Cascade(NODES)
ROLLED = rollup(CASCADE)
DAY = dt.date(2027, 3, 1)


def _paths(caught: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [problem.path for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("nodes", "paths"),
    [
        ([NODES[0], {"id": "x"}, NODES[1], "n2"], ["$.nodes[1]", "$.nodes[3]"]),
        ("o1", ["$.nodes"]),
        (5, ["$.nodes"]),
        ({"o1": NODES[0]}, ["$.nodes"]),
    ],
)
def test_a_cascade_is_built_from_nodes_only(nodes: Any, paths: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        Cascade(nodes)
    assert _paths(caught) == paths


def test_a_cascade_config_must_be_a_config() -> None:
    with pytest.raises(ValidationError) as caught:
        Cascade(NODES, config="strict")  # type: ignore[arg-type]
    assert _paths(caught) == ["$.config"]
    assert "must be a CascadeConfig, got str" in str(caught.value)


def test_every_reading_that_is_not_a_reading_is_named() -> None:
    readings: Any = {"o1": 0.5, "t1": Reading(0.5, Status.ON_TRACK), "t2": "done"}
    with pytest.raises(ValidationError) as caught:
        rollup(CASCADE, readings)
    assert _paths(caught) == ["$.readings['o1']", "$.readings['t2']"]
    assert "must be a Reading, got float" in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "paths"),
    [
        ({"cascade": NODES}, ["$.cascade"]),
        ({"readings": [Reading(0.5, Status.ON_TRACK)]}, ["$.readings"]),
    ],
)
def test_rollup_arguments_of_the_wrong_kind(arguments: dict[str, Any], paths: list[str]) -> None:
    given = {"cascade": CASCADE, "readings": None, **arguments}
    with pytest.raises(ValidationError) as caught:
        rollup(given["cascade"], given["readings"])
    assert _paths(caught) == paths


@pytest.mark.parametrize("query", [overdue_nodes, level_summaries])
def test_queries_refuse_a_datetime_and_wrong_kinds_at_once(query: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        query(NODES, "rolled", dt.datetime(2027, 3, 1, 9, 0))
    assert _paths(caught) == ["$.cascade", "$.rolled", "$.as_of"]
    assert "must be a date, not a datetime" in str(caught.value)


@pytest.mark.parametrize("query", [overdue_nodes, level_summaries])
def test_queries_refuse_a_rollup_of_another_cascade(query: Any) -> None:
    other = Cascade(NODES[:1])
    with pytest.raises(ValidationError) as caught:
        query(other, ROLLED, DAY)
    assert _paths(caught) == ["$.rolled"]
    assert query(CASCADE, ROLLED, DAY) == query(CASCADE, rollup(CASCADE), DAY)
