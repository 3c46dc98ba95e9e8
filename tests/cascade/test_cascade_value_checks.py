"""Cascade values refuse fields of the wrong type with one `ValidationError` naming each field.

Enums are never made from their strings here (only the serializer does that, on load), bools
are not numbers, a string is not taken apart into characters, and no bare `TypeError` or
`AttributeError` escapes a constructor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    BinaryMeasure,
    CascadeConfig,
    Contribution,
    Direction,
    Level,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
    Node,
    Reading,
    RollupMethod,
    RollupRule,
    RollupScope,
    Severity,
    Status,
)
from workplan_core.errors import ValidationError
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.periods import Period
from workplan_core.serialization import structure
from workplan_core.testing.strategies import for_type

ME = OwnerRef(OwnerKind.PERSON, "p1")
Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Make = Callable[[], object]
#: The constructors as untyped callers (notebooks, hand-written JSON handlers) see them.
U: Any = SimpleNamespace(
    BinaryMeasure=BinaryMeasure,
    CascadeConfig=CascadeConfig,
    Contribution=Contribution,
    Level=Level,
    MetricMeasure=MetricMeasure,
    Milestone=Milestone,
    MilestoneMeasure=MilestoneMeasure,
    Node=Node,
    OwnerRef=OwnerRef,
    Reading=Reading,
    RollupRule=RollupRule,
)


def node(**changes: Any) -> Node:
    fields: dict[str, Any] = {
        "id": "t1",
        "title": "A task",
        "level": "task",
        "owner": ME,
        "period": Q3,
        **changes,
    }
    return Node(**fields)


def refused(make: Make) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        make()
    return caught.value


def case(make: Make, path: str, fragment: str, id: str) -> Any:
    return pytest.param(make, path, fragment, id=id)


def assert_refused(make: Make, path: str, fragment: str) -> None:
    error = refused(make)
    assert [p.path for p in error.problems] == [path], error
    assert fragment in error.problems[0].message


# --------------------------------------------------------------------------- measures

METRIC_CASES = [
    case(lambda: U.MetricMeasure("x", 0, "10"), "$.target", "must be a number, got str", "str"),
    case(lambda: U.MetricMeasure("x", 0, None), "$.target", "must be a number, got NoneType", "no"),
    case(lambda: U.MetricMeasure("x", "0", 10), "$.baseline", "must be a number, got str", "base"),
    case(lambda: U.MetricMeasure("x", True, 10), "$.baseline", "must be a number, got bool", "b"),
    case(lambda: U.MetricMeasure("x", 0, 10, "5"), "$.current", "number or None, got str", "cur"),
    case(lambda: U.MetricMeasure(None, 0, 10), "$.unit", "must be a string, got NoneType", "unit"),
    case(lambda: U.MetricMeasure(5, 0, 10), "$.unit", "must be a string, got int", "unit-int"),
    case(lambda: U.MetricMeasure("", 0, 10), "$.unit", "must not be empty", "unit-empty"),
    case(
        lambda: U.MetricMeasure("x", 0, 10, direction="rising"),
        "$.direction",
        "must be a Direction, got str",
        "direction-str",
    ),
    case(
        lambda: U.MetricMeasure("x", 0, 10, direction=Direction.FALLING),
        "$.direction",
        "a falling metric needs a target below its baseline",
        "direction-contradicts",
    ),
    case(lambda: U.MetricMeasure("x", 5, 5), "$.target", "must differ from the baseline", "same"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), METRIC_CASES)
def test_metric_measures_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


BINARY_CASES = [
    case(lambda: U.BinaryMeasure("no"), "$.done", "must be True or False, got str", "str"),
    case(lambda: U.BinaryMeasure(1), "$.done", "must be True or False, got int", "int"),
    case(lambda: U.BinaryMeasure(None), "$.done", "must be True or False, got NoneType", "none"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), BINARY_CASES)
def test_binary_measures_refuse_non_bools(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


MILESTONE_CASES = [
    case(lambda: U.Milestone("a", "no"), "$.reached", "must be True or False, got str", "reached"),
    case(lambda: U.Milestone("a", 1), "$.reached", "must be True or False, got int", "reached-1"),
    case(lambda: U.Milestone(None), "$.name", "must be a string, got NoneType", "name-none"),
    case(lambda: U.Milestone(""), "$.name", "must not be empty", "name-empty"),
    case(lambda: U.Milestone("a", due="2026-07-01"), "$.due", "date or None, got str", "due-str"),
    case(
        lambda: U.Milestone("a", due=dt.datetime(2026, 7, 1)),
        "$.due",
        "must be a date or None, got datetime",
        "due-datetime",
    ),
]


@pytest.mark.parametrize(("make", "path", "fragment"), MILESTONE_CASES)
def test_milestones_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


MILESTONE_MEASURE_CASES = [
    case(
        lambda: U.MilestoneMeasure(["a"]),
        "$.milestones[0]",
        "must be a Milestone, got str",
        "str-item",
    ),
    case(
        lambda: U.MilestoneMeasure("ab"),
        "$.milestones",
        "must be a sequence of Milestone, got str",
        "str",
    ),
    case(
        lambda: U.MilestoneMeasure(None),
        "$.milestones",
        "must be a sequence of Milestone, got NoneType",
        "none",
    ),
    case(lambda: U.MilestoneMeasure([]), "$.milestones", "at least one milestone", "empty"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), MILESTONE_MEASURE_CASES)
def test_milestone_measures_refuse_bad_milestones(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


def test_a_measure_built_from_a_generator_still_works() -> None:
    measure = MilestoneMeasure(Milestone(name, reached=name == "a") for name in "ab")
    assert measure.progress() == 0.5


# --------------------------------------------------------------------------- rules

RULE_CASES = [
    case(lambda: U.RollupRule("sum"), "$.method", "must be a RollupMethod, got str", "method"),
    case(
        lambda: U.RollupRule(RollupMethod.WEIGHTED_MEAN, "leaves"),
        "$.scope",
        "must be a RollupScope, got str",
        "scope",
    ),
    case(lambda: U.RollupRule.manual(0.5, None), "$.reason", "string, got NoneType", "reason"),
    case(
        lambda: U.RollupRule.manual("0.5", "x"),
        "$.manual_progress",
        "must be a number or None, got str",
        "progress-str",
    ),
    case(
        lambda: U.RollupRule.manual(True, "x"),
        "$.manual_progress",
        "must be a number or None, got bool",
        "progress-bool",
    ),
    case(lambda: U.RollupRule.manual(1.5, "x"), "$.manual_progress", "between 0 and 1", "range"),
    case(lambda: U.RollupRule.manual(0.5, "  "), "$.reason", "a recorded reason", "no-reason"),
    case(
        lambda: U.RollupRule(RollupMethod.MANUAL, reason="x"),
        "$.manual_progress",
        "needs a manual progress",
        "manual-without-progress",
    ),
]


@pytest.mark.parametrize(("make", "path", "fragment"), RULE_CASES)
def test_rules_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


# --------------------------------------------------------------------------- levels

LEVEL_CASES = [
    case(lambda: U.Level("x", "person"), "$.owner_kinds", "set of OwnerKind, got str", "str"),
    case(
        lambda: U.Level("x", ["person"]),
        "$.owner_kinds",
        "must hold only OwnerKind members, got str",
        "str-item",
    ),
    case(
        lambda: U.Level("x", {OwnerKind.TEAM, 3}),
        "$.owner_kinds",
        "must hold only OwnerKind members, got int",
        "int-item",
    ),
    case(lambda: U.Level("x", 3), "$.owner_kinds", "set of OwnerKind, got int", "int"),
    case(lambda: U.Level("x", set()), "$.owner_kinds", "at least one owner kind", "empty"),
    case(lambda: U.Level(None), "$.name", "must be a string, got NoneType", "name"),
    case(lambda: U.Level(""), "$.name", "must not be empty", "name-empty"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), LEVEL_CASES)
def test_levels_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


def test_levels_still_take_any_iterable_of_owner_kinds() -> None:
    assert Level("x", [OwnerKind.TEAM]).owner_kinds == frozenset({OwnerKind.TEAM})


CONFIG_CASES = [
    case(
        lambda: U.CascadeConfig(["a", "b"]),
        "$.levels[0]",
        "must be a Level, got str",
        "str-items",
    ),
    case(
        lambda: U.CascadeConfig("ab"),
        "$.levels",
        "must be a sequence of Level, got str",
        "str",
    ),
    case(
        lambda: U.CascadeConfig(None),
        "$.levels",
        "must be a sequence of Level, got NoneType",
        "none",
    ),
    case(lambda: U.CascadeConfig(()), "$.levels", "must name at least one level", "empty"),
    case(
        lambda: U.CascadeConfig(period_rule="warning"),
        "$.period_rule",
        "must be a Severity, got str",
        "period-rule",
    ),
    case(
        lambda: U.CascadeConfig([Level("a"), Level("a")]),
        "$.levels[1].name",
        "duplicate level name 'a'",
        "duplicate",
    ),
]


@pytest.mark.parametrize(("make", "path", "fragment"), CONFIG_CASES)
def test_configs_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    error = refused(make)
    assert error.problems[0].path == path, error
    assert fragment in error.problems[0].message


def test_a_config_names_every_level_that_is_not_a_level() -> None:
    error = refused(lambda: U.CascadeConfig(["a", Level("b"), 3]))
    assert [str(p) for p in error.problems] == [
        "$.levels[0]: must be a Level, got str",
        "$.levels[2]: must be a Level, got int",
    ]


# --------------------------------------------------------------------------- readings

READING_CASES = [
    case(lambda: U.Reading(0.5, "done"), "$.status", "must be a Status, got str", "status"),
    case(lambda: U.Reading(0.5, None), "$.status", "Status, got NoneType", "status-none"),
    case(
        lambda: U.Reading("0.5", Status.DONE),
        "$.progress",
        "must be a number or None, got str",
        "progress-str",
    ),
    case(
        lambda: U.Reading(True, Status.DONE),
        "$.progress",
        "must be a number or None, got bool",
        "progress-bool",
    ),
    case(lambda: U.Reading(1.5, Status.DONE), "$.progress", "between 0 and 1", "progress-range"),
    case(
        lambda: U.Reading(None, Status.DONE, "3"),
        "$.value",
        "must be a number or None, got str",
        "value-str",
    ),
    case(
        lambda: U.Reading(None, Status.DONE, float("nan")),
        "$.value",
        "finite number",
        "value-nan",
    ),
]


@pytest.mark.parametrize(("make", "path", "fragment"), READING_CASES)
def test_readings_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


# --------------------------------------------------------------------------- owners

OWNER_CASES = [
    case(lambda: U.OwnerRef("person", "p1"), "$.kind", "must be an OwnerKind, got str", "kind"),
    case(lambda: U.OwnerRef(OwnerKind.TEAM, 7), "$.id", "must be a string, got int", "id"),
    case(lambda: U.OwnerRef(OwnerKind.TEAM, ""), "$.id", "must not be empty", "empty"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), OWNER_CASES)
def test_owner_refs_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


# --------------------------------------------------------------------------- nodes

CONTRIBUTION_CASES = [
    case(lambda: U.Contribution(None), "$.parent", "must be a string, got NoneType", "parent"),
    case(lambda: U.Contribution(7), "$.parent", "must be a string, got int", "parent-int"),
    case(
        lambda: U.Contribution("g1", True),
        "$.weight",
        "a number (an int or a float), got bool",
        "b",
    ),
    case(
        lambda: U.Contribution("g1", "2"), "$.weight", "a number (an int or a float), got str", "s"
    ),
]


@pytest.mark.parametrize(("make", "path", "fragment"), CONTRIBUTION_CASES)
def test_contributions_refuse_bad_fields(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


NODE_CASES = [
    case(
        lambda: U.Node(2027, "Plan", "strategic objective", ME, Q3),
        "$.id",
        "must be a string, got int",
        "id",
    ),
    case(lambda: node(title=None), "$.title", "must be a string, got NoneType", "title"),
    case(lambda: node(level=4), "$.level", "must be a string, got int", "level"),
    case(lambda: node(owner=None), "$.owner", "must be an OwnerRef, got NoneType", "owner"),
    case(lambda: node(owner="person:p1"), "$.owner", "an OwnerRef, got str", "owner-str"),
    case(lambda: node(period=None), "$.period", "must be a Period, got NoneType", "period"),
    case(lambda: node(period=(1, 2)), "$.period", "must be a Period, got tuple", "period-tuple"),
    case(lambda: node(parent=3), "$.parent", "must be a string or None, got int", "parent"),
    case(
        lambda: node(contributions=("o1",)),
        "$.contributions[0]",
        "must be a Contribution, got str",
        "contribution-str",
    ),
    case(
        lambda: node(contributions=[Contribution("o1")]),
        "$.contributions",
        "must be a tuple of Contribution, got list",
        "contributions-list",
    ),
    case(lambda: node(weight=True), "$.weight", "an int or a float), got bool", "weight-bool"),
    case(lambda: node(weight="1"), "$.weight", "an int or a float), got str", "weight-str"),
    case(lambda: node(weight=None), "$.weight", "an int or a float), got NoneType", "weight-no"),
    case(
        lambda: node(measure="done"),
        "$.measure",
        "must be a MetricMeasure, BinaryMeasure or MilestoneMeasure, got str",
        "measure",
    ),
    case(lambda: node(rule=None), "$.rule", "must be a RollupRule, got NoneType", "rule"),
    case(
        lambda: node(rule=RollupMethod.SUM),
        "$.rule",
        "must be a RollupRule, got RollupMethod",
        "rule-method",
    ),
    case(lambda: node(status="done"), "$.status", "must be a Status, got str", "status"),
    case(lambda: node(description=None), "$.description", "string, got NoneType", "description"),
    case(lambda: node(tags={"okr"}), "$.tags", "must be a frozenset of strings, got set", "tags"),
    case(lambda: node(tags="okr"), "$.tags", "must be a frozenset of strings, got str", "tag-s"),
    case(
        lambda: node(tags=frozenset({"okr", 1})),
        "$.tags",
        "must hold only strings, got int",
        "tag-int",
    ),
    case(lambda: node(origin=1), "$.origin", "must be a string or None, got int", "origin"),
]


@pytest.mark.parametrize(("make", "path", "fragment"), NODE_CASES)
def test_nodes_refuse_fields_of_the_wrong_type(make: Make, path: str, fragment: str) -> None:
    assert_refused(make, path, fragment)


def test_node_ranges_stay_with_the_cascade_build() -> None:
    """Empty ids and out-of-range weights are the build's to report, with the cascade's paths."""
    assert node(id="", weight=0).weight == 0
    assert node(weight=float("nan"), contributions=(Contribution("g1", -1.0),)).id == "t1"


def test_weights_of_other_number_types_are_not_refused_by_the_node() -> None:
    class Share(float):
        """A float subclass, as number types of other libraries are."""

    assert node(weight=Share(2.0), contributions=(Contribution("g1", Share(1.0)),)).weight == 2.0


# --------------------------------------------------------------------------- many at once


def test_a_node_lists_every_problem_at_once() -> None:
    error = refused(
        lambda: U.Node(
            1,
            "Plan",
            "task",
            None,
            None,
            contributions=("o1", Contribution("o2")),
            weight=True,
            status="done",
            tags=frozenset({2}),
        )
    )
    assert [str(p) for p in error.problems] == [
        "$.id: must be a string, got int",
        "$.owner: must be an OwnerRef, got NoneType",
        "$.period: must be a Period, got NoneType",
        "$.contributions[0]: must be a Contribution, got str",
        "$.weight: must be a number (an int or a float), got bool",
        "$.status: must be a Status, got str",
        "$.tags: must hold only strings, got int",
    ]
    assert error.summary == "invalid node"


@pytest.mark.parametrize(
    ("make", "paths"),
    [
        pytest.param(
            lambda: U.MetricMeasure(None, "0", None, "1", "up"),
            ["$.unit", "$.baseline", "$.target", "$.current", "$.direction"],
            id="metric",
        ),
        pytest.param(
            lambda: U.RollupRule("manual", "leaves", "0.5", None),
            ["$.method", "$.scope", "$.manual_progress", "$.reason"],
            id="rule",
        ),
        pytest.param(
            lambda: U.Reading("1", "done", "2"), ["$.progress", "$.status", "$.value"], id="r"
        ),
        pytest.param(
            lambda: U.Milestone(1, "no", "soon"), ["$.name", "$.reached", "$.due"], id="ms"
        ),
        pytest.param(lambda: U.Level(1, "person"), ["$.name", "$.owner_kinds"], id="level"),
        pytest.param(
            lambda: U.CascadeConfig(["a"], "error"), ["$.levels[0]", "$.period_rule"], id="config"
        ),
        pytest.param(lambda: U.OwnerRef("team", None), ["$.kind", "$.id"], id="owner"),
        pytest.param(lambda: U.Contribution(1, "2"), ["$.parent", "$.weight"], id="contribution"),
    ],
)
def test_every_value_lists_every_problem_at_once(make: Make, paths: list[str]) -> None:
    assert [p.path for p in refused(make).problems] == paths


# --------------------------------------------------------------------------- valid values


@pytest.mark.parametrize(
    "cls",
    [
        Node,
        Contribution,
        MetricMeasure,
        BinaryMeasure,
        MilestoneMeasure,
        RollupRule,
        Level,
        CascadeConfig,
        Reading,
        OwnerRef,
    ],
)
@given(data=st.data())
def test_valid_values_still_construct(cls: type[Any], data: st.DataObject) -> None:
    value = data.draw(for_type(cls))
    fields = {a.alias: getattr(value, a.name) for a in type(value).__attrs_attrs__ if a.init}
    assert cls(**fields) == value


def test_the_serializer_still_turns_json_strings_into_enums() -> None:
    rule = structure({"method": "sum", "scope": "leaves"}, RollupRule)
    assert rule == RollupRule(RollupMethod.SUM, RollupScope.LEAVES)
    level = structure({"name": "team goal", "owner_kinds": ["team"]}, Level)
    assert level.owner_kinds == frozenset({OwnerKind.TEAM})
    reading = structure({"progress": 0.5, "status": "done"}, Reading)
    assert reading.status is Status.DONE
    config = structure({"levels": [{"name": "a"}], "period_rule": "warning"}, CascadeConfig)
    assert config.period_rule is Severity.WARNING


def test_the_serializer_reports_bad_json_with_paths() -> None:
    with pytest.raises(ValidationError) as caught:
        structure({"method": "total"}, RollupRule)
    assert [p.path for p in caught.value.problems] == ["$.method"]
