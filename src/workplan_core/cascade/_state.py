"""The rollup state shared by the full pass and the incremental engine.

Exactness
---------
The full rollup and the incremental engine must agree *exactly*. Two techniques make sure
they do, whatever the order of updates:

* **Children scope (the default): one function, fixed order.** A node's weighted mean
  ``Σ wᵢ·pᵢ / Σ wᵢ`` (and a sum's ``Σ vᵢ``) is computed by one function, from its children in
  the fixed order of the children table, left to right in floating point. The full pass calls
  it once per node; the engine calls it again for each ancestor an update reaches. Same
  inputs, same operations, same order: the same bits. This costs O(children) per ancestor,
  which keeps updates cheap (a task's ancestors have a few dozen children between them).
  A cancelled child counts with weight ``w·0.0``, which adds exactly nothing.
* **Leaf scope: exact integer running sums.** A leaf-scoped node may sit above thousands of
  leaves, so it keeps running sums that an update adjusts in O(1). They are integers: a term
  ``w·p`` counts as ``int(w·2⁶⁴·p·a)`` (``a`` is 1 for an active leaf, 0 for a cancelled one),
  a weight as ``int(w·2⁶⁴)·a``, a value as ``int(v·2⁶⁴)·a``. Integer sums do not depend on
  order, so adjusting by ``new term − old term`` gives the sum computed from scratch, bit for
  bit; the quotient of two integers is rounded correctly by Python. Scaling by 2⁶⁴ is exact
  for floats at least 2⁻¹² in size; smaller products are truncated at 2⁻⁶⁴.

Status counts are integers packed 32 bits per status into one number per node and adjusted
by ``+1``/``-1`` on a status change, which is exact too. Minimum and worst-status nodes are
recomputed from their contributors in fixed order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import lshift, mul

from workplan_core.cascade._graph import leaves_below
from workplan_core.cascade._levels import LevelPlan
from workplan_core.cascade.index import SCALE, CascadeIndex
from workplan_core.cascade.measures import Measure, MetricMeasure, metric_progress
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.rules import RollupMethod, RollupScope
from workplan_core.cascade.status import Status

SCALE_F = float(SCALE)
SHIFT = 32
MASK = (1 << SHIFT) - 1
NOT_STARTED = Status.NOT_STARTED.code
ON_TRACK = Status.ON_TRACK.code
AT_RISK = Status.AT_RISK.code
OFF_TRACK = Status.OFF_TRACK.code
BLOCKED = Status.BLOCKED.code
DONE = Status.DONE.code
CANCELLED = Status.CANCELLED.code
PACK = [1 << (SHIFT * code) for code in range(7)]
"""The packed-count increment of one contributor of each status code."""
ACTIVE = [0 if code == CANCELLED else 1 for code in range(7)]
"""1 for statuses that take part in a rollup, 0 for cancelled."""
ACTIVE_F = [float(a) for a in ACTIVE]
_SEVERITY = (BLOCKED, OFF_TRACK, AT_RISK, NOT_STARTED, ON_TRACK, DONE)
"""Most severe first, for the worst-status rule."""
CANCELLED_SHIFT = SHIFT * CANCELLED
_SHIFTS = [SHIFT * code for code in range(7)]
_ACTIVE_BYTES = bytes(ACTIVE) + bytes(256 - len(ACTIVE))
"""Status code → 1 if it takes part in a rollup else 0, as a `bytes.translate` table."""
CANCELLED_BYTE = bytes([CANCELLED])

WEIGHTED_MEAN = RollupMethod.WEIGHTED_MEAN
SUM = RollupMethod.SUM
MINIMUM = RollupMethod.MINIMUM
WORST_STATUS = RollupMethod.WORST_STATUS
FRACTION_DONE = RollupMethod.FRACTION_DONE
MANUAL = RollupMethod.MANUAL
LEAVES = RollupScope.LEAVES


def count(packed: int, code: int) -> int:
    """How many contributors with status `code` the packed counts hold."""
    return (packed >> (SHIFT * code)) & MASK


def roll_code(packed: int, active: int) -> int:
    """The status rollup rule over packed counts, as a status code (`active` > 0). O(1)."""
    done = (packed >> (SHIFT * DONE)) & MASK
    if done == active:
        return DONE
    if (packed >> (SHIFT * BLOCKED)) & MASK:
        return BLOCKED
    if (packed >> (SHIFT * OFF_TRACK)) & MASK:
        return OFF_TRACK
    if (packed >> (SHIFT * AT_RISK)) & MASK:
        return AT_RISK
    if done or (packed >> (SHIFT * ON_TRACK)) & MASK:
        return ON_TRACK
    return NOT_STARTED


def value_of(index: CascadeIndex, position: int) -> float | None:
    """The metric value of a node's own measure, or `None` for other measures."""
    measure = index.nodes[position].measure
    return measure.value if isinstance(measure, MetricMeasure) else None


