"""The incremental rollup engine: change one node, update only what depends on it.

[RollupEngine][workplan_core.cascade.engine.RollupEngine] starts from a full rollup and then
takes updates of one node at a time (a new measure reading, a new status). An update adjusts
the exact running sums of the node's parents by the difference between the node's new and old
terms, re-derives each parent in O(1) (O(children) for the minimum and worst-status rules),
and continues upwards only while something changed: through the primary parent and every
extra contribution, so every path to the top is followed. Leaf-scoped ancestors receive the
leaf's own term directly.

Because every sum is an exact integer (see [workplan_core.cascade.full][] and the docs
page), the engine's state after any sequence of updates equals a full rollup of the updated
cascade exactly.
"""

from __future__ import annotations

import heapq
from array import array
from collections import deque
from itertools import compress, repeat
from operator import eq, gt, mul, not_

import attrs

from workplan_core._collector import collector_paused
from workplan_core.cascade._graph import leaves_below
from workplan_core.cascade._state import (
    ACTIVE,
    ACTIVE_F,
    CANCELLED,
    CANCELLED_SHIFT,
    MANUAL,
    PACK,
    SCALE_F,
    full_rollup,
    roll_code,
)
from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.index import CascadeIndex
from workplan_core.cascade.measures import (
    BinaryMeasure,
    Measure,
    MetricMeasure,
    MilestoneMeasure,
)
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.results import Rollup, RollupResult
from workplan_core.cascade.rules import RollupRule
from workplan_core.cascade.status import STATUSES, Status
from workplan_core.errors import ValidationError

__all__ = ["RollupEngine"]


_Entry = tuple[int, float, int, float | None, float, int, float | None]
_CODES = {id(status): status.code for status in STATUSES}
"""Status codes by the identity of the status (enum hashing runs in Python; `id` does not)."""


def _handoffs(index: CascadeIndex, leaf_scoped: frozenset[int]) -> bytearray:
    """1 for nodes whose change must go through `_propagate`: extra parents, leaf-scoped parent."""
    handoff = bytearray(map(leaf_scoped.__contains__, index.parent))
    for position in index.extra_up:
        handoff[position] = 1
    return handoff


_LEAN, _RULED, _HANDOFF = range(3)
"""How `RollupEngine._climb` passes a node's change to its primary parent: inline (a default
parent), through `RollupState.derive` (a parent with another rule), or to `_propagate`."""


def _climb_kinds(index: CascadeIndex, handoff: bytearray) -> bytearray:
    """Per position, how `_climb` passes on its change (`_LEAN`, `_RULED` or `_HANDOFF`). O(n).

    Handed off: nodes with extra contributions or a leaf-scoped parent, and every leaf a
    leaf-scoped node may hold (whose exact sums an update must adjust).
    """
    kinds = bytearray(map(index.rules.__contains__, index.parent))  # True is _RULED
    for position in compress(range(len(index)), handoff):
        kinds[position] = _HANDOFF
    for position in leaves_below(index.children, index.leaf_scoped):  # any they may hold
        kinds[position] = _HANDOFF
    return kinds


def _plain_leaves(index: CascadeIndex) -> bytearray:
    """1 for leaves with the default rule that take part in no sum (the fast path). O(n)."""
    first, last = index.children.first, index.children.last
    plain = bytearray(map(eq, first, last))
    for position in (*index.rules, *index.valued):
        plain[position] = 0
    return plain


