"""Cascades compare and hash by value (nodes in order, config); caches key on the object."""

from __future__ import annotations

import gc
import pickle
import weakref

import attrs
from _cascade_example import NODES, example
from hypothesis import given
from hypothesis import strategies as st

from workplan_core._memo import per_object
from workplan_core.cascade import (
    DEFAULT_LEVELS,
    Cascade,
    CascadeConfig,
    Level,
    Node,
    RollupEngine,
    Severity,
    Status,
    rollup,
)
from workplan_core.checkins.log import CheckinLog
from workplan_core.org import OwnerKind
from workplan_core.testing.strategies.cascade import WEIGHTS, cascade_nodes
from workplan_core.workspace import Workspace

WARN = CascadeConfig(period_rule=Severity.WARNING)


def test_cascades_of_equal_nodes_and_config_are_equal() -> None:
    first, second = example(), Cascade([attrs.evolve(n) for n in NODES])
    assert first is not second
    assert first == second
    assert not first != second  # noqa: SIM202 (`!=` is what is tested)
    assert first == first  # noqa: PLR0124 (the same object)
    same_config = CascadeConfig(tuple(Level(level.name) for level in DEFAULT_LEVELS))
    assert Cascade(NODES, same_config) == first
    assert Cascade() == Cascade()


def test_a_saved_and_loaded_cascade_equals_the_one_saved() -> None:
    cascade = Cascade(NODES, WARN)
    with Workspace.open("memory://") as workspace:
        workspace.save_cascade(cascade)
        loaded = workspace.load_cascade()
    assert loaded is not cascade
    assert loaded == cascade
    assert pickle.loads(pickle.dumps(cascade)) == cascade


def test_another_node_order_or_config_is_unequal() -> None:
    cascade = example()
    assert cascade != Cascade(reversed(NODES))
    assert cascade != Cascade(NODES, WARN)
    narrow = (*DEFAULT_LEVELS[:-1], Level("task", frozenset({OwnerKind.PERSON})))
    assert cascade != Cascade(NODES, CascadeConfig(narrow))
    assert cascade != cascade.without("t5")
    assert cascade != cascade.replace(attrs.evolve(NODES[-1], title="Import the catalogue"))


def test_a_cascade_is_not_equal_to_its_nodes() -> None:
    cascade = example()
    assert cascade != cascade.nodes
    assert cascade != list(cascade)
    assert cascade.__eq__(tuple(NODES)) is NotImplemented


@given(cascade_nodes(), st.data())
def test_any_changed_node_makes_a_cascade_unequal(nodes: list[Node], data: st.DataObject) -> None:
    cascade = Cascade(nodes)
    assert cascade == Cascade(list(nodes))
    position = data.draw(st.integers(0, len(nodes) - 1))
    node = nodes[position]
    change = data.draw(
        st.sampled_from(["title", "status", "weight", "description", "tags", "origin"])
    )
    new_value: object = {
        "title": node.title + "!",
        "status": data.draw(st.sampled_from(Status).filter(lambda s: s is not node.status)),
        "weight": data.draw(WEIGHTS.filter(lambda w: w != node.weight)),
        "description": node.description + "more",
        "tags": node.tags | {"changed"},
        "origin": "elsewhere",
    }[change]
    later = list(nodes)
    later[position] = attrs.evolve(node, **{change: new_value})
    assert cascade != Cascade(later)
    assert cascade != Cascade(nodes, WARN)


# ------------------------------------------------------------------ caches keyed by the object


def test_equal_cascades_keep_their_own_cache_entries() -> None:
    computed: list[int] = []

    @per_object
    def ids(cascade: Cascade) -> list[str]:
        computed.append(id(cascade))
        return [node.id for node in cascade]

    first, second = example(), example()
    assert first == second
    kept = ids(first)
    assert ids(first) is kept  # a hit for the same object
    assert computed == [id(first)]
    own = ids(second)  # an equal object is not taken for the first
    assert own is not kept
    assert own == kept
    assert computed == [id(first), id(second)]
    gone = weakref.ref(first)
    del first, kept
    gc.collect()
    assert gone() is None  # the cache did not keep the cascade alive
    assert ids(second) is own  # and the other's entry went with it, not this one
    assert len(computed) == 2


def test_equal_cascades_hash_equally() -> None:
    first, second = example(), example()
    assert first == second
    assert hash(first) == hash(second) == hash(first)
    assert {first: 1}[second] == 1
    assert len({first, second}) == 1
    assert hash(first) != hash(first.without("t5"))  # not a constant either
    assert hash(pickle.loads(pickle.dumps(first))) == hash(first)


def test_rollup_caches_stay_with_their_cascade() -> None:
    first, second = example(), example()
    result = rollup(first)
    plans = first.index.level_plans()
    assert rollup(first) == result
    assert first.index.level_plans() is plans  # kept and reused by the same cascade
    assert rollup(second) == result
    assert second.index.level_plans() is not plans  # an equal cascade builds its own
    engine = RollupEngine(second)
    engine.update("t4", status=Status.DONE)
    assert rollup(first) == result  # the other cascade's engine changed nothing here


def test_the_checkin_log_keeps_a_table_per_cascade_object() -> None:
    log = CheckinLog()
    first, second = example(), example()
    table = log.timeline_table(first)
    assert log.timeline_table(first) is table
    other = log.timeline_table(second)
    assert other is not table
    assert log.timeline_table(first) is table
    assert log.timeline_table(second) is other


def test_per_object_caches_never_hash_or_compare_the_object() -> None:
    class Touchy:
        """Refuses to be hashed or compared, as a million-node cascade should not be."""

        def __hash__(self) -> int:
            raise AssertionError("hashed")

        def __eq__(self, other: object) -> bool:
            raise AssertionError("compared")

    @per_object
    def name(obj: Touchy) -> str:
        return f"n{id(obj)}"

    first, second = Touchy(), Touchy()
    assert name(first) == f"n{id(first)}"
    assert name(first) == name(first)
    assert name(second) == f"n{id(second)}"
