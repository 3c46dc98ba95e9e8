"""Diffs between cascades, goals per position (templates) and rollover into the next period."""

from __future__ import annotations

import datetime as dt

import attrs
from _cascade_example import CALENDAR, NODES, Q2, example, position, team
from hypothesis import given

from workplan_core.cascade import (
    Cascade,
    CascadeDiff,
    Changed,
    Contribution,
    FieldChange,
    MetricMeasure,
    Node,
    NodeTemplate,
    Realigned,
    Reparented,
    Retargeted,
    Reweighted,
    diff_cascades,
    instantiate,
    rollover,
    rollup,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Granularity
from workplan_core.testing.strategies.cascade import cascade_nodes

Q3 = CALENDAR.parts(2027, Granularity.QUARTER)[2].period


def test_diff_names_every_kind_of_change() -> None:
    old = example()
    nodes = {n.id: n for n in NODES}
    nodes["t2"] = attrs.evolve(nodes["t2"], parent="g2")
    nodes["s1"] = attrs.evolve(nodes["s1"], weight=3)
    nodes["t4"] = attrs.evolve(nodes["t4"], contributions=(Contribution("g4", 0.5),))
    nodes["d1"] = attrs.evolve(nodes["d1"], measure=MetricMeasure("deals", 0, 50))
    nodes["t1"] = attrs.evolve(nodes["t1"], measure=MetricMeasure("deals", 0, 10, 8))  # reading
    del nodes["t5"]
    nodes["t6"] = Node("t6", "New task", "task", nodes["t1"].owner, Q2, parent="g3")
    diff = diff_cascades(old, nodes.values())
    assert diff == CascadeDiff(
        added=("t6",),
        removed=("t5",),
        reparented=(Reparented("t2", "g1", "g2"),),
        reweighted=(Reweighted("s1", 2, 3),),
        realigned=(Realigned("t4", (), (Contribution("g4", 0.5),)),),
        retargeted=(Retargeted("d1", NODES[3].measure, nodes["d1"].measure),),
        changed=(  # every change, new readings included, in the new order
            Changed("s1", (FieldChange("weight", 2, 3),)),
            Changed("d1", (FieldChange("measure", NODES[3].measure, nodes["d1"].measure),)),
            Changed("t1", (FieldChange("measure", NODES[9].measure, nodes["t1"].measure),)),
            Changed("t2", (FieldChange("parent", "g1", "g2"),)),
            Changed("t4", (FieldChange("contributions", (), (Contribution("g4", 0.5),)),)),
        ),
    )
    assert not diff.empty


@given(cascade_nodes(), cascade_nodes())
def test_diff_properties(first: list[Node], second: list[Node]) -> None:
    assert diff_cascades(first, first).empty
    diff = diff_cascades(first, second)
    old, new = {n.id for n in first}, {n.id for n in second}
    assert set(diff.added) == new - old
    assert set(diff.removed) == old - new
    assert {r.node_id for r in diff.reparented} <= old & new


class Holders:
    def __init__(self, holders: dict[OwnerRef, frozenset[str]]) -> None:
        self.holders = holders

    def resolve_owner(self, ref: OwnerRef, as_of: dt.date) -> frozenset[str]:
        return self.holders[ref]


def test_a_template_makes_one_goal_per_holder() -> None:
    template = NodeTemplate(
        id="onboard",
        title="{person}: onboard two partners",
        level="task",
        period=Q2,
        parent="g3",
        measure=MetricMeasure("partners", 0, 2),
        description="Owned by {person}",
        tags=frozenset({"partners"}),
    )
    org = Holders({position("account-manager"): frozenset({"zoe", "amy", "max"})})
    made = instantiate(template, position("account-manager"), org, dt.date(2026, 10, 1))
    assert [n.id for n in made] == ["onboard:amy", "onboard:max", "onboard:zoe"]
    assert made[0].title == "amy: onboard two partners"
    assert made[0].description == "Owned by amy"
    assert made[0].owner == OwnerRef(OwnerKind.PERSON, "amy")
    assert {n.parent for n in made} == {"g3"}
    cascade = Cascade([*NODES, *made])
    assert rollup(cascade)["g3"].counts.total == 6


def test_rollover_carries_unfinished_work_with_its_subtree() -> None:
    cascade = example()
    result = rollover(cascade, ending=Q2, into=Q3)
    carried = dict(result.links)
    # unfinished nodes whose period ends in Q2 (the H1 targets end on its last day too);
    # done (g4, t3) and cancelled (t5) nodes stay behind
    assert sorted(carried) == ["d1", "d2", "g1", "g2", "g3", "t1", "t2", "t4"]
    copy = {n.id: n for n in result.carried}
    t4 = copy[carried["t4"]]
    assert t4.id == "t4@2027-01-01"
    assert t4.origin == "t4"
    assert t4.period == Q3
    assert t4.parent == carried["g3"]  # re-parented to the carried team goal
    assert t4.measure == NODES[12].measure  # progress so far is kept
    assert copy[carried["d1"]].parent == "s1"  # s1 runs all year: it stays the parent
    moved = result.apply(cascade)
    assert len(moved) == len(NODES) + 8
    assert moved.node("t1").period == Q2  # history is untouched
    rolled = rollup(moved)
    assert rolled[carried["d2"]].counts.total == 1  # g4 was done: only g3 came along
    assert rolled["d2"].progress == 0.5  # the original still reports the old quarter


def test_rollover_keeps_parents_that_run_on() -> None:
    nodes = [attrs.evolve(n, period=NODES[0].period) if n.id == "d2" else n for n in NODES]
    cascade = Cascade(nodes)
    result = rollover(cascade, ending=Q2, into=Q3, new_id=lambda n: f"{n.id}-next")
    carried = dict(result.links)
    assert "d2" not in carried
    assert carried["g3"] == "g3-next"
    moved = result.apply(cascade)
    assert moved.node("g3-next").parent == "d2"
    assert moved.node("t4-next").parent == "g3-next"
    assert [c.id for c in moved if c.parent == "d2"] == ["g3", "g4", "g3-next"]


def test_team_templates_work_too() -> None:
    template = NodeTemplate("retro", "Team retro", "task", Q2, parent="g3")
    made = instantiate(template, team("web"), Holders({team("web"): frozenset({"cy"})}), Q2.start)
    assert [n.id for n in made] == ["retro:cy"]


def test_carrying_a_copy_again_keeps_its_id_from_growing() -> None:
    cascade = example()
    once = rollover(cascade, ending=Q2, into=Q3)
    moved = once.apply(cascade)
    q4 = CALENDAR.parts(2027, Granularity.QUARTER)[3].period
    twice = rollover(moved, ending=Q3, into=q4)
    again = {n.origin: n for n in twice.carried}
    assert again["t4@2027-01-01"].id == "t4@2027-04-01"
    assert again["t4@2027-01-01"].origin == "t4@2027-01-01"  # the chain of origins stays
    assert "t4" not in again  # the original ended with Q2 and stays behind
    assert len(twice.apply(moved)) == len(moved) + len(twice.carried)
