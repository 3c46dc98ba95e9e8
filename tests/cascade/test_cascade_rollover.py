"""Rollover over successive periods: nothing is carried twice, every result applies."""

from __future__ import annotations

import collections
import random

import attrs
import pytest
from _cascade_example import CALENDAR, FY, H1, NODES, Q2, example, person
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    Cascade,
    Contribution,
    Node,
    Reading,
    RolloverResult,
    Status,
    rollover,
    rollup,
)
from workplan_core.errors import ValidationError
from workplan_core.periods import Granularity
from workplan_core.synthetic.cascade import generate_cascade

QUARTERS = [
    part.period for year in (2027, 2028) for part in CALENDAR.parts(year, Granularity.QUARTER)
]
Q1, Q3, Q4 = QUARTERS[0], QUARTERS[2], QUARTERS[3]


def _chain() -> Cascade:
    me = person("p")
    return Cascade(
        [
            Node("o", "O", "strategic objective", me, FY),
            Node("d", "D", "departmental target", me, H1, parent="o"),
            Node("t", "T", "task", me, Q1, parent="d"),
        ]
    )


def test_a_carried_node_is_not_carried_again() -> None:
    cascade = _chain()
    once = rollover(cascade, ending=Q1, into=Q2).apply(cascade)
    twice = rollover(once, ending=Q2, into=Q3)
    # d ends with Q2 and takes its open subtree, but t already carries on as its copy
    assert twice.links == (("d", "d@2027-01-01"), ("t@2026-10-01", "t@2027-01-01"))
    moved = twice.apply(once)
    assert moved.node("t@2027-01-01").parent == "d@2027-01-01"
    assert moved.node("t@2027-01-01").origin == "t@2026-10-01"


def test_rolling_the_same_period_over_again_carries_nothing_new() -> None:
    cascade = example()
    moved = rollover(cascade, ending=Q2, into=Q3).apply(cascade)
    again = rollover(moved, ending=Q2, into=Q3)
    assert again == RolloverResult((), ())


def test_work_under_a_closed_parent_that_has_ended_is_left_behind() -> None:
    nodes = {n.id: n for n in NODES}
    nodes["g3"] = attrs.evolve(nodes["g3"], status=Status.CANCELLED)
    nodes["t5"] = attrs.evolve(nodes["t5"], status=Status.ON_TRACK)
    cascade = Cascade(nodes.values())
    rolled = rollup(cascade, {"g3": Reading(None, Status.CANCELLED)})
    result = rollover(cascade, ending=Q2, into=Q3, rolled=rolled)
    carried = dict(result.links)
    # g3 stays (cancelled); its open tasks would hang under a goal that ended with Q2
    assert "g3" not in carried
    assert result.left_behind == ("t4", "t5")
    assert "t4" not in carried
    assert "t5" not in carried
    result.apply(cascade)


def test_work_under_a_closed_parent_that_runs_on_is_kept_under_it() -> None:
    nodes = {n.id: n for n in NODES}
    nodes["s2"] = attrs.evolve(nodes["s2"], status=Status.DONE, measure=NODES[2].measure)
    nodes["x"] = Node("x", "Exit interviews", "departmental target", nodes["s2"].owner, H1,
                      parent="s2")  # fmt: skip
    cascade = Cascade(nodes.values())
    result = rollover(cascade, ending=Q2, into=Q3, rolled=rollup(cascade))
    copies = {n.origin: n for n in result.carried}
    assert copies["x"].parent == "s2"  # s2 runs all year, through Q3
    assert result.left_behind == ()
    result.apply(cascade)


def test_extra_contributions_to_parents_that_ended_are_dropped() -> None:
    nodes = {n.id: n for n in NODES}
    # t1 also counts towards g4, which is cancelled and ends with Q2: g4 is not carried
    nodes["g4"] = attrs.evolve(nodes["g4"], status=Status.CANCELLED)
    nodes["t1"] = attrs.evolve(nodes["t1"], contributions=(Contribution("g4", 0.5),
                                                           Contribution("d2", 2)))  # fmt: skip
    cascade = Cascade(nodes.values())
    result = rollover(cascade, ending=Q2, into=Q3)
    copies = {n.origin: n for n in result.carried}
    assert result.dropped == (("t1@2027-01-01", "g4"),)
    assert copies["t1"].contributions == (Contribution("d2@2027-01-01", 2),)
    result.apply(cascade)


