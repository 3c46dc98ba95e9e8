"""Diffs and templates refuse wrong arguments with a ValidationError naming each one."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from _cascade_example import Q2, example, position

from workplan_core.cascade import Contribution, NodeTemplate, diff_cascades, instantiate
from workplan_core.errors import ValidationError


def _paths(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [p.path for p in error.value.problems]


def test_diff_names_arguments_that_are_not_nodes() -> None:
    cascade = example()
    with pytest.raises(ValidationError) as caught:
        diff_cascades(None, cascade)  # type: ignore[arg-type]
    assert _paths(caught) == ["$.old"]
    with pytest.raises(ValidationError) as caught:
        diff_cascades(["a"], [*cascade, 3])  # type: ignore[list-item]
    assert _paths(caught) == ["$.old[0]", f"$.new[{len(cascade)}]"]
    assert diff_cascades(iter(cascade), (n for n in cascade)).empty


def test_diff_refuses_an_id_given_twice() -> None:
    nodes = list(example())
    with pytest.raises(ValidationError) as caught:
        diff_cascades(nodes, [*nodes, nodes[2]])
    assert _paths(caught) == [f"$.new[{len(nodes)}].id"]
    assert "first at $.new[2]" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        ({"id": 2027}, ["$.id"]),
        ({"id": ""}, ["$.id"]),
        ({"period": "2027", "title": None}, ["$.title", "$.period"]),
        ({"weight": -1}, ["$.weight"]),
        ({"weight": math.inf}, ["$.weight"]),
        ({"weight": True}, ["$.weight"]),
        ({"parent": 3, "measure": "binary", "rule": None}, ["$.parent", "$.measure", "$.rule"]),
        ({"contributions": [Contribution("g3")]}, ["$.contributions"]),
        ({"contributions": (Contribution("g3", 0), "g4")},
         ["$.contributions[0].weight", "$.contributions[1]"]),
        ({"tags": {"a"}, "description": 1}, ["$.description", "$.tags"]),
        ({"tags": frozenset({1})}, ["$.tags"]),
    ],
)  # fmt: skip
def test_a_template_checks_its_fields(fields: dict[str, object], paths: list[str]) -> None:
    given: dict[str, object] = {"id": "t", "title": "T", "level": "task", "period": Q2}
    with pytest.raises(ValidationError) as caught:
        NodeTemplate(**{**given, **fields})  # type: ignore[arg-type]
    assert _paths(caught) == paths


class _Gives:
    def __init__(self, people: object) -> None:
        self.people = people

    def resolve_owner(self, ref: object, as_of: dt.date) -> object:
        return self.people


def test_instantiate_names_wrong_arguments() -> None:
    template = NodeTemplate("t", "T", "task", Q2)
    holders = position("am")
    with pytest.raises(ValidationError) as caught:
        instantiate("tmpl", "am", object(), dt.datetime(2027, 1, 1))  # type: ignore[arg-type]
    assert _paths(caught) == ["$.template", "$.holders", "$.resolver", "$.as_of"]
    for people in ({"a", 3}, {""}, "amy", None):
        with pytest.raises(ValidationError) as caught:
            instantiate(template, holders, _Gives(people), Q2.start)  # type: ignore[arg-type]
        assert _paths(caught) == ["$.resolver"]
    made = instantiate(template, holders, _Gives(["zoe", "amy"]), Q2.start)  # type: ignore[arg-type]
    assert [n.id for n in made] == ["t:amy", "t:zoe"]
