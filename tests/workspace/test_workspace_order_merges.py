"""Concurrent saves merge a section's order: additions by two writers both keep their places.

The order of a section is one record; two writers that each add records out of key order used
to conflict on it. A save now merges it: the store's order with this writer's additions (each
right after the key before it in the caller's order), drops and moves — and only two writers
that both moved records conflict.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import BinaryMeasure, Cascade, Node
from workplan_core.org import Organisation, Person
from workplan_core.synthetic import generate_cascade, generate_organisation
from workplan_core.workspace import Workspace
from workplan_core.workspace._order import merged_order

ORG = generate_organisation(20, seed=8)
START = dt.date(2026, 4, 6)


# ---------------------------------------------------------------- merged_order, worked


def test_additions_of_both_sides_follow_the_key_before_them() -> None:
    base = ["d", "b", "c"]
    mine = ["d", "b", "x", "c"]  # I add x after b
    theirs = ["a", "d", "b", "c", "y"]  # they add a first and y last
    assert merged_order(base, mine, theirs) == ["a", "d", "b", "x", "c", "y"]


def test_drops_of_both_sides_go() -> None:
    assert merged_order(["a", "b", "c", "d"], ["a", "c", "d"], ["a", "b", "c"]) == ["a", "c"]


def test_one_sides_move_is_kept_with_the_others_additions() -> None:
    base = ["a", "b", "c"]
    assert merged_order(base, ["c", "b", "a"], ["a", "b", "y", "c"]) == ["c", "b", "y", "a"]
    assert merged_order(base, ["a", "x", "b", "c"], ["c", "a", "b"]) == ["c", "a", "x", "b"]


def test_moves_on_both_sides_have_no_one_answer() -> None:
    assert merged_order(["a", "b", "c"], ["c", "a", "b"], ["b", "a", "c"]) is None


# ---------------------------------------------------------------- merged_order, properties

KEYS = st.lists(st.sampled_from("abcdefghijkl"), unique=True, max_size=10)


@st.composite
def edited(draw: st.DrawFn, base: list[str], new: str) -> list[str]:
    """`base` with some keys dropped, maybe reordered, and keys of `new` inserted."""
    kept = [key for key in base if draw(st.booleans()) or key in "ab"]
    if draw(st.booleans()):
        kept = draw(st.permutations(kept))
    for key in draw(st.lists(st.sampled_from(new), unique=True, max_size=3)):
        kept.insert(draw(st.integers(0, len(kept))), key)
    return list(kept)


@st.composite
def three_orders(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    base = draw(KEYS)
    return base, draw(edited(base, "MNOP")), draw(edited(base, "TUVW"))


@given(three_orders())
def test_a_merge_holds_every_key_kept_or_added_once(
    orders: tuple[list[str], list[str], list[str]],
) -> None:
    base, mine, theirs = orders
    merged = merged_order(base, mine, theirs)
    if merged is None:
        return
    assert len(merged) == len(set(merged))
    dropped = set(base) - set(mine)
    assert set(merged) == (set(theirs) - dropped) | (set(mine) - set(base))


@given(three_orders())
def test_a_side_that_changed_nothing_takes_the_others_order(
    orders: tuple[list[str], list[str], list[str]],
) -> None:
    base, mine, theirs = orders
    assert merged_order(base, mine, base) == mine
    assert merged_order(base, base, theirs) == theirs


@given(three_orders())
def test_the_mover_keeps_the_order_of_its_keys(
    orders: tuple[list[str], list[str], list[str]],
) -> None:
    base, mine, theirs = orders
    merged = merged_order(base, mine, theirs)
    if merged is None:
        return
    placed = set(merged)
    for side in (mine, theirs):
        other = theirs if side is mine else mine
        if [k for k in other if k in base] == [k for k in base if k in set(other)]:
            assert [k for k in merged if k in side] == [k for k in side if k in placed]


# ---------------------------------------------------------------- through the workspace


def _hired(org: Organisation, tag: str) -> Organisation:
    """`org` with a person whose id sorts first appended last (out of key order)."""
    return attrs.evolve(org, people=(*org.people, Person(f"a-{tag}", tag, START)))


def test_two_writers_adding_people_out_of_order_both_save(url: str) -> None:
    with Workspace.open(url) as first:
        first.save_organisation(ORG)
        second = Workspace(first.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(_hired(mine, "first"))
        second.save_organisation(_hired(theirs, "second"))  # conflicted on the order before
        people = [p.id for p in Workspace(first.store).load_organisation().people]
        assert people == [*(p.id for p in ORG.people), "a-second", "a-first"]


def test_an_addition_merges_into_another_writers_new_order(url: str) -> None:
    with Workspace.open(url) as first:
        first.save_organisation(ORG)
        second = Workspace(first.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(attrs.evolve(mine, people=mine.people[::-1]))
        second.save_organisation(_hired(theirs, "second"))
        people = [p.id for p in Workspace(first.store).load_organisation().people]
        # their order, with the addition after the key before it in mine (the last person)
        last, *rest = [p.id for p in ORG.people[::-1]]
        assert people == [last, "a-second", *rest]


def test_a_writer_keeps_its_order_on_later_saves_after_a_merge(url: str) -> None:
    """The other writer's addition keeps its place when this writer saves again unreloaded."""
    with Workspace.open(url) as first:
        first.save_organisation(ORG)
        second = Workspace(first.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(_hired(mine, "first"))
        hired = _hired(theirs, "second")
        second.save_organisation(hired)
        renamed = attrs.evolve(hired.people[0], name="Renamed")
        second.save_organisation(attrs.evolve(hired, people=(renamed, *hired.people[1:])))
        people = [p.id for p in Workspace(first.store).load_organisation().people]
        assert people == [*(p.id for p in ORG.people), "a-second", "a-first"]


def test_two_team_leads_adding_tasks_at_once_both_save(url: str) -> None:
    cascade = Cascade(generate_cascade(150, 6))
    goals = [n for n in cascade.nodes if n.level == cascade.config.levels[3].name][:2]
    tasks = [
        Node(
            f"0-new-task-{i}",
            f"New task {i}",
            cascade.config.levels[4].name,
            parent=goal.id,
            owner=goal.owner,
            period=goal.period,
            measure=BinaryMeasure(),
        )
        for i, goal in enumerate(goals)
    ]
    with Workspace.open(url) as lead_a:
        lead_a.save_cascade(cascade)
        lead_b = Workspace(lead_a.store)
        a_view, b_view = lead_a.load_cascade(), lead_b.load_cascade()
        lead_a.save_cascade(a_view.replace(tasks[0]))
        lead_b.save_cascade(b_view.replace(tasks[1]))
        loaded = Workspace(lead_a.store).load_cascade()
        assert [n.id for n in loaded.nodes[-2:]] == ["0-new-task-1", "0-new-task-0"]
        assert loaded == Cascade([*cascade.nodes, tasks[1], tasks[0]], cascade.config)
