"""A cascade survives pickling (e.g. to hand it to a worker process), caches and all."""

from __future__ import annotations

import pickle

from hypothesis import given

from workplan_core.cascade import Cascade, Node, RollupEngine, Status, rollup
from workplan_core.testing.strategies.cascade import cascade_nodes


@given(cascade_nodes())
def test_a_rolled_up_cascade_pickles_and_rolls_up_the_same(nodes: list[Node]) -> None:
    cascade = Cascade(nodes)
    before = rollup(cascade)  # keeps level plans on the index
    engine = RollupEngine(cascade)
    for node in nodes:  # builds the gathers of every parent with the default rule
        engine.update(node.id, status=Status.AT_RISK)
    copy = pickle.loads(pickle.dumps(cascade))
    assert copy.nodes == cascade.nodes
    assert rollup(copy) == before
    moved = RollupEngine(copy)
    for node in nodes:
        moved.update(node.id, status=Status.AT_RISK)
    assert moved.snapshot() == engine.snapshot()
