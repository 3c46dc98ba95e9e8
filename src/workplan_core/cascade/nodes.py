"""Nodes of the cascade and their extra contributions.

A [Node][workplan_core.cascade.nodes.Node] is one objective, goal, target or task: a frozen
value. Its *primary parent* is its line of sight; extra
[Contribution][workplan_core.cascade.nodes.Contribution]s let it count towards other parents
too, each with its own weight. Rules that involve other nodes (unknown parents, cycles,
depths, periods, weights, units, owner kinds) are checked when a
[Cascade][workplan_core.cascade.cascade.Cascade] is built, all at once.
"""

from __future__ import annotations

import attrs

from workplan_core._fields import is_number
from workplan_core._fields import wrong as _wrong
from workplan_core.cascade.measures import (
    NOT_DONE,
    BinaryMeasure,
    Measure,
    MetricMeasure,
    MilestoneMeasure,
)
from workplan_core.cascade.rules import DEFAULT_RULE, RollupRule
from workplan_core.cascade.status import Status
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerRef
from workplan_core.periods import Period
from workplan_core.serialization import record_type

__all__ = ["Contribution", "Node"]


def _check_contribution(instance: Contribution, _: object, weight: float) -> None:
    parent = instance.parent
    if type(parent) is str and (type(weight) is float or is_number(weight)):
        return
    problems = []
    if type(parent) is not str:
        problems.append(_wrong("$.parent", "a string", parent))
    if not is_number(weight):
        problems.append(_wrong("$.weight", "a number (an int or a float)", weight))
    raise ValidationError(problems, summary="invalid contribution")


@attrs.frozen
class Contribution:
    """An extra alignment of a node to a parent other than its primary one.

    Attributes:
        parent: the id of the parent contributed to.
        weight: the weight of this contribution in that parent's rollup (positive).

    Raises:
        ValidationError: the parent is not a string or the weight not a number (its range
            is checked when the cascade is built).
    """

    parent: str
    weight: float = attrs.field(default=1.0, validator=_check_contribution)


_MEASURES = (MetricMeasure, BinaryMeasure, MilestoneMeasure)
_CONTRIBUTIONS = frozenset({Contribution})
_STRINGS = frozenset({str})
_NOTHING = type(None)
#: Each field's accepted exact types and the rule in words (`weight`: any int or float).
_FIELD_TYPES: tuple[tuple[str, tuple[type, ...], str], ...] = (
    ("id", (str,), "a string"),
    ("title", (str,), "a string"),
    ("level", (str,), "a string"),
    ("owner", (OwnerRef,), "an OwnerRef"),
    ("period", (Period,), "a Period"),
    ("parent", (str, _NOTHING), "a string or None"),
    ("contributions", (tuple,), "a tuple of Contribution"),
    ("weight", (), "a number (an int or a float)"),
    ("measure", _MEASURES, "a MetricMeasure, BinaryMeasure or MilestoneMeasure"),
    ("rule", (RollupRule,), "a RollupRule"),
    ("status", (Status,), "a Status"),
    ("description", (str,), "a string"),
    ("tags", (frozenset,), "a frozenset of strings"),
    ("origin", (str, _NOTHING), "a string or None"),
)


def _check_node(node: Node, _: object, origin: str | None) -> None:
    """Refuse a node any of whose fields has the wrong type, naming every such field.

    Runs for every node made, so the common case is one chain of exact type tests
    (about 0.4 µs); rules involving other nodes or ranges are the cascade build's.
    """
    contributions, tags = node.contributions, node.tags
    if (
        type(node.id) is str
        and type(node.title) is str
        and type(node.level) is str
        and type(node.owner) is OwnerRef
        and type(node.period) is Period
        and (node.parent is None or type(node.parent) is str)
        and type(contributions) is tuple
        and (type(node.weight) is float or type(node.weight) is int)
        and type(node.measure) in _MEASURES
        and type(node.rule) is RollupRule
        and type(node.status) is Status
        and type(node.description) is str
        and type(tags) is frozenset
        and (origin is None or type(origin) is str)
        and (not contributions or _CONTRIBUTIONS.issuperset(map(type, contributions)))
        and (not tags or _STRINGS.issuperset(map(type, tags)))
    ):
        return
    problems = _node_problems(node)
    if problems:
        raise ValidationError(problems, summary="invalid node")


def _node_problems(node: Node) -> list[Problem]:
    """Every field of `node` of the wrong type, in field order. O(fields + contributions + tags)."""
    problems = []
    for name, types, rule in _FIELD_TYPES:
        value = getattr(node, name)
        if not (is_number(value) if name == "weight" else type(value) in types):
            problems.append(_wrong(f"$.{name}", rule, value))
        elif name == "contributions":
            problems += [
                _wrong(f"$.contributions[{index}]", "a Contribution", contribution)
                for index, contribution in enumerate(value)
                if type(contribution) is not Contribution
            ]
        elif name == "tags":
            wrong = sorted({type(tag).__name__ for tag in value if type(tag) is not str})
            if wrong:
                problems.append(
                    Problem("$.tags", f"must hold only strings, got {', '.join(wrong)}")
                )
    return problems


@record_type("cascade.node", version=1)
@attrs.frozen
class Node:
    """One objective, goal, target or task of the cascade.

    Attributes:
        id: unique within the cascade.
        title: what it is, in a few words.
        level: the name of its level (e.g. ``"team goal"``).
        owner: who is accountable.
        period: when it runs.
        parent: the id of its primary parent (its line of sight), `None` at the top.
        contributions: extra parents it also counts towards, each with a weight.
        weight: its weight in its primary parent's rollup (positive).
        measure: how its own progress is read.
        rule: how its progress rolls up from its contributors.
        status: its own reported status.
        description: optional longer text.
        tags: optional labels.
        origin: the id of the node this one was carried over from by a rollover.

    Raises:
        ValidationError: listing every field of the wrong type (e.g. an id that is not a
            string, an owner that is not an `OwnerRef`, a status given as a string, a
            contribution that is not a `Contribution`); values are not converted. Rules that
            involve other nodes, and weight ranges, are checked when the cascade is built.
    """

    id: str
    title: str
    level: str
    owner: OwnerRef
    period: Period
    parent: str | None = None
    contributions: tuple[Contribution, ...] = ()
    weight: float = 1.0
    measure: Measure = NOT_DONE
    rule: RollupRule = DEFAULT_RULE
    status: Status = Status.NOT_STARTED
    description: str = ""
    tags: frozenset[str] = frozenset()
    origin: str | None = attrs.field(default=None, validator=_check_node)

    @property
    def parents(self) -> tuple[str, ...]:
        """Every parent id: the primary parent first, then the contributions in order."""
        extra = tuple(c.parent for c in self.contributions)
        return extra if self.parent is None else (self.parent, *extra)
