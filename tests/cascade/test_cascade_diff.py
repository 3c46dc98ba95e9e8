"""Diffs show every change of every node, field by field, and ignore mere reordering."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest
from _cascade_example import FY, H1, NODES, deals, example, person, team
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade import (
    BinaryMeasure,
    Cascade,
    CascadeDiff,
    Changed,
    Contribution,
    FieldChange,
    Milestone,
    MilestoneMeasure,
    Node,
    Realigned,
    Reparented,
    Retargeted,
    Reweighted,
    RollupMethod,
    RollupRule,
    Status,
    diff_cascades,
)
from workplan_core.cascade.diff import target_of
from workplan_core.testing.strategies.cascade import cascade_nodes, nodes

FIELDS = tuple(field.name for field in attrs.fields(Node) if field.name != "id")
BY_ID = {node.id: node for node in NODES}


def _one_change(node_id: str, **fields: object) -> tuple[Node, list[Node]]:
    """The new version of `node_id` with `fields` changed, and the node list holding it."""
    changed = attrs.evolve(BY_ID[node_id], **fields)
    return changed, [changed if node.id == node_id else node for node in NODES]


# Each field a node has besides its id, with a new value (not every one valid in a cascade:
# the diff compares node lists, not only cascades).
NEW_VALUES: list[tuple[str, object]] = [
    ("title", "Build the partner portal"),
    ("level", "team goal"),
    ("owner", person("cy")),
    ("period", H1),
    ("description", "The portal partners sign up on"),
    ("tags", frozenset({"portal"})),
    ("origin", "t4@2026-10-01"),
    ("status", Status.DONE),
    ("rule", RollupRule(RollupMethod.MINIMUM)),
    ("measure", BinaryMeasure()),  # another kind of measure is a new target
    ("parent", "g4"),
    ("weight", 2.5),
    ("contributions", (Contribution("g4", 0.5),)),
]


def test_every_field_is_covered() -> None:
    assert sorted(name for name, _ in NEW_VALUES) == sorted(FIELDS)


@pytest.mark.parametrize(("name", "value"), NEW_VALUES, ids=[name for name, _ in NEW_VALUES])
def test_a_change_of_any_field_shows(name: str, value: object) -> None:
    new_t4, later = _one_change("t4", **{name: value})
    diff = diff_cascades(NODES, later)
    old = getattr(BY_ID["t4"], name)
    assert diff.changed == (Changed("t4", (FieldChange(name, old, value),)),)
    assert diff.changed[0].names == (name,)
    assert not diff.empty
    assert diff.reparented == ((Reparented("t4", "g3", "g4"),) if name == "parent" else ())
    assert diff.reweighted == ((Reweighted("t4", 1.0, 2.5),) if name == "weight" else ())
    realigned = (Realigned("t4", (), new_t4.contributions),)
    assert diff.realigned == (realigned if name == "contributions" else ())
    retargeted = (Retargeted("t4", BY_ID["t4"].measure, new_t4.measure),)
    assert diff.retargeted == (retargeted if name == "measure" else ())


def test_a_new_reading_shows_as_a_change_but_not_a_retarget() -> None:
    _, later = _one_change("t1", measure=deals(10, 8))
    milestones = MilestoneMeasure(
        [Milestone(m.name, True, m.due) for m in BY_ID["t4"].measure.milestones]  # type: ignore[union-attr]
    )
    later = [attrs.evolve(n, measure=milestones) if n.id == "t4" else n for n in later]
    diff = diff_cascades(NODES, later)
    assert diff.retargeted == ()
    assert [(c.node_id, c.names) for c in diff.changed] == [
        ("t1", ("measure",)),
        ("t4", ("measure",)),
    ]
    assert diff.changed[0].fields[0] == FieldChange("measure", deals(10, 6), deals(10, 8))


def test_several_fields_of_a_node_show_together_in_field_order() -> None:
    new_t2, later = _one_change(
        "t2", status=Status.AT_RISK, owner=person("ana"), parent="g2", measure=deals(20, 9)
    )
    diff = diff_cascades(NODES, later)
    old = BY_ID["t2"]
    assert diff.changed == (
        Changed(
            "t2",
            (
                FieldChange("owner", old.owner, new_t2.owner),
                FieldChange("parent", "g1", "g2"),
                FieldChange("measure", old.measure, new_t2.measure),
                FieldChange("status", Status.ON_TRACK, Status.AT_RISK),
            ),
        ),
    )
    assert diff.reparented == (Reparented("t2", "g1", "g2"),)
    assert diff.retargeted == (Retargeted("t2", old.measure, new_t2.measure),)


def test_the_docs_blind_spots_now_show() -> None:
    """Period, level, owner, rule, status, title, description, tags and the measure kind."""
    changes = {
        "o1": {"title": "Grow revenue", "description": "ARR", "tags": frozenset({"okr"})},
        "d1": {"period": FY, "rule": RollupRule()},
        "g3": {"owner": team("platform"), "status": Status.AT_RISK},
        "t3": {"level": "team goal", "measure": MilestoneMeasure([Milestone("design")])},
    }
    later = [attrs.evolve(n, **changes.get(n.id, {})) for n in NODES]  # type: ignore[arg-type]
    diff = diff_cascades(NODES, later)
    assert {c.node_id: set(c.names) for c in diff.changed} == {
        node_id: set(fields) for node_id, fields in changes.items()
    }
    assert [r.node_id for r in diff.retargeted] == ["t3"]


def test_reordered_contributions_are_no_change() -> None:
    both = (Contribution("g4", 0.5), Contribution("g2", 2))
    _, old = _one_change("t4", contributions=both)
    _, reordered = _one_change("t4", contributions=both[::-1])
    assert diff_cascades(old, reordered).empty
    assert diff_cascades(Cascade(old), Cascade(reordered)) == CascadeDiff()
    _, reweighted = _one_change("t4", contributions=(both[1], Contribution("g4", 0.25)))
    diff = diff_cascades(old, reweighted)
    assert diff.realigned == (Realigned("t4", both, reweighted[12].contributions),)
    assert diff.changed[0].names == ("contributions",)


def test_contributions_count_as_a_multiset() -> None:
    one = Contribution("g4")
    _, once = _one_change("t4", contributions=(one, Contribution("g2")))
    _, twice = _one_change("t4", contributions=(one, one))  # not a valid cascade, still diffed
    assert [r.node_id for r in diff_cascades(once, twice).realigned] == ["t4"]


def test_lists_follow_the_new_order_and_removed_the_old() -> None:
    later = [attrs.evolve(n, status=Status.BLOCKED) for n in reversed(NODES[2:])]
    diff = diff_cascades(NODES, later)
    assert diff.removed == ("o1", "s1")
    changed = [c.node_id for c in diff.changed]
    assert changed == [n.id for n in reversed(NODES[2:]) if n.status is not Status.BLOCKED]
    assert diff == diff_cascades(NODES, later)


def test_diff_names_every_kind_of_change_in_one_diff() -> None:
    old = example()
    later = old.replace(
        attrs.evolve(old.node("s1"), weight=3),
        attrs.evolve(old.node("d1"), measure=deals(50)),
        attrs.evolve(old.node("t2"), parent="g2"),
        attrs.evolve(old.node("t4"), title="Build and launch the portal", owner=person("cy")),
    ).without("t5")
    diff = diff_cascades(old, later)
    assert [(c.node_id, c.names) for c in diff.changed] == [
        ("s1", ("weight",)),
        ("d1", ("measure",)),
        ("t2", ("parent",)),
        ("t4", ("title", "owner")),
    ]
    assert diff.removed == ("t5",)
    assert diff.changed[3].fields[1] == FieldChange("owner", person("dee"), person("cy"))


# ------------------------------------------------------------------ properties


def _same(old: Node, new: Node) -> bool:
    """Equal nodes, up to the order of their extra contributions."""
    return attrs.evolve(old, contributions=()) == attrs.evolve(new, contributions=()) and Counter(
        old.contributions
    ) == Counter(new.contributions)


@st.composite
def versions(draw: st.DrawFn) -> tuple[list[Node], list[Node]]:
    """Two versions of a node list: nodes kept, dropped, changed, reordered and added."""
    old = draw(st.lists(nodes(), max_size=12, unique_by=lambda n: n.id))
    new = []
    for node in old:
        action = draw(st.sampled_from(["keep", "drop", "change", "reorder", "same value"]))
        if action == "drop":
            continue
        later = node
        if action == "change":
            other = draw(nodes())
            names = draw(st.sets(st.sampled_from(FIELDS), min_size=1))
            later = attrs.evolve(node, **{name: getattr(other, name) for name in names})
        elif action == "reorder":
            order = tuple(draw(st.permutations(node.contributions)))
            later = attrs.evolve(node, contributions=order)
        elif action == "same value":  # an equal node that is another object
            later = attrs.evolve(node, weight=float(node.weight))
        new.append(later)
    taken = {node.id for node in old}
    added = draw(st.lists(nodes().filter(lambda n: n.id not in taken), max_size=3))
    added = list({node.id: node for node in added}.values())
    return old, draw(st.permutations(new + added))


@given(versions())
def test_applying_the_reported_changes_gives_every_new_node(
    pair: tuple[list[Node], list[Node]],
) -> None:
    old, new = pair
    diff = diff_cascades(old, new)
    before, after = {n.id: n for n in old}, {n.id: n for n in new}
    common = [node_id for node_id in after if node_id in before]
    differing = [i for i in common if not _same(before[i], after[i])]
    assert [c.node_id for c in diff.changed] == differing  # in the new order, each once
    for changed in diff.changed:
        previous, node = before[changed.node_id], after[changed.node_id]
        assert changed.fields, "a node without a changed field is not listed"
        assert list(changed.names) == [name for name in FIELDS if name in changed.names]
        for field in changed.fields:
            assert field.old == getattr(previous, field.name)
            assert field.new == getattr(node, field.name)
        applied = attrs.evolve(previous, **{f.name: f.new for f in changed.fields})
        assert _same(applied, node)
    assert diff.added == tuple(i for i in after if i not in before)
    assert diff.removed == tuple(i for i in before if i not in after)
    assert diff.empty == (not diff.added and not diff.removed and not differing)


@given(versions())
def test_the_special_lists_agree_with_changed(pair: tuple[list[Node], list[Node]]) -> None:
    old, new = pair
    diff = diff_cascades(old, new)
    before, after = {n.id: n for n in old}, {n.id: n for n in new}
    having = {name: [c.node_id for c in diff.changed if name in c.names] for name in FIELDS}
    assert diff.reparented == tuple(
        Reparented(i, before[i].parent, after[i].parent) for i in having["parent"]
    )
    assert diff.reweighted == tuple(
        Reweighted(i, before[i].weight, after[i].weight) for i in having["weight"]
    )
    assert diff.realigned == tuple(
        Realigned(i, before[i].contributions, after[i].contributions)
        for i in having["contributions"]
    )
    assert diff.retargeted == tuple(
        Retargeted(i, before[i].measure, after[i].measure)
        for i in having["measure"]
        if target_of(before[i].measure) != target_of(after[i].measure)
    )


@given(versions())
def test_the_diff_backwards_swaps_old_and_new(pair: tuple[list[Node], list[Node]]) -> None:
    old, new = pair
    forth, back = diff_cascades(old, new), diff_cascades(new, old)
    assert set(back.added) == set(forth.removed)
    assert set(back.removed) == set(forth.added)
    swapped = {
        c.node_id: tuple(FieldChange(f.name, f.new, f.old) for f in c.fields) for c in back.changed
    }
    assert swapped == {c.node_id: c.fields for c in forth.changed}


@given(cascade_nodes(), st.data())
def test_a_cascade_differs_from_itself_in_nothing(nodes: list[Node], data: st.DataObject) -> None:
    cascade = Cascade(nodes)
    assert diff_cascades(cascade, cascade).empty
    assert diff_cascades(cascade, Cascade(list(nodes))) == CascadeDiff()
    shuffled = [
        attrs.evolve(node, contributions=tuple(data.draw(st.permutations(node.contributions))))
        for node in data.draw(st.permutations(nodes))
    ]
    assert diff_cascades(cascade, Cascade(shuffled)).empty


@given(cascade_nodes(), st.data())
def test_a_changed_status_anywhere_shows(nodes: list[Node], data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(nodes) - 1))
    status = data.draw(st.sampled_from(Status).filter(lambda s: s is not nodes[position].status))
    later = list(nodes)
    later[position] = attrs.evolve(nodes[position], status=status)
    diff = diff_cascades(Cascade(nodes), Cascade(later))
    assert diff.changed == (
        Changed(nodes[position].id, (FieldChange("status", nodes[position].status, status),)),
    )
