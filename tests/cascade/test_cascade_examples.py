"""Worked examples with hand-checked numbers: the docs page's cascade, rolled up and updated."""

from __future__ import annotations

import pytest
from _cascade_example import NODES, example

from workplan_core.cascade import (
    BinaryMeasure,
    Cascade,
    Contribution,
    Milestone,
    MilestoneMeasure,
    Node,
    Reading,
    RollupEngine,
    RollupMethod,
    RollupRule,
    RollupScope,
    Status,
    StatusCounts,
    rollup,
)
from workplan_core.errors import NotFoundError, ValidationError


def test_every_node_rolls_up_as_computed_by_hand() -> None:
    result = rollup(example())
    # tasks read their own measures
    assert result["t1"].progress == 0.6  # 6 of 10 deals
    assert result["t2"].progress == 0.6  # 9 of 15 deals
    assert result["t4"].progress == 0.5  # 2 of 4 milestones
    # g1 sums its tasks' deals: 6 + 9 = 15 of 25
    assert result["g1"].value == 15
    assert result["g1"].progress == 0.6
    # d1 sums its team goals' deals: 15 + 3 = 18 of 40
    assert result["d1"].value == 18
    assert result["d1"].progress == 0.45
    # g3: weighted mean of t3 (1.0) and t4 (0.5); t5 is cancelled and drops out
    assert result["g3"].progress == 0.75
    assert result["g3"].status is Status.AT_RISK
    assert result["g3"].counts == StatusCounts(at_risk=1, done=1, cancelled=1)
    # d2: fraction of its team goals done: g4 is, g3 is not
    assert result["d2"].progress == 0.5
    assert result["d2"].status is Status.AT_RISK
    # s1: (0.45 + 0.5) / 2; s2 reads its churn metric: from 8% towards 4%, now 7%
    assert result["s1"].progress == pytest.approx(0.475)
    assert result["s2"].progress == 0.25
    # o1: s1 weighs 2, s2 weighs 1: (2 * 0.475 + 0.25) / 3 = 0.4
    assert result["o1"].progress == pytest.approx(0.4)
    assert result["o1"].status is Status.AT_RISK
    assert result["o1"].counts == StatusCounts(on_track=1, at_risk=1)


def test_a_task_update_touches_only_its_ancestors() -> None:
    engine = RollupEngine(example())
    three_reached = MilestoneMeasure(
        [Milestone("login", True), Milestone("catalogue", True), Milestone("checkout", True),
         Milestone("go-live")]
    )  # fmt: skip
    assert engine.update("t4", measure=three_reached) == ("t4", "g3")
    assert engine.progress("g3") == 0.875  # (1.0 + 0.75) / 2
    assert engine.progress("d2") == 0.5  # still one team goal of two done

    changed = engine.update("t4", measure=BinaryMeasure(done=True), status=Status.DONE)
    assert changed == ("t4", "g3", "d2", "s1", "o1")
    assert engine.status("g3") is Status.DONE
    assert engine.progress("d2") == 1.0
    assert engine.progress("s1") == pytest.approx(0.725)  # (0.45 + 1.0) / 2
    assert engine.progress("o1") == pytest.approx((2 * 0.725 + 0.25) / 3)
    assert engine.status("o1") is Status.ON_TRACK


def test_sums_follow_new_readings() -> None:
    engine = RollupEngine(example())
    engine.update("t1", reading=Reading(None, Status.DONE, 10))
    assert engine.result("g1").value == 19  # 10 + 9
    assert engine.result("d1").value == 22  # 19 + 3
    assert engine.progress("d1") == 22 / 40


def test_readings_replace_own_values_in_a_full_rollup() -> None:
    result = rollup(example(), {"g2": Reading(0.8, Status.AT_RISK, 12)})
    assert result["g2"].progress == 0.8
    assert result["d1"].value == 27  # 15 + 12
    assert result["d1"].status is Status.AT_RISK
    with pytest.raises(NotFoundError):
        rollup(example(), {"nope": Reading(0.5, Status.ON_TRACK)})


def test_a_cancelled_parent_drops_out_with_its_subtree() -> None:
    engine = RollupEngine(example())
    engine.update("g3", status=Status.CANCELLED)
    assert engine.status("g3") is Status.CANCELLED
    assert engine.progress("d2") == 1.0  # only g4 is left, and it is done
    assert engine.status("d2") is Status.DONE


def test_extra_contributions_count_in_both_parents() -> None:
    nodes = [
        *NODES,
        Node("g5", "Win-back calls", "team goal", NODES[6].owner, NODES[6].period,
             parent="d1", measure=NODES[6].measure, contributions=(Contribution("s2", 3),)),
    ]  # fmt: skip
    result = rollup(Cascade(nodes))
    # s2 now rolls up from g5 alone (weight 3): g5 reads 3 of 15 deals, 0.2
    assert result["s2"].progress == pytest.approx(0.2)
    # d1 sums g5's deals too: 15 + 3 + 3
    assert result["d1"].value == 21
    engine = RollupEngine(Cascade(nodes))
    changed = engine.update("g5", reading=Reading(0.6, Status.ON_TRACK, 9))
    assert set(changed) == {"g5", "d1", "s1", "s2", "o1"}
    assert engine.snapshot() == rollup(Cascade(nodes), {"g5": Reading(0.6, Status.ON_TRACK, 9)})