class RollupState:
    """Rolled-up progress, status and value per position, with what they are derived from.

    Attributes:
        index: the compiled cascade.
        own_progress: each node's own progress (copied, so the engine may change it).
        own_status: each node's own status code (copied).
        own_value: own metric values of the nodes taking part in sums.
        shown: own metric values read for other nodes (shown in results, never summed).
        progress: rolled-up progress by position.
        status: rolled-up status code by position.
        value: rolled-up metric value of the nodes taking part in sums.
        packed: contributor counts by status, packed 32 bits per status, by position.
        leaves: the current leaf set of each leaf-scoped node.
        holders: for each leaf, the leaf-scoped nodes whose leaf set holds it.
        weighted: exact Σ of weighted progress terms of each leaf-scoped weighted mean.
        weights: exact Σ of active leaf weights of each leaf-scoped weighted mean.
        summed: exact Σ of leaf values of each leaf-scoped summing node.
    """

    __slots__ = (
        "holders",
        "index",
        "leaves",
        "own_progress",
        "own_status",
        "own_value",
        "packed",
        "progress",
        "shown",
        "status",
        "summed",
        "value",
        "weighted",
        "weights",
    )

    def __init__(
        self,
        index: CascadeIndex,
        readings: Mapping[int, Reading] | None = None,
        *,
        frozen: bool = False,
    ) -> None:
        """Start from the index's own values and `readings` (rolled-up = own).

        With `frozen` and no readings, the own progress, status and values are the index's
        lists themselves, not copies: the state must then never take a reading or an update
        (a full rollup's result, which is read-only).
        """
        self.index = index
        share = frozen and not readings
        self.own_progress = index.own_progress if share else list(index.own_progress)
        self.own_status = index.own_status if share else list(index.own_status)
        self.own_value: dict[int, float] = index.own_value if share else dict(index.own_value)
        self.shown: dict[int, float | None] = {}
        for position, reading in (readings or {}).items():
            self.read(position, reading)
        self.progress = list(self.own_progress)
        self.status = list(self.own_status)
        self.value = dict(self.own_value)
        self.packed: list[int] = [0] * len(index)
        self.leaves: dict[int, list[int]] = {}
        self.holders: dict[int, list[int]] = {}
        self.weighted: dict[int, int] = {}
        self.weights: dict[int, int] = {}
        self.summed: dict[int, int] = {}

    def read(self, position: int, reading: Reading, measure: Measure | None = None) -> bool:
        """Take `reading` as the node's own progress, status and value.

        What the reading leaves out (`None`) comes from the node's measure: `measure` when
        given (the engine's latest), else the measure the node was built with.

        Returns:
            Whether a value shown but never summed changed (see `show`).
        """
        if measure is None:
            measure = self.index.nodes[position].measure
        rule = self.index.rules.get(position)
        if rule is None or rule.method is not MANUAL:
            progress = reading.progress
            self.own_progress[position] = measure.progress() if progress is None else progress
        self.own_status[position] = reading.status.code
        value = reading.value
        if value is None and isinstance(measure, MetricMeasure):
            value = measure.value
        return self.show(position, value)

    def show(self, position: int, value: float | None) -> bool:
        """Take `value` as the node's own metric value (`None`: it has none).

        Returns:
            Whether the node takes no part in sums and the value it shows changed (a change
            `derive` cannot see).
        """
        if position in self.index.valued:
            if value is not None:
                self.own_value[position] = value
            return False
        before = self.shown[position] if position in self.shown else value_of(self.index, position)
        self.shown[position] = value
        return before != value

    def copy(self) -> RollupState:
        """An independent copy (O(n))."""
        other = RollupState.__new__(RollupState)
        other.index = self.index
        other.own_progress = list(self.own_progress)
        other.own_status = list(self.own_status)
        other.own_value = dict(self.own_value)
        other.shown = dict(self.shown)
        other.progress = list(self.progress)
        other.status = list(self.status)
        other.value = dict(self.value)
        other.packed = list(self.packed)
        other.leaves = {k: list(v) for k, v in self.leaves.items()}
        other.holders = {k: list(v) for k, v in self.holders.items()}
        other.weighted = dict(self.weighted)
        other.weights = dict(self.weights)
        other.summed = dict(self.summed)
        return other

    # ------------------------------------------------------------------ contributors

    def contributors(self, position: int) -> list[int]:
        """The contributors a node rolls up from (children, or its current leaf set)."""
        found = self.leaves.get(position)
        if found is not None:
            return found
        return self.index.children.children_of(position)

    def leaf_set(self, root: int) -> list[int]:
        """Distinct leaves below `root`, not passing through cancelled nodes. O(descendants).

        The leaves are listed in ascending position order.
        """
        found = leaves_below(self.index.children, [root], self.own_status, CANCELLED)
        found.sort()
        return found

    # ------------------------------------------------------------------ from scratch

    def roll_level(self, plan: LevelPlan) -> None:
        """Roll up every parent of a level plan from its (already final) children. O(edges).

        A whole level's plan is kept by the index (`CascadeIndex.level_plans`). The per-edge
        work runs in C over the plan's slice of the children table. Each parent with the
        default rule, or the sum rule over its children, gets exactly what `derive` computes
        (the same sums over the same values in the same order); other parents go through
        `derive` itself.
        """
        take, starts, ends, spans = plan.take, plan.starts, plan.ends, plan.spans
        codes = bytes(take(self.status))
        progress = take(self.progress)
        weights = self.index.edge_weight[plan.lo : plan.hi]
        gone = codes.find(CANCELLED_BYTE)
        while gone >= 0:  # a cancelled child weighs w·0.0, as in mean_of_children
            weights[gone] *= 0.0  # only cancelled edges change: w·0.0 and (w·0.0)·p are 0.0
            gone = codes.find(CANCELLED_BYTE, gone + 1)
        terms = map(
            map, repeat(mul), map(weights.__getitem__, spans), map(progress.__getitem__, spans)
        )
        sums: list[float] = list(map(sum, terms))
        absent = [0] * len(starts)
        counts = [
            list(map(codes.count, repeat(code), starts, ends)) if code in codes else absent
            for code in range(1, 7)
        ]
        for p in self._finish_level(plan, codes, weights, sums, counts):  # other rules
            if self.index.rules[p].scope is LEAVES:
                self.sum_leaves(p)
            self.derive(p)

    def _finish_level(
        self,
        plan: LevelPlan,
        codes: bytes,
        weights: list[float],
        sums: list[float],
        counts: list[list[int]],
    ) -> list[int]:
        """Count, pack and derive the parents with the default or children-sum rule.

        Returns:
            The other parents, still to be derived.
        """
        index = self.index
        rules, total_weight = index.rules, index.weight_total
        own_progress, own_status = self.own_progress, self.own_status
        progress, status, packed = self.progress, self.status, self.packed
        kids = plan.kids
        deferred = []
        rows = zip(plan.parents, plan.sizes, plan.spans, sums, *counts, strict=True)
        for p, total, span, weighted, on, risk, off, blocked, done, gone in rows:
            packed[p] = (
                (total - on - risk - off - blocked - done - gone)
                | on << 32
                | risk << 64
                | off << 96
                | blocked << 128
                | done << 160
                | gone << 192
            )
            rule = rules.get(p)
            if rule is not None and (rule.method is not SUM or rule.scope is LEAVES):
                deferred.append(p)
                continue
            active = total - gone
            if active <= 0:
                progress[p], status[p] = own_progress[p], own_status[p]
                continue
            if own_status[p] == CANCELLED:
                status[p] = CANCELLED
            elif done == active:
                status[p] = DONE
            elif blocked:
                status[p] = BLOCKED
            elif off:
                status[p] = OFF_TRACK
            elif risk:
                status[p] = AT_RISK
            else:
                status[p] = ON_TRACK if done or on else NOT_STARTED
            if rule is None:
                progress[p] = weighted / (sum(weights[span]) if gone else total_weight[p])
            else:
                self._sum_children(p, kids[span], codes[span])
        return deferred

    def _sum_children(self, position: int, kids: list[int], codes: bytes) -> None:
        """Progress and value by the sum rule over children (`sum_of_children`, same order)."""
        values = map(self.value.__getitem__, kids)
        summed: float = sum(map(mul, values, map(ACTIVE_F.__getitem__, codes)))
        baseline, target = self.index.summing[position]
        self.progress[position] = metric_progress(baseline, target, summed)
        if self.value.get(position) != summed:
            self.value[position] = summed

    def sum_leaves(self, position: int) -> None:
        """Recompute the leaf set and every exact sum of a leaf-scoped node. O(descendants)."""
        holders = self.holders
        for leaf in self.leaves.get(position, ()):
            holders[leaf].remove(position)
        leaves = self.leaf_set(position)
        self.leaves[position] = leaves
        held = map(holders.setdefault, leaves, map(list, repeat((), len(leaves))))
        deque(map(list.append, held, repeat(position)), maxlen=0)
        # the same terms as `RollupEngine._tell_holders`, each summed by one C-level pass
        codes = bytes(map(self.status.__getitem__, leaves))
        self.packed[position] = sum(map(lshift, map(codes.count, range(7)), _SHIFTS))
        active = codes.translate(_ACTIVE_BYTES)  # iterates as the ints 0 and 1
        if self.index.rules[position].method is WEIGHTED_MEAN:  # the only rule reading them
            scaled = list(map(mul, map(self.index.weight.__getitem__, leaves), repeat(SCALE_F)))
            terms = map(mul, map(mul, scaled, map(self.progress.__getitem__, leaves)), active)
            self.weighted[position] = sum(map(int, terms))
            self.weights[position] = sum(map(mul, map(int, scaled), active))
        if position in self.index.summing:
            values = map(mul, map(self.value.__getitem__, leaves), repeat(SCALE_F))
            self.summed[position] = sum(map(mul, map(int, values), active))

    # ------------------------------------------------------------------ the formulas

    def mean_of_children(self, position: int, packed: int) -> float:
        """Σ w·p / Σ w over active children, in children-table order. O(children)."""
        take, weights, total = self.index.gathers.get(position) or self.index.gather(position)
        factors: Sequence[float] = weights
        if packed >> CANCELLED_SHIFT:
            factors = list(map(mul, weights, map(ACTIVE_F.__getitem__, take(self.status))))
            total = sum(factors)
        mean: float = sum(map(mul, factors, take(self.progress))) / total
        return mean

    def sum_of_children(self, position: int) -> float:
        """Σ v over active children's values, in children-table order. O(children)."""
        kids = self.index.children.children_of(position)
        values = map(self.value.__getitem__, kids)
        active = map(ACTIVE_F.__getitem__, map(self.status.__getitem__, kids))
        total: float = sum(map(mul, values, active))
        return total

    def derive(self, position: int) -> bool:
        """Recompute a node's progress, status and value; report whether any changed.

        O(children) in children scope, O(1) in leaf scope (O(contributors) for the minimum
        and worst-status rules).
        """
        rule = self.index.rules.get(position)
        method = WEIGHTED_MEAN if rule is None else rule.method
        packed = self.packed[position]
        leaves = self.leaves.get(position)
        if leaves is None:
            children = self.index.children
            total = children.last[position] - children.first[position]
        else:
            total = len(leaves)
        active = total - (packed >> CANCELLED_SHIFT)
        value = self.own_value.get(position)
        if method is MANUAL or active <= 0:
            progress = self.own_progress[position]
            status = self.own_status[position]
        else:
            status = roll_code(packed, active)
            if self.own_status[position] == CANCELLED:
                status = CANCELLED
            if method is WEIGHTED_MEAN and leaves is None:
                progress = self.mean_of_children(position, packed)
            else:
                progress, value = self._formula(position, method, packed, active, value)
        changed = self.progress[position] != progress or self.status[position] != status
        self.progress[position] = progress
        self.status[position] = status
        if value is not None and self.value.get(position) != value:
            self.value[position] = value
            changed = True
        return changed

    def _formula(
        self, position: int, method: RollupMethod, packed: int, active: int, value: float | None
    ) -> tuple[float, float | None]:
        """Progress (and value) by any rule other than the children-scope weighted mean."""
        leaf_scoped = position in self.leaves
        if method is WEIGHTED_MEAN:
            return self.weighted[position] / self.weights[position], value
        if method is SUM:
            summed = self.summed.get(position) if leaf_scoped else None
            value = self.sum_of_children(position) if summed is None else summed / SCALE
            baseline, target = self.index.summing[position]
            return metric_progress(baseline, target, value), value
        if method is FRACTION_DONE:
            return count(packed, DONE) / active, value
        if method is MINIMUM:
            return self._minimum(position), value
        return self._worst(position, packed), value

    def _minimum(self, position: int) -> float:
        progress, status = self.progress, self.status
        return min(progress[c] for c in self.contributors(position) if status[c] != CANCELLED)

    def _worst(self, position: int, packed: int) -> float:
        worst = next(code for code in _SEVERITY if count(packed, code))
        progress, status = self.progress, self.status
        return min(progress[c] for c in self.contributors(position) if status[c] == worst)


def full_rollup(
    index: CascadeIndex, readings: Mapping[int, Reading] | None = None, *, frozen: bool = False
) -> RollupState:
    """Roll the whole cascade up in one pass, deepest level first. O(n + e).

    Leaf-scoped nodes add O(descendants) each. `frozen` as for `RollupState`.
    """
    state = RollupState(index, readings, frozen=frozen)
    for plan in index.level_plans():
        state.roll_level(plan)
    return state