class _EdgeColumns:
    """Each children-table edge's child progress and active weight, contiguous in memory.

    ``progress[e]`` is the rolled-up progress of the edge's child and ``factor[e]`` its
    weight times 1.0 (active child) or 0.0 (cancelled child): exactly the values the full
    rollup multiplies and adds for that edge. A parent's weighted mean then reads its
    children from two contiguous runs instead of one scattered object per child, which is
    what an update spends its time on in a large cascade.

    Attributes:
        progress: per edge, its child's rolled-up progress.
        factor: per edge, its weight times the child's activity (1.0 or 0.0).
        weight: per edge, its weight.
        extra: per position with extra contributions, the edges to those parents.
        record: per position ``p``, at ``4p`` to ``4p + 3``: its primary parent (-1 for
            none), the edge to it, and the start and end of its own children's edges; one
            cache line serves a step up the line of sight.
    """

    __slots__ = ("extra", "factor", "progress", "record", "weight")

    def __init__(self, index: CascadeIndex, progress: list[float], status: list[int]) -> None:
        children = index.children
        child = children.child
        self.weight = children.weight
        self.progress = array("d", map(progress.__getitem__, child))
        active = map(ACTIVE_F.__getitem__, map(status.__getitem__, child))
        self.factor = array("d", map(mul, self.weight, active))
        primaries = len(index.parent) - index.parent.count(-1)  # Edges lists them first
        edges = range(len(child))
        is_primary = list(map(gt, repeat(primaries), children.edge))
        slots = list(compress(edges, is_primary))
        primary = [-1] * len(index)  # per position, the edge to its primary parent
        deque(map(primary.__setitem__, map(child.__getitem__, slots), slots), maxlen=0)
        self.extra: dict[int, list[int]] = {}
        for e in compress(edges, map(not_, is_primary)):
            self.extra.setdefault(child[e], []).append(e)
        columns = (index.parent, primary, children.first, children.last)
        self.record = array("q", bytes(8 * len(columns) * len(index)))
        for offset, column in enumerate(columns):
            self.record[offset :: len(columns)] = array("q", column)

    def write(self, position: int, progress: float, code: int) -> None:
        """Record a node's new rolled-up progress and status on every edge out of it."""
        e = self.record[(position << 2) + 1]
        if e >= 0:
            self.progress[e] = progress
            self.factor[e] = self.weight[e] * ACTIVE_F[code]
        for e in self.extra.get(position, ()):
            self.progress[e] = progress
            self.factor[e] = self.weight[e] * ACTIVE_F[code]


def _code(status: Status) -> int:
    """The code of `status`, checked to be a `Status`."""
    code = _CODES.get(id(status))
    if code is None or STATUSES[code] is not status:
        raise ValidationError.single("$.status", "must be a Status")
    return code


