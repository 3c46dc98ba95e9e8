"""The difference between two cascades: added, removed, re-parented, re-weighted, re-targeted.

Compare two versions of a plan (e.g. last quarter's and this quarter's, or before and after a
planning session) by node id. O(n) for n nodes in the two together.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from workplan_core._arguments import records_of
from workplan_core.cascade.measures import Measure, MetricMeasure, MilestoneMeasure
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.errors import Problem, ValidationError

__all__ = [
    "CascadeDiff",
    "Realigned",
    "Reparented",
    "Retargeted",
    "Reweighted",
    "diff_cascades",
    "target_of",
]


@attrs.frozen
class Reparented:
    """A node moved to another primary parent."""

    node_id: str
    old_parent: str | None
    new_parent: str | None


@attrs.frozen
class Reweighted:
    """A node's weight in its primary parent changed."""

    node_id: str
    old_weight: float
    new_weight: float


@attrs.frozen
class Realigned:
    """A node's extra contributions (parents or weights) changed."""

    node_id: str
    old: tuple[Contribution, ...]
    new: tuple[Contribution, ...]


@attrs.frozen
class Retargeted:
    """What a node aims for changed.

    That is its metric's unit, baseline, target or direction, its milestones, or the kind of
    measure. New readings are not a re-target.
    """

    node_id: str
    old: Measure
    new: Measure


@attrs.frozen
class CascadeDiff:
    """Every difference between an old and a new cascade, each list in the new order.

    Attributes:
        added: ids only in the new cascade.
        removed: ids only in the old cascade (in the old order).
        reparented: nodes whose primary parent changed.
        reweighted: nodes whose weight changed.
        realigned: nodes whose extra contributions changed.
        retargeted: nodes whose target changed.
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reparented: tuple[Reparented, ...] = ()
    reweighted: tuple[Reweighted, ...] = ()
    realigned: tuple[Realigned, ...] = ()
    retargeted: tuple[Retargeted, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the two cascades have the same nodes, parents, weights and targets."""
        return not any(
            (
                self.added,
                self.removed,
                self.reparented,
                self.reweighted,
                self.realigned,
                self.retargeted,
            )
        )


def target_of(measure: Measure) -> tuple[object, ...]:
    """What a measure aims for, without its readings (what re-targeting changes)."""
    if isinstance(measure, MetricMeasure):
        return ("metric", measure.unit, measure.baseline, measure.target, measure.direction)
    if isinstance(measure, MilestoneMeasure):
        return ("milestones", tuple(m.name for m in measure.milestones))
    return ("binary",)


def diff_cascades(old: Iterable[Node], new: Iterable[Node]) -> CascadeDiff:
    """Compare two cascades (or any node collections) by node id. O(n).

    Args:
        old: the earlier nodes (a `Cascade` works too).
        new: the later nodes.

    Raises:
        ValidationError: `old` or `new` is not an iterable of `Node` records (each wrong item
            is named, e.g. ``$.old[0]``), or repeats an id.
    """
    summary = "invalid diff arguments"
    problems: list[Problem] = []
    given: dict[str, list[Node]] = {}
    for name, nodes in (("old", old), ("new", new)):
        try:
            given[name] = records_of(nodes, Node, f"$.{name}", summary)
        except ValidationError as error:
            problems += error.problems
            continue
        first: dict[str, int] = {}
        for i, node in enumerate(given[name]):
            at = first.setdefault(node.id, i)
            if at != i:
                problems.append(
                    Problem(
                        f"$.{name}[{i}].id", f"duplicate id {node.id!r} (first at $.{name}[{at}])"
                    )
                )
    if problems:
        raise ValidationError(problems, summary=summary)
    before = {node.id: node for node in given["old"]}
    after = {node.id: node for node in given["new"]}
    reparented, reweighted, realigned, retargeted = [], [], [], []
    for node_id, node in after.items():
        previous = before.get(node_id)
        if previous is None:
            continue
        if previous.parent != node.parent:
            reparented.append(Reparented(node_id, previous.parent, node.parent))
        if previous.weight != node.weight:
            reweighted.append(Reweighted(node_id, previous.weight, node.weight))
        if previous.contributions != node.contributions:
            realigned.append(Realigned(node_id, previous.contributions, node.contributions))
        if target_of(previous.measure) != target_of(node.measure):
            retargeted.append(Retargeted(node_id, previous.measure, node.measure))
    return CascadeDiff(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        reparented=tuple(reparented),
        reweighted=tuple(reweighted),
        realigned=tuple(realigned),
        retargeted=tuple(retargeted),
    )