def test_a_parent_carried_before_is_followed_to_its_copy() -> None:
    me = person("p")
    cascade = Cascade(
        [
            Node("d", "D", "departmental target", me, H1),
            Node("g", "G", "team goal", me, Q1, parent="d"),
        ]
    )
    once = rollover(cascade, ending=Q1, into=Q2).apply(cascade)
    # a task added under the original g after g was carried goes under g's copy
    late = Cascade([*once.nodes, Node("late", "L", "task", me, Q1, parent="g")], once.config)
    result = rollover(late, ending=Q1, into=Q2)
    assert result.links == (("late", "late@2026-10-01"),)
    assert result.carried[0].parent == "g@2026-10-01"
    result.apply(late)


@st.composite
def _plans(draw: st.DrawFn) -> tuple[Cascade, int]:
    size = draw(st.integers(1, 60))
    seed = draw(st.integers(0, 10_000))
    return Cascade(generate_cascade(size, seed)), draw(st.integers(0, 2**32))


@given(_plans(), st.integers(0, 3), st.integers(1, 4))
def test_any_sequence_of_rollovers_applies_and_never_carries_twice(
    plan: tuple[Cascade, int], first: int, steps: int
) -> None:
    cascade, seed = plan
    rnd = random.Random(seed)
    statuses = list(Status)
    for step in range(first, min(first + steps, len(QUARTERS) - 1)):
        ending, into = QUARTERS[step], QUARTERS[step + 1]
        picked = rnd.sample(cascade.nodes, rnd.randint(0, len(cascade)))
        readings = {n.id: Reading(None, rnd.choice(statuses)) for n in picked}
        rolled = rollup(cascade, readings)
        result = rollover(cascade, ending=ending, into=into, rolled=rolled)
        already = {n.origin for n in cascade if n.origin is not None}
        origins = [origin for origin, _ in result.links]
        assert not already & set(origins)
        assert set(result.left_behind).isdisjoint(origins)
        for copy in result.carried:
            assert copy.period == into
        cascade = result.apply(cascade)  # never a duplicate id or a broken period rule
        counts = collections.Counter(n.origin for n in cascade if n.origin is not None)
        assert all(count == 1 for count in counts.values())


def test_rollover_checks_its_arguments() -> None:
    cascade = example()
    with pytest.raises(ValidationError) as caught:
        rollover(cascade, ending="Q1", into=Q2)  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == ["$.ending"]
    with pytest.raises(ValidationError) as caught:
        rollover("c", ending=Q2, into=None, rolled=3, new_id="x")  # type: ignore[arg-type]
    paths = [p.path for p in caught.value.problems]
    assert paths == ["$.cascade", "$.into", "$.rolled", "$.new_id"]
    with pytest.raises(ValidationError, match="rollup of this cascade"):
        rollover(cascade, ending=Q2, into=Q3, rolled=rollup(_chain()))
    with pytest.raises(ValidationError) as caught:
        rollover(cascade, ending=Q2, into=Q3, new_id=lambda n: "same")
    assert {p.path for p in caught.value.problems} == {"$.new_id"}
    with pytest.raises(ValidationError, match="already used"):
        rollover(cascade, ending=Q2, into=Q3, new_id=lambda n: "o1" if n.id == "d1" else n.id + "+")
    with pytest.raises(ValidationError, match="not an id"):
        rollover(cascade, ending=Q2, into=Q3, new_id=lambda n: 3)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValidationError) as caught:
        rollover(cascade, ending=Q2, into=Q3).apply("c")  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == ["$.cascade"]


def test_the_next_period_must_begin_after_the_ending_one() -> None:
    cascade = Cascade(NODES)
    with pytest.raises(ValidationError) as caught:
        rollover(cascade, ending=Q3, into=Q2)
    assert [p.path for p in caught.value.problems] == ["$.into"]
    assert "must begin after the ending period" in caught.value.problems[0].message