class RollupEngine:
    """Keeps a cascade's rollup current as single nodes change.

    Args:
        cascade: the cascade to roll up; its structure (parents, weights, rules) is fixed for
            the engine's life. Change the structure by building a new cascade.

    An update costs O(a) for the a ancestors whose result changes (plus O(children) for each
    minimum or worst-status ancestor and O(ancestors) more when leaf-scoped nodes exist).

    Example:
        >>> import datetime as dt
        >>> from workplan_core.org import OwnerKind, OwnerRef
        >>> from workplan_core.periods import Period
        >>> q = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
        >>> me = OwnerRef(OwnerKind.PERSON, "p1")
        >>> cascade = Cascade([
        ...     Node("g", "Goal", "team goal", me, q),
        ...     Node("t1", "Task 1", "task", me, q, parent="g"),
        ...     Node("t2", "Task 2", "task", me, q, parent="g", weight=3),
        ... ])
        >>> engine = RollupEngine(cascade)
        >>> engine.update("t2", measure=BinaryMeasure(done=True), status=Status.DONE)
        ('t2', 'g')
        >>> engine.progress("g")
        0.75
    """

    __slots__ = (
        "_cascade",
        "_edges",
        "_kinds",
        "_leaf_scoped",
        "_measures",
        "_plain",
        "_rules",
        "_state",
    )

    def __init__(self, cascade: Cascade) -> None:
        with collector_paused(settle=True):  # millions of acyclic containers, long-lived
            self._start(cascade)

    def _start(self, cascade: Cascade) -> None:
        self._cascade = cascade
        self._state = full_rollup(cascade.index)
        self._leaf_scoped = frozenset(cascade.index.leaf_scoped)
        self._measures: dict[int, Measure] = {}
        self._rules: dict[int, RollupRule] = {}
        index = cascade.index
        self._plain = _plain_leaves(index)
        self._kinds = _climb_kinds(index, _handoffs(index, self._leaf_scoped))
        self._edges = _EdgeColumns(index, self._state.progress, self._state.status)

    @property
    def cascade(self) -> Cascade:
        """The cascade as it was built (updates are not written back into it)."""
        return self._cascade

    # ------------------------------------------------------------------ reading

    def progress(self, node_id: str) -> float:
        """Current rolled-up progress of `node_id`. O(1)."""
        return self._state.progress[self._state.index.position(node_id)]

    def status(self, node_id: str) -> Status:
        """Current rolled-up status of `node_id`. O(1)."""
        return STATUSES[self._state.status[self._state.index.position(node_id)]]

    def result(self, node_id: str) -> RollupResult:
        """The current result of `node_id`. O(1)."""
        return Rollup(self._state).result_at(self._state.index.position(node_id))

    def snapshot(self) -> Rollup:
        """An independent copy of every current result. O(n)."""
        return Rollup(self._state.copy())

    def node(self, node_id: str) -> Node:
        """The node with every update applied to it (measure, status, manual rule). O(1)."""
        position = self._state.index.position(node_id)
        node = self._state.index.nodes[position]
        changes: dict[str, object] = {"status": STATUSES[self._state.own_status[position]]}
        if position in self._measures:
            changes["measure"] = self._measures[position]
        if position in self._rules:
            changes["rule"] = self._rules[position]
        return attrs.evolve(node, **changes)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ writing

    def update(
        self,
        node_id: str,
        *,
        measure: Measure | None = None,
        status: Status | None = None,
        rule: RollupRule | None = None,
        reading: Reading | None = None,
    ) -> tuple[str, ...]:
        """Apply a new measure, status, manual value or reading to one node and roll it up.

        Args:
            node_id: the node that changed.
            measure: its new measure (e.g. a new metric reading).
            status: its new own status.
            rule: a new manual rule (same scope); only a manual node may take one.
            reading: a reported progress, status and value, applied after the others.

        Returns:
            The ids of the nodes whose result changed: the node itself first, then along
            its line of sight; where a change reaches a node along several paths (extra
            contributions, leaf scope), deeper nodes come first, ties in cascade order.

        Raises:
            NotFoundError: no node has that id.
            ValidationError: the change would break a rule the cascade was checked against
                (a measure taking part in a sum must stay a metric in the same unit).
        """
        state = self._state
        index = state.index
        position = index.position(node_id)
        code = None if status is None else _code(status)
        if reading is not None and not isinstance(reading, Reading):
            raise ValidationError.single("$.reading", "must be a Reading")
        if rule is not None:
            self._check_rule(position, rule)
        if measure is not None:
            self._check_measure(position, measure)
        # every argument is good: from here on nothing raises, so a refused update changes nothing
        cancelled_before = state.own_status[position] == CANCELLED
        shown = False
        if rule is not None:
            self._rules[position] = rule
            state.own_progress[position] = rule.manual_progress  # type: ignore[assignment]
        if measure is not None:
            shown = self._set_measure(position, measure)
        if code is not None:
            state.own_status[position] = code
        if reading is not None:
            measure_now = self._measures.get(position)
            shown = state.read(position, reading, measure_now) or shown
        if self._plain[position]:
            return self._update_leaf(position, node_id, shown)
        changed: list[str] = []
        stack: list[_Entry] = []
        if not self._settle(position, stack, changed) and shown:
            changed.append(node_id)  # only the value it shows changed
        if cancelled_before != (state.own_status[position] == CANCELLED):
            self._relink_leaves(position, stack, changed)
        if len(stack) == 1:
            self._climb(stack.pop(), changed)
        self._propagate(stack, changed)
        return tuple(dict.fromkeys(changed))  # a node may be reached along several paths

    def _update_leaf(self, position: int, node_id: str, shown: bool) -> tuple[str, ...]:
        """A leaf with the default rule, in no sum: what `derive` gives, without the detour."""
        state = self._state
        old_progress, old_status = state.progress[position], state.status[position]
        new_progress, new_status = state.own_progress[position], state.own_status[position]
        if old_progress == new_progress and old_status == new_status:
            return (node_id,) if shown else ()
        state.progress[position], state.status[position] = new_progress, new_status
        changed = [node_id]
        entry = (position, old_progress, old_status, None, new_progress, new_status, None)
        if self._climb(entry, changed):
            return tuple(dict.fromkeys(changed))  # a node may be reached along several paths
        return tuple(changed)  # one line of sight: each node once

    def _check_rule(self, position: int, rule: RollupRule) -> None:
        """Refuse a rule that the node cannot take (only a manual value may change)."""
        current = self._rules.get(position, self._state.index.rules.get(position))
        if (
            type(rule) is not RollupRule
            or current is None
            or current.method is not MANUAL
            or rule.method is not MANUAL
            or rule.scope is not current.scope
        ):
            raise ValidationError.single(
                "$.rule", "only a manual value can change here; build a new cascade otherwise"
            )

    def _check_measure(self, position: int, measure: Measure) -> None:
        """Refuse a measure that is not one, or that would break a sum the node takes part in."""
        kind = type(measure)
        if kind is not MetricMeasure and kind is not BinaryMeasure and kind is not MilestoneMeasure:
            raise ValidationError.single("$.measure", "must be a measure")
        index = self._state.index
        if position not in index.valued:
            return
        before = self._measures.get(position, index.nodes[position].measure)
        assert isinstance(before, MetricMeasure)  # validated when the cascade was built
        if not isinstance(measure, MetricMeasure) or measure.unit != before.unit:
            raise ValidationError.single(
                "$.measure",
                f"node {index.ids[position]!r} takes part in a sum: its measure must stay "
                f"a metric in {before.unit!r}",
            )
        if position in index.summing and index.summing[position] != (
            measure.baseline,
            measure.target,
        ):
            raise ValidationError.single(
                "$.measure",
                f"node {index.ids[position]!r} sums its contributors: build a new cascade "
                "to change its baseline or target",
            )

    def _set_measure(self, position: int, measure: Measure) -> bool:
        """Take a checked measure as the node's own; whether a value shown changed."""
        state = self._state
        index = state.index
        metric = type(measure) is MetricMeasure
        if not metric and position not in state.shown:
            before = self._measures.get(position) or index.nodes[position].measure
            if type(before) is not MetricMeasure:  # no value to show before or after
                self._measures[position] = measure
                rule = self._rules.get(position, index.rules.get(position))
                if rule is None or rule.method is not MANUAL:
                    state.own_progress[position] = measure.progress()
                return False
        shown = state.show(position, measure.value if isinstance(measure, MetricMeasure) else None)
        self._measures[position] = measure
        rule = self._rules.get(position, index.rules.get(position))
        if rule is None or rule.method is not MANUAL:
            state.own_progress[position] = measure.progress()
        return shown

    # ------------------------------------------------------------------ propagation

    def _settle(self, position: int, stack: list[_Entry], changed: list[str]) -> bool:
        """Re-derive one node; when its result changed, queue it for its parents."""
        state = self._state
        old_progress = state.progress[position]
        old_status = state.status[position]
        old_value = state.value.get(position)
        if state.derive(position):
            changed.append(state.index.ids[position])
            stack.append(
                (
                    position,
                    old_progress,
                    old_status,
                    old_value,
                    state.progress[position],
                    state.status[position],
                    state.value.get(position),
                )
            )
            return True
        return False

    def _leaf_scoped_above(self, start: int) -> list[int]:
        """Leaf-scoped nodes whose leaf set may hold leaves below `start`. O(ancestors)."""
        index = self._state.index
        own_status = self._state.own_status
        found = []
        seen: set[int] = set()
        stack = [start]
        while stack:
            for parent, _ in index.up(stack.pop()):
                if parent in seen:
                    continue
                seen.add(parent)
                if parent in self._leaf_scoped:
                    found.append(parent)
                if own_status[parent] != CANCELLED:
                    stack.append(parent)
        return found

    def _relink_leaves(self, position: int, stack: list[_Entry], changed: list[str]) -> None:
        """A node was (un)cancelled: recompute the leaf sets that may pass through it."""
        children = self._state.index.children
        if not self._leaf_scoped or children.first[position] == children.last[position]:
            return
        packed = self._state.packed
        for ancestor in self._leaf_scoped_above(position):
            counts = packed[ancestor]
            self._state.sum_leaves(ancestor)
            if not self._settle(ancestor, stack, changed) and packed[ancestor] != counts:
                changed.append(self._state.index.ids[ancestor])  # only its counts changed

    def _climb(self, entry: _Entry, changed: list[str]) -> bool:
        """Walk up the primary parents of a node with no other parent: the common, lean path.

        A default parent is re-derived inline from its edge columns (`_EdgeColumns`),
        computing what `RollupState.derive` computes: ``Σ factor·progress / Σ factor`` over
        its children in table order (the factors are the weights, zero for cancelled
        children), and the status rule over its counts. A child whose progress and activity
        stand leaves those terms as they were, so the mean stands too and only the status is
        re-derived. A parent with another rule goes through `derive`. A node with extra
        contributions or leaf-scoped holders, or with a leaf-scoped parent, is handed to
        `_propagate`.

        Returns:
            Whether the walk handed over to `_propagate` (which may reach a node twice).
        """
        state = self._state
        kinds = self._kinds
        progress, status, packed = state.progress, state.status, state.packed
        edges = self._edges
        record, on_edge, factor = edges.record, edges.progress, edges.factor
        ids = state.index.ids
        own_progress, own_status = state.own_progress, state.own_status
        c, p0, s0, v0, p1, s1, v1 = entry
        while True:
            kind = kinds[c]
            if kind == _HANDOFF:
                self._propagate([(c, p0, s0, v0, p1, s1, v1)], changed)
                return True
            at = c << 2
            q = record[at]
            if q < 0:
                return False
            e = record[at + 1]
            on_edge[e] = p1
            if s0 != s1:
                factor[e] = edges.weight[e] * ACTIVE_F[s1]
                packed[q] += PACK[s1] - PACK[s0]
            old_progress, old_status = progress[q], status[q]
            if kind == _RULED:
                old_value = state.value.get(q)
                moved = state.derive(q)
                new_progress, new_status = progress[q], status[q]
                v0, v1 = old_value, state.value.get(q)
            else:
                counts = packed[q]
                lo, hi = record[(q << 2) + 2], record[(q << 2) + 3]
                active = hi - lo - (counts >> CANCELLED_SHIFT)
                if active <= 0:
                    new_progress, new_status = own_progress[q], own_status[q]
                else:
                    if p0 != p1 or ACTIVE[s0] != ACTIVE[s1]:
                        fs = factor[lo:hi]
                        new_progress = sum(map(mul, fs, on_edge[lo:hi])) / sum(fs)
                    else:
                        new_progress = old_progress
                    new_status = (
                        CANCELLED if own_status[q] == CANCELLED else roll_code(counts, active)
                    )
                moved = new_progress != old_progress or new_status != old_status
                progress[q], status[q] = new_progress, new_status
                v0 = v1 = None
            if not moved:
                if s0 != s1:
                    changed.append(ids[q])  # only its counts changed
                return False
            changed.append(ids[q])
            c, p0, s0, p1, s1 = q, old_progress, old_status, new_progress, new_status

    def _propagate(self, stack: list[_Entry], changed: list[str]) -> None:
        """Tell every parent of each changed node, deepest first, until nothing changes.

        A change is counted into all its parents at once, but a parent is re-derived only
        when no deeper node is waiting: its contributors are all deeper than it, so by then
        every change beneath it has been counted in. A parent reached along two paths (a
        diamond through extra contributions) therefore never sees a contributor's new status
        before that contributor's count moved, and is re-derived once.
        """
        state = self._state
        index = state.index
        parent_of, extra_up, depth = index.parent, index.extra_up, index.depth
        packed, holders = state.packed, state.holders
        leaf_scoped = self._leaf_scoped
        ids = index.ids
        write = self._edges.write
        waiting: list[tuple[int, int]] = []  # (-depth, position): a heap, deepest first
        counts_moved: dict[int, bool] = {}  # the waiting parents: did their counts move?

        def tell(parent: int, moved: bool) -> None:
            if parent in counts_moved:
                counts_moved[parent] = counts_moved[parent] or moved
            else:
                counts_moved[parent] = moved
                heapq.heappush(waiting, (-depth[parent], parent))

        while stack or waiting:
            while stack:
                entry = stack.pop()
                c, _, s0, _, p1, s1, _ = entry
                write(c, p1, s1)
                moved = s0 != s1
                delta = PACK[s1] - PACK[s0]
                parent = parent_of[c]
                if parent >= 0 and parent not in leaf_scoped:
                    if moved:
                        packed[parent] += delta
                    tell(parent, moved)
                for parent, _ in extra_up.get(c, ()):
                    if parent not in leaf_scoped:
                        if moved:
                            packed[parent] += delta
                        tell(parent, moved)
                above = holders.get(c)
                if above:
                    self._tell_holders(above, entry)
                    for holder in above:
                        tell(holder, moved)
            if waiting:
                _, parent = heapq.heappop(waiting)
                moved = counts_moved.pop(parent)
                if not self._settle(parent, stack, changed) and moved:
                    changed.append(ids[parent])  # only its counts changed

    def _tell_holders(self, holders: list[int], entry: _Entry) -> None:
        """Adjust the exact running sums of the leaf-scoped nodes holding a changed leaf."""
        state = self._state
        leaf, p0, s0, v0, p1, s1, v1 = entry
        a0, a1 = ACTIVE[s0], ACTIVE[s1]
        scaled = state.index.weight[leaf] * SCALE_F
        term = int(scaled * p1 * a1) - int(scaled * p0 * a0)
        units = int(scaled) * (a1 - a0)
        for holder in holders:
            if holder in state.weighted:  # a leaf-scoped weighted mean
                state.weighted[holder] += term
                state.weights[holder] += units
            if s0 != s1:
                state.packed[holder] += PACK[s1] - PACK[s0]
            if holder in state.summed:
                before = int(v0 * SCALE_F) * a0  # type: ignore[operator]
                state.summed[holder] += int(v1 * SCALE_F) * a1 - before  # type: ignore[operator]
