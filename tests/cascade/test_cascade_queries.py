"""Line of sight, subtrees, levels, ownership, alignment, coverage, summaries and overdue work."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from _cascade_example import FY, NODES, Q2, example, person, position, team
from hypothesis import given

from workplan_core.cascade import (
    Cascade,
    Contribution,
    Node,
    OwnerResolver,
    Status,
    StatusCounts,
    is_overdue,
    level_summaries,
    line_of_sight,
    nodes_at_level,
    nodes_owned_by,
    overdue_nodes,
    rollup,
    subtree,
    unaligned,
    uncovered_objectives,
)
from workplan_core.errors import NotFoundError, ValidationError
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    OwnerKind,
    OwnerRef,
    Person,
    Position,
    Team,
    TeamMembership,
)
from workplan_core.testing.strategies import cascade_nodes


def ids(nodes: tuple[Node, ...]) -> list[str]:
    return [n.id for n in nodes]


def test_line_of_sight_runs_to_the_strategic_objective() -> None:
    assert ids(line_of_sight(example(), "t4")) == ["t4", "g3", "d2", "s1", "o1"]
    assert ids(line_of_sight(example(), "o1")) == ["o1"]
    with pytest.raises(NotFoundError):
        line_of_sight(example(), "nope")


def test_subtree_follows_primary_parents_unless_asked() -> None:
    assert ids(subtree(example(), "d2")) == ["d2", "g3", "g4", "t3", "t4", "t5"]
    extra = Node("t6", "Help the portal", "task", person("fay"), Q2, parent="g1",
                 measure=NODES[9].measure, contributions=(Contribution("g3"),))  # fmt: skip
    cascade = Cascade([*NODES, extra])
    assert "t6" not in ids(subtree(cascade, "d2"))
    assert "t6" in ids(subtree(cascade, "d2", contributions=True))


def test_nodes_at_a_level() -> None:
    assert ids(nodes_at_level(example(), "departmental target")) == ["d1", "d2"]
    with pytest.raises(ValidationError):
        nodes_at_level(example(), "epic")


def test_unaligned_work_and_coverage() -> None:
    stray = Node("t6", "Side project", "task", person("fay"), Q2)
    adrift = Node("g9", "Orphan goal", "team goal", team("x"), Q2)
    below = Node("t7", "Under the orphan", "task", person("fay"), Q2, parent="g9")
    rescued = Node("t8", "Also helps", "task", person("fay"), Q2, parent="g9",
                   contributions=(Contribution("g3"),))  # fmt: skip
    lonely = Node("o2", "Enter Asia", "strategic objective", position("ceo"), FY)
    goal = Node("s9", "Asia office", "supporting goal", position("ceo"), FY, parent="o2")
    cascade = Cascade([*NODES, stray, adrift, below, rescued, lonely, goal])
    assert ids(unaligned(cascade)) == ["t6", "g9", "t7"]
    assert ids(uncovered_objectives(cascade)) == ["o2"]
    assert uncovered_objectives(example()) == ()


@given(cascade_nodes())
def test_unaligned_matches_its_definition(nodes: list[Node]) -> None:
    cascade = Cascade(nodes)
    by_id = {n.id: n for n in nodes}

    def aligned(node: Node) -> bool:
        if node.level == "strategic objective":
            return True
        return any(aligned(by_id[p]) for p in node.parents)

    assert set(ids(unaligned(cascade))) == {n.id for n in nodes if not aligned(n)}
    for node in nodes:
        path = line_of_sight(cascade, node.id)
        assert path[0] == node
        assert path[-1].parent is None
        for inner in subtree(cascade, node.id):
            assert node in line_of_sight(cascade, inner.id)


def test_level_summaries_and_overdue_nodes() -> None:
    cascade = example()
    result = rollup(cascade)
    summaries = level_summaries(cascade, result, dt.date(2027, 1, 15))
    assert [s.level for s in summaries] == [
        "strategic objective", "supporting goal", "departmental target", "team goal", "task",
    ]  # fmt: skip
    tasks = summaries[-1]
    assert tasks.nodes == 5
    assert tasks.counts == StatusCounts(on_track=2, at_risk=1, done=1, cancelled=1)
    assert tasks.mean_progress == pytest.approx((0.6 + 0.6 + 1.0 + 0.5) / 4)
    # Q2 ended on 2026-12-31: open team goals and tasks are overdue, done and cancelled are not
    assert tasks.overdue == 3
    assert summaries[3].overdue == 3  # g1, g2, g3 (g4 is done)
    assert summaries[0].overdue == 0
    assert ids(overdue_nodes(cascade, result, dt.date(2027, 1, 15))) == [
        "d1", "d2", "g1", "g2", "g3", "t1", "t2", "t4",
    ]  # fmt: skip


class FakeOrganisation:
    """Who holds what, without dates: enough to test resolution."""

    def __init__(self, holders: dict[OwnerRef, frozenset[str]]) -> None:
        self.holders = holders
        self.calls = 0

    def resolve_owner(self, ref: OwnerRef, as_of: dt.date) -> frozenset[str]:
        self.calls += 1
        if ref.kind is OwnerKind.PERSON:
            return frozenset({ref.id})
        return self.holders.get(ref, frozenset())


def test_nodes_owned_by_a_person_resolve_positions_and_teams() -> None:
    org = FakeOrganisation({
        position("cro"): frozenset({"ana"}),
        team("north"): frozenset({"ana", "ben"}),
        team("web"): frozenset({"cy", "dee"}),
    })  # fmt: skip
    assert isinstance(org, OwnerResolver)
    owned = nodes_owned_by(example(), org, "ana", dt.date(2026, 11, 1))
    assert ids(owned) == ["s1", "g1", "t1"]
    assert org.calls == len({n.owner for n in NODES})  # each owner resolved once


def acme() -> Organisation:
    start = dt.date(2020, 1, 1)
    return Organisation.build(
        people=[Person("ana", "Ana", start), Person("ben", "Ben", start)],
        job_titles=[JobTitle("exec", "Executive"), JobTitle("rep", "Sales rep")],
        departments=[Department("sales", "Sales")],
        teams=[Team("north", "North", "sales")],
        positions=[
            Position("ceo", "exec", "sales"),
            Position("coo", "exec", "sales", "ceo"),
            Position("cro", "exec", "sales", "ceo"),
            Position("rep-1", "rep", "sales", "cro"),
        ],
        assignments=[
            Assignment("ana", "cro", start),
            Assignment("ben", "rep-1", start, dt.date(2026, 8, 31)),
        ],
        team_memberships=[TeamMembership("ben", "north", start)],
    )


def test_nodes_owned_by_resolve_through_a_real_organisation() -> None:
    org = acme()
    cascade = Cascade([n for n in NODES if n.id in {"o1", "s1", "s2", "d1", "g1", "t1", "t2"}])
    # ben is in the sales department (through his position), on team north, and owns t2
    assert ids(nodes_owned_by(cascade, org, "ben", dt.date(2026, 8, 1))) == ["d1", "g1", "t2"]
    # after his position ended he is no longer in the department, but still on the team
    assert ids(nodes_owned_by(cascade, org, "ben", dt.date(2026, 9, 1))) == ["g1", "t2"]
    assert ids(nodes_owned_by(cascade, org, "ana", dt.date(2026, 9, 1))) == ["s1", "d1", "t1"]


def test_owner_counts_stay_linear() -> None:
    org = FakeOrganisation({})
    nodes = [*NODES, *(attrs.evolve(NODES[9], id=f"x{i}") for i in range(50))]
    nodes_owned_by(Cascade(nodes), org, "ana", dt.date(2026, 11, 1))
    assert org.calls == len({n.owner for n in nodes})


def test_statuses_in_summaries_follow_the_rollup() -> None:
    cascade = example()
    result = rollup(cascade)
    top = level_summaries(cascade, result, dt.date(2026, 7, 1))[0]
    assert top.counts == StatusCounts(at_risk=1)
    assert result.status("o1") is Status.AT_RISK


@given(cascade_nodes())
def test_summaries_and_overdue_agree_with_the_results(nodes: list[Node]) -> None:
    cascade = Cascade(nodes)
    result = rollup(cascade)
    as_of = dt.date(2026, 10, 15)  # the generated nodes run in FY2027-Q1, which has ended
    late = [n for n in nodes if is_overdue(n.period, result[n.id].status, as_of)]
    assert overdue_nodes(cascade, result, as_of) == tuple(late)
    summaries = level_summaries(cascade, result, as_of)
    assert sum(s.nodes for s in summaries) == len(nodes)
    assert sum(s.overdue for s in summaries) == len(late)
    for summary in summaries:
        assert summary.counts.total == summary.nodes
        assert 0.0 <= summary.mean_progress <= 1.0