def test_other_rules_on_a_small_tree() -> None:
    me, q = NODES[9].owner, NODES[9].period

    def tree(rule: RollupRule) -> Cascade:
        return Cascade([
            Node("g", "Goal", "team goal", me, q, rule=rule),
            Node("a", "A", "task", me, q, parent="g", weight=3,
                 measure=BinaryMeasure(True), status=Status.DONE),
            Node("b", "B", "task", me, q, parent="g", status=Status.BLOCKED),
            Node("c", "C", "task", me, q, parent="g", status=Status.ON_TRACK,
                 measure=MilestoneMeasure([Milestone("x", True), Milestone("y")])),
        ])  # fmt: skip

    assert rollup(tree(RollupRule()))["g"].progress == pytest.approx((3 * 1.0 + 0 + 0.5) / 5)
    assert rollup(tree(RollupRule(RollupMethod.MINIMUM)))["g"].progress == 0.0
    assert rollup(tree(RollupRule(RollupMethod.FRACTION_DONE)))["g"].progress == pytest.approx(
        1 / 3
    )
    worst = rollup(tree(RollupRule(RollupMethod.WORST_STATUS)))["g"]
    assert (worst.progress, worst.status) == (0.0, Status.BLOCKED)  # b is blocked, at 0
    manual = rollup(tree(RollupRule.manual(0.9, "agreed with the board")))["g"]
    assert (manual.progress, manual.status) == (0.9, Status.NOT_STARTED)  # its own status
    assert manual.counts == StatusCounts(on_track=1, blocked=1, done=1)


def test_leaf_scope_counts_each_leaf_once_with_its_own_weight() -> None:
    me, q = NODES[9].owner, NODES[9].period
    cascade = Cascade([
        Node("d", "Target", "departmental target", me, q,
             rule=RollupRule(RollupMethod.WEIGHTED_MEAN, RollupScope.LEAVES)),
        Node("g1", "One", "team goal", me, q, parent="d", weight=10),
        Node("g2", "Two", "team goal", me, q, parent="d"),
        Node("t1", "A", "task", me, q, parent="g1", measure=BinaryMeasure(True)),
        Node("t2", "B", "task", me, q, parent="g2", contributions=(Contribution("g1"),)),
        Node("t3", "C", "task", me, q, parent="g2", weight=2, measure=BinaryMeasure(True)),
    ])  # fmt: skip
    result = rollup(cascade)
    # leaves t1 (w1, 1.0), t2 (w1, 0.0, reached twice but counted once), t3 (w2, 1.0)
    assert result["d"].progress == 0.75
    assert result["d"].counts.total == 3
    # children scope would weigh g1 (10) and g2 (1) instead
    assert result["g1"].progress == 0.5
    engine = RollupEngine(cascade)
    # the node first, then deepest first, ties in cascade order
    assert engine.update("t2", measure=BinaryMeasure(True)) == ("t2", "g1", "g2", "d")
    assert engine.progress("d") == 1.0


def test_unknown_ids_are_not_found() -> None:
    engine = RollupEngine(example())
    with pytest.raises(NotFoundError):
        engine.update("zz", status=Status.DONE)
    with pytest.raises(NotFoundError):
        rollup(example())["zz"]
    with pytest.raises(ValidationError):
        engine.update("t4", rule=RollupRule.manual(0.5, "why"))  # t4 is not manual


def test_a_diamond_is_settled_deepest_first() -> None:
    # "d" counts towards "s" (its primary parent) and straight towards "o" (an extra
    # contribution), and "s" counts towards "o" too. When "t" starts, "d" and then "s" move to
    # on track; "o" (worst status of its contributors) must be re-derived only after both
    # moves are counted, or it would look for a "not started" contributor that is gone.
    me, q = NODES[9].owner, NODES[9].period
    cascade = Cascade([
        Node("o", "O", "strategic objective", me, q, rule=RollupRule(RollupMethod.WORST_STATUS)),
        Node("s", "S", "supporting goal", me, q, parent="o"),
        Node("d", "D", "departmental target", me, q, parent="s",
             contributions=(Contribution("o"),)),
        Node("t", "T", "task", me, q, parent="d"),
    ])  # fmt: skip
    engine = RollupEngine(cascade)
    assert engine.update("t", status=Status.ON_TRACK) == ("t", "d", "s", "o")
    assert engine.status("o") is Status.ON_TRACK
    assert engine.snapshot() == rollup(Cascade([engine.node(n.id) for n in cascade.nodes]))


def test_a_leaf_scoped_leaf_held_by_a_leaf_scoped_ancestor_reaches_it() -> None:
    # "t" is leaf-scoped itself but has no children, so it is a leaf of "o2" (leaf-scoped)
    # through "s", which also counts towards "o1" (an extra contribution). A change of "t"
    # must adjust o2's exact leaf sums, not just climb t's line of sight.
    me, q = NODES[9].owner, NODES[9].period
    leaves = RollupRule(RollupMethod.WEIGHTED_MEAN, RollupScope.LEAVES)
    cascade = Cascade([
        Node("o1", "O1", "strategic objective", me, q),
        Node("o2", "O2", "strategic objective", me, q, rule=leaves),
        Node("s", "S", "supporting goal", me, q, parent="o1",
             contributions=(Contribution("o2"),)),
        Node("t", "T", "departmental target", me, q, parent="s", rule=leaves),
    ])  # fmt: skip
    engine = RollupEngine(cascade)
    assert engine.update("t", status=Status.ON_TRACK) == ("t", "s", "o1", "o2")
    assert engine.status("o2") is Status.ON_TRACK
    assert engine.snapshot() == rollup(Cascade([engine.node(n.id) for n in cascade.nodes]))
