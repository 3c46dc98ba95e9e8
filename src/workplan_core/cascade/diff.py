"""The difference between two cascades: every node added, removed or changed, field by field.

Compare two versions of a plan (e.g. last quarter's and this quarter's, or before and after a
planning session) by node id. `changed` lists every field that differs on every node kept;
`reparented`, `reweighted`, `realigned` and `retargeted` pick out the changes that reshape
the cascade, each in a form made for it. O(n) for n nodes in the two together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from operator import attrgetter
from typing import TypeAlias

import attrs

from workplan_core._arguments import records_of
from workplan_core.cascade.measures import Measure, MetricMeasure, MilestoneMeasure
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.rules import RollupRule
from workplan_core.cascade.status import Status
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerRef
from workplan_core.periods import Period

__all__ = [
    "CascadeDiff",
    "Changed",
    "FieldChange",
    "FieldValue",
    "Realigned",
    "Reparented",
    "Retargeted",
    "Reweighted",
    "diff_cascades",
    "target_of",
]

FieldValue: TypeAlias = (
    str
    | float
    | OwnerRef
    | Period
    | tuple[Contribution, ...]
    | Measure
    | RollupRule
    | Status
    | frozenset[str]
    | None
)
"""The value of a node field other than its id (see `Node` for which field holds which)."""


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
    """A node's extra contributions (parents or weights) changed.

    Contributions are compared as a set: giving the same ones in another order is no change.
    `old` and `new` keep each version's own order.
    """

    node_id: str
    old: tuple[Contribution, ...]
    new: tuple[Contribution, ...]


@attrs.frozen
class Retargeted:
    """What a node aims for changed.

    That is its metric's unit, baseline, target or direction, its milestones' names, or the
    kind of measure. New readings are not a re-target (they show in `CascadeDiff.changed`).
    """

    node_id: str
    old: Measure
    new: Measure


@attrs.frozen
class FieldChange:
    """One field of a node that differs between the two versions.

    Attributes:
        name: the `Node` attribute, e.g. ``"period"``, ``"owner"`` or ``"status"``.
        old: its value in the old version.
        new: its value in the new version.
    """

    name: str
    old: FieldValue
    new: FieldValue


@attrs.frozen
class Changed:
    """A node kept in both versions whose fields differ, with every field that does.

    `attrs.evolve(old_node, **{f.name: f.new for f in changed.fields})` is the new node (up
    to the order of its extra contributions, which is no change).

    Attributes:
        node_id: the node's id.
        fields: each field that differs, in the order `Node` declares them (title, level,
            owner, period, parent, contributions, weight, measure, rule, status,
            description, tags, origin).
    """

    node_id: str
    fields: tuple[FieldChange, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the fields that differ, e.g. ``("owner", "status")``."""
        return tuple(field.name for field in self.fields)


@attrs.frozen
class CascadeDiff:
    """Every difference between an old and a new cascade, each list in the new order.

    `changed` is complete on its own: each node in both versions that differs appears there
    once, with every field that differs. The other lists repeat some of those changes in a
    form made for them (a move, a weight, the extra parents, what a measure aims for).
    Extra contributions are compared as a set and nodes by id, so neither reordering them
    nor reordering the nodes is a change.

    Attributes:
        added: ids only in the new cascade.
        removed: ids only in the old cascade (in the old order).
        reparented: nodes whose primary parent changed.
        reweighted: nodes whose weight changed.
        realigned: nodes whose extra contributions changed (as a set).
        retargeted: nodes whose target changed (not their readings).
        changed: nodes whose fields changed, and which, with old and new values.
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reparented: tuple[Reparented, ...] = ()
    reweighted: tuple[Reweighted, ...] = ()
    realigned: tuple[Realigned, ...] = ()
    retargeted: tuple[Retargeted, ...] = ()
    changed: tuple[Changed, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the two versions have the same ids, each node with the same fields."""
        return not any(
            (
                self.added,
                self.removed,
                self.reparented,
                self.reweighted,
                self.realigned,
                self.retargeted,
                self.changed,
            )
        )


def target_of(measure: Measure) -> tuple[object, ...]:
    """What a measure aims for, without its readings (what re-targeting changes)."""
    if isinstance(measure, MetricMeasure):
        return ("metric", measure.unit, measure.baseline, measure.target, measure.direction)
    if isinstance(measure, MilestoneMeasure):
        return ("milestones", tuple(m.name for m in measure.milestones))
    return ("binary",)


_FIELDS = tuple(field.name for field in attrs.fields(Node) if field.name != "id")
_VALUES = attrgetter(*_FIELDS)


def _same_contributions(old: tuple[Contribution, ...], new: tuple[Contribution, ...]) -> bool:
    """Whether two nodes' extra contributions are the same, in any order. O(contributions)."""
    return old == new or (len(old) == len(new) and Counter(old) == Counter(new))


def _changes(previous: Node, node: Node) -> tuple[FieldChange, ...]:
    """Every field but the id that differs between `previous` and `node`. O(fields)."""
    changes = []
    for name, old, new in zip(_FIELDS, _VALUES(previous), _VALUES(node), strict=True):
        if old == new:
            continue
        if name == "contributions" and _same_contributions(old, new):
            continue
        changes.append(FieldChange(name, old, new))
    return tuple(changes)


def diff_cascades(old: Iterable[Node], new: Iterable[Node]) -> CascadeDiff:
    """Compare two cascades (or any node collections) by node id. O(n).

    Every difference shows: ids added and removed, and for each node in both, every field
    that changed (`CascadeDiff.changed`), with moves, weights, extra contributions and
    targets also listed on their own. Neither the order of the nodes nor the order of a
    node's extra contributions counts.

    Args:
        old: the earlier nodes (a `Cascade` works too).
        new: the later nodes.

    Returns:
        The difference; each list follows the new order (`removed` the old order), so the
        same two inputs always give the same diff. `diff_cascades(a, a).empty` is true.

    Raises:
        ValidationError: `old` or `new` is not an iterable of `Node` records (each wrong item
            is named, e.g. ``$.old[0]``), or repeats an id.

    Example:
        >>> import datetime as dt
        >>> import attrs
        >>> from workplan_core.org import OwnerKind, OwnerRef
        >>> from workplan_core.periods import Period
        >>> fy = Period(dt.date(2026, 7, 1), dt.date(2027, 6, 30))
        >>> ceo = OwnerRef(OwnerKind.POSITION, "ceo")
        >>> plan = [Node("o1", "Grow", "strategic objective", ceo, fy)]
        >>> later = [attrs.evolve(plan[0], title="Grow revenue")]
        >>> [(c.node_id, c.names) for c in diff_cascades(plan, later).changed]
        [('o1', ('title',))]
        >>> diff_cascades(plan, later).changed[0].fields[0]
        FieldChange(name='title', old='Grow', new='Grow revenue')
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
    reparented, reweighted, realigned, retargeted, changed = [], [], [], [], []
    for node_id, node in after.items():
        previous = before.get(node_id)
        if previous is None or previous is node or previous == node:
            continue
        changes = _changes(previous, node)
        if not changes:
            continue  # only the order of the extra contributions differs
        changed.append(Changed(node_id, changes))
        if previous.parent != node.parent:
            reparented.append(Reparented(node_id, previous.parent, node.parent))
        if previous.weight != node.weight:
            reweighted.append(Reweighted(node_id, previous.weight, node.weight))
        if not _same_contributions(previous.contributions, node.contributions):
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
        changed=tuple(changed),
    )
