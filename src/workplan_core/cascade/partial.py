"""Partial rollup: roll up only the nodes a report shows and everything contributing to them.

A report about part of a cascade (a manager's dashboard, a subtree) needs the rolled-up
progress and status of its own nodes only. Those depend on the nodes' *closure*: the nodes
themselves and every node contributing to them, directly or not (through primary parents and
extra contributions alike). [closure][workplan_core.cascade.partial.closure] finds it and
[rollup_closure][workplan_core.cascade.partial.rollup_closure] re-derives just its internal
nodes, deepest level first, in the order of the full rollup and with the same formulas
(`RollupState.derive`, and `RollupState.sum_leaves` for leaf-scoped rules). Every node of
the closure therefore gets *exactly* the progress, status, counts and value that
[rollup][workplan_core.cascade.full.rollup] gives it; nodes outside the closure are left as
they were built and must not be read.

```text
positions = closure(index, roots)                    O(c) for the c nodes of the closure
state = rollup_closure(index, positions, readings)   O(n) copies + O(c + e_c) derivations
```

Here ``e_c`` counts the edges into the closure's internal nodes; leaf-scoped nodes add
O(descendants) each, as in the full rollup. The O(n) part is a few C-level list copies
(`RollupState` keeps whole-cascade lists), a small constant per node.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, groupby, repeat
from operator import eq, is_, is_not, ne, not_, sub
from typing import cast

from workplan_core._memo import per_object
from workplan_core.cascade._levels import LevelPlan
from workplan_core.cascade._state import PACK, RollupState
from workplan_core.cascade.index import CascadeIndex
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.rules import RollupScope
from workplan_core.cascade.status import STATUSES

__all__ = ["closure", "rollup_closure", "rollup_closure_columns"]


def closure(index: CascadeIndex, roots: Iterable[int]) -> list[int]:
    """`roots` and every position contributing to them, directly or not (any order).

    O(c + e_c) for the c positions found and the e_c edges into them.
    """
    children = index.children
    first, last, child = children.first, children.last, children.child
    seen = set(roots)
    frontier = [p for p in seen if first[p] != last[p]]
    while frontier:
        found = []
        for position in frontier:
            for c in child[first[position] : last[position]]:
                if c not in seen:
                    seen.add(c)
                    if first[c] != last[c]:
                        found.append(c)
        frontier = found
    return list(seen)


def _derive_closure(state: RollupState, positions: Sequence[int]) -> RollupState:
    """Re-derive the internal nodes among `positions`, deepest level first.

    The order is the full rollup's (deepest level first, then by position), so a node is
    derived after every contributor of the closure. A level whose closure nodes hold most of
    the children-table slice between them is rolled up as the full rollup does it, in C-level
    passes over that slice (`RollupState.roll_level`, with the index's plan for a whole
    level); a sparse one node by node. Both give the full rollup's results. O(k log k + e_k)
    for k internal nodes with e_k edges between them and their children.
    """
    index = state.index
    children = index.children
    first, last = children.first, children.last
    internal = list(
        compress(
            positions, map(ne, map(first.__getitem__, positions), map(last.__getitem__, positions))
        )
    )
    internal.sort()
    internal.sort(key=index.depth.__getitem__, reverse=True)  # stable: then by position
    whole = {index.depth[plan.parents[0]]: plan for plan in index.level_plans()}
    for depth, level in groupby(internal, key=index.depth.__getitem__):
        parents = list(level)
        plan = whole[depth]
        if len(parents) == len(plan.parents):  # the whole level: its plan is kept
            state.roll_level(plan)
            continue
        needed = sum(map(sub, map(last.__getitem__, parents), map(first.__getitem__, parents)))
        if last[parents[-1]] - first[parents[0]] <= 2 * needed:
            state.roll_level(LevelPlan(children, parents))
        else:
            _derive_each(state, parents)
    return state


def _derive_each(state: RollupState, parents: list[int]) -> None:
    """Count and re-derive each of `parents` (one level, in table order). O(e_k)."""
    index = state.index
    children = index.children
    first, last, child = children.first, children.last, children.child
    rules, status, packed = index.rules, state.status, state.packed
    pack = PACK.__getitem__
    leaves = RollupScope.LEAVES
    for p in parents:
        packed[p] = sum(map(pack, map(status.__getitem__, child[first[p] : last[p]])))
        rule = rules.get(p)
        if rule is not None and rule.scope is leaves:
            state.sum_leaves(p)
        state.derive(p)


def rollup_closure(
    index: CascadeIndex,
    positions: Iterable[int],
    readings: Mapping[int, Reading] | None = None,
) -> RollupState:
    """Roll up only `positions`, which must be closed under contribution (see `closure`).

    Args:
        index: the compiled cascade.
        positions: the positions to roll up, each with every position contributing to it.
        readings: own readings by position (as in [rollup][workplan_core.cascade.full.rollup]);
            readings of positions outside `positions` have no effect on those inside.

    Returns:
        The rollup state; its progress, status, counts and value at every position in
        `positions` equal a full rollup's exactly. Other positions must not be read.

    O(n) for the state's list copies plus O(k log k + e_k) for the k internal nodes among
    `positions` (leaf-scoped nodes add O(descendants) each).
    """
    positions = positions if isinstance(positions, Sequence) else list(positions)
    return _derive_closure(RollupState(index, readings), positions)


_SHOWN, _SUMMED, _RULED = range(3)
"""How a reading is taken: a value read is shown (a node in no sum), or summed, or the whole
reading goes through `RollupState.read` (a node with a rule)."""


@per_object
def _kinds(index: CascadeIndex) -> bytes:
    """Per position, how a reading is taken (`_SHOWN`, `_SUMMED` or `_RULED`). O(n), kept."""
    kinds = bytearray(len(index))
    for position in index.valued:
        kinds[position] = _SUMMED
    for position in index.rules:
        kinds[position] = _RULED
    return bytes(kinds)


def rollup_closure_columns(
    index: CascadeIndex,
    positions: Iterable[int],
    *,
    read: Sequence[int],
    progress: Sequence[float | None],
    codes: Sequence[int],
    values: Sequence[float | None],
) -> RollupState:
    """`rollup_closure` for readings given as columns, without a `Reading` per node.

    Args:
        index: the compiled cascade.
        positions: the positions to roll up, closed under contribution (see `closure`).
        read: the positions that have a reading (each at most once).
        progress: each reading's own progress, or `None` for the measure's progress.
        codes: each reading's status code (an index into `STATUSES`).
        values: each reading's metric value, or `None` for the measure's value.

    Returns:
        What `rollup_closure` returns for the readings
        ``Reading(progress[i], STATUSES[codes[i]], values[i])`` at ``read[i]`` (which must
        be valid readings: they are not checked here).

    A position with the default rule takes its reading directly, as `RollupState.read`
    would; one with another rule goes through `RollupState.read`. O(r) for r readings (the
    per-position facts are gathered once per index), plus `rollup_closure`'s cost.
    """
    kinds = _kinds(index)
    kind_of = bytes(map(kinds.__getitem__, read))
    everyone = range(len(read))
    ruled = {
        read[i]: Reading(progress[i], STATUSES[codes[i]], values[i])
        for i in compress(everyone, map(_RULED.__eq__, kind_of))
    }
    state = RollupState(index, ruled)
    if ruled:  # the others take their reading below
        keep = list(map(_RULED.__ne__, kind_of))
        read, codes = list(compress(read, keep)), list(compress(codes, keep))
        progress, values = list(compress(progress, keep)), list(compress(values, keep))
        kind_of = bytes(compress(kind_of, keep))
    own = _own_progress(index, read, progress)
    deque(map(state.own_progress.__setitem__, read, own), maxlen=0)
    deque(map(state.own_status.__setitem__, read, codes), maxlen=0)
    state.progress[:] = state.own_progress  # as a new state starts: rolled-up = own
    state.status[:] = state.own_status
    _take_values(state, read, kind_of, values)
    positions = positions if isinstance(positions, Sequence) else list(positions)
    return _derive_closure(state, positions)


def _own_progress(
    index: CascadeIndex, read: Sequence[int], progress: Sequence[float | None]
) -> list[float]:
    """Each reading's own progress: as read, else its measure's progress. O(r)."""
    own = list(progress)
    nodes = index.nodes
    for i in compress(range(len(own)), map(is_, own, repeat(None))):
        own[i] = nodes[read[i]].measure.progress()
    return cast("list[float]", own)


def _take_values(
    state: RollupState, read: Sequence[int], kind_of: bytes, values: Sequence[float | None]
) -> None:
    """Take the metric values read, as `RollupState.read` would. O(r), in C-level passes.

    A summed node sums the value read; any other node shows it. A reading without a value
    changes nothing: the node keeps its measure's value, which is what a result shows.
    """
    given = list(map(is_not, values, repeat(None)))
    if not any(given):
        return
    at = list(compress(read, given))
    taken = cast("list[float]", list(compress(values, given)))
    summed = list(map(eq, compress(kind_of, given), repeat(_SUMMED)))
    shown = list(map(not_, summed))
    state.shown.update(zip(compress(at, shown), compress(taken, shown), strict=True))
    pairs = list(zip(compress(at, summed), compress(taken, summed), strict=True))
    state.own_value.update(pairs)
    state.value.update(pairs)
