"""Property tests: a rollup of a closure equals the full rollup exactly on every closure node."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    Cascade,
    Node,
    Reading,
    closure,
    rollup,
    rollup_closure,
    rollup_closure_columns,
)
from workplan_core.cascade._state import RollupState, full_rollup
from workplan_core.cascade.partial import _derive_each
from workplan_core.cascade.results import Rollup
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.testing.strategies.cascade import cascade_nodes, readings


def _same_on(state: RollupState, full: Rollup, positions: list[int]) -> None:
    partial = Rollup(state)
    for position in positions:
        node_id = state.index.ids[position]
        assert partial[node_id] == full[node_id], node_id


@st.composite
def cascades_with_readings(draw: st.DrawFn) -> tuple[Cascade, dict[int, Reading], list[int]]:
    nodes: list[Node] = draw(cascade_nodes())
    cascade = Cascade(nodes)
    everyone = range(len(nodes))
    read = draw(st.lists(st.sampled_from(everyone), unique=True))
    roots = draw(st.lists(st.sampled_from(everyone), min_size=1, max_size=4, unique=True))
    return cascade, {p: draw(readings()) for p in read}, roots


@given(cascades_with_readings())
def test_a_closure_rolls_up_exactly_like_the_whole_cascade(
    case: tuple[Cascade, dict[int, Reading], list[int]],
) -> None:
    cascade, by_position, roots = case
    ids = cascade.index.ids
    full = rollup(cascade, {ids[p]: r for p, r in by_position.items()})
    positions = closure(cascade.index, roots)
    assert set(roots) <= set(positions)
    _same_on(rollup_closure(cascade.index, positions, by_position), full, positions)
    inside = {p: r for p, r in by_position.items() if p in set(positions)}
    _same_on(rollup_closure(cascade.index, positions, inside), full, positions)
    read = list(inside)
    columns = rollup_closure_columns(
        cascade.index,
        positions,
        read=read,
        progress=[inside[p].progress for p in read],
        codes=[inside[p].status.code for p in read],
        values=[inside[p].value for p in read],
    )
    _same_on(columns, full, positions)


@given(cascade_nodes())
def test_the_closure_of_the_roots_is_everything_below_them(nodes: list[Node]) -> None:
    cascade = Cascade(nodes)
    index = cascade.index
    roots = [p for p in range(len(nodes)) if index.parent[p] < 0 and p not in index.extra_up]
    assert sorted(closure(index, roots)) == list(range(len(nodes)))
    for position in range(len(nodes)):
        below = closure(index, [position])
        for member in below:
            assert set(closure(index, [member])) <= set(below)


@given(st.integers(min_value=0, max_value=2**32 - 1), st.data())
def test_a_sparse_closure_rolls_up_exactly(seed: int, data: st.DataObject) -> None:
    # roots far apart on wide levels: their closure covers a small share of each level, so it
    # is derived node by node, while a dense closure is rolled up level by level
    cascade = Cascade(generate_cascade(600, seed))
    index = cascade.index
    internal = index.children.internal
    picks = data.draw(st.lists(st.sampled_from(internal), min_size=2, max_size=6, unique=True))
    roots = [internal[0], internal[len(internal) // 2], *picks]
    full = rollup(cascade)
    positions = closure(index, roots)
    _same_on(rollup_closure(index, positions), full, positions)


@given(cascades_with_readings())
def test_a_closure_of_whole_levels_rolls_up_exactly(
    case: tuple[Cascade, dict[int, Reading], list[int]],
) -> None:
    # every node: each level is whole, so the index's kept level plans are used
    cascade, by_position, _ = case
    index = cascade.index
    full = rollup(cascade, {index.ids[p]: r for p, r in by_position.items()})
    everything = list(range(len(index)))
    _same_on(rollup_closure(index, everything, by_position), full, everything)
    _same_on(rollup_closure(index, everything, by_position), full, everything)  # plans kept


@given(cascades_with_readings())
def test_level_passes_equal_deriving_node_by_node_bit_for_bit(
    case: tuple[Cascade, dict[int, Reading], list[int]],
) -> None:
    # the full rollup's C-level passes (and their inline default and sum rules) against
    # `RollupState.derive` called for every parent, deepest level first
    cascade, by_position, _ = case
    index = cascade.index
    passes = full_rollup(index, by_position)
    derived = RollupState(index, by_position)
    for plan in index.level_plans():
        _derive_each(derived, plan.parents)
    assert list(map(float.hex, passes.progress)) == list(map(float.hex, derived.progress))
    assert passes.status == derived.status
    assert passes.packed == derived.packed
    assert {p: repr(v) for p, v in passes.value.items()} == {
        p: repr(v) for p, v in derived.value.items()
    }
    assert (passes.weighted, passes.weights, passes.summed) == (
        derived.weighted,
        derived.weights,
        derived.summed,
    )
