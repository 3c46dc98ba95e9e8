"""Order merges after another writer's deletes, and the merged-rules check with rules broken
already: each docstring tells how an earlier version went wrong."""

from __future__ import annotations

import datetime as dt

import attrs

from workplan_core.org import Department, Organisation, Person, Team, TeamMembership
from workplan_core.workspace import Workspace

START = dt.date(2026, 1, 5)


def _people(*ids: str, renamed: str | None = None) -> Organisation:
    return Organisation(
        people=tuple(Person(i, "Renamed" if i == renamed else i.upper(), START) for i in ids)
    )


def _ids(org: Organisation) -> list[str]:
    return [p.id for p in org.people]


def test_a_move_after_another_writer_deleted_a_record_merged_in_earlier_is_kept(url: str) -> None:
    """B adds `a` (A's save merges it into the order), then deletes it; A moves `c` before
    `b`: the store keeps A's move. (A's next save used to merge with the order as it was
    after the first merge, still holding `a`, and its order record, without `a`, loaded as
    [b, c]: the move was silently lost.)"""
    with Workspace.open(url) as a:
        a.save_organisation(_people("b", "c"))
        b = Workspace(a.store)
        theirs = b.load_organisation()
        b.save_organisation(attrs.evolve(theirs, people=(Person("a", "A", START), *theirs.people)))
        a.save_organisation(_people("b", "c", renamed="b"))  # merged with B's `a`
        theirs = b.load_organisation()
        b.save_organisation(attrs.evolve(theirs, people=theirs.people[1:]))  # B drops `a`
        a.save_organisation(_people("c", "b", renamed="b"))  # A moves `c` first
        assert _ids(Workspace(a.store).load_organisation()) == ["c", "b"]


def test_a_record_added_again_keeps_the_callers_place_after_an_order_merge(url: str) -> None:
    """A's save merges B's `b` after A's `a`; B deletes `b`; A adds `b` again, before `a`:
    the store keeps A's [b, a]. (The merge used to take A's addition as already placed, from
    the order after the first merge, and the store loaded [a, b].)"""
    with Workspace.open(url) as a:
        a.save_organisation(_people())
        b = Workspace(a.store)
        b.load_organisation()
        b.save_organisation(_people("b"))
        a.save_organisation(_people("a"))  # merged: [a, b]
        theirs = b.load_organisation()
        b.save_organisation(attrs.evolve(theirs, people=(theirs.people[0],)))  # B drops `b`
        a.save_organisation(_people("b", "a"))
        assert _ids(Workspace(a.store).load_organisation()) == ["b", "a"]


def test_a_rule_already_broken_does_not_block_a_merge_when_other_records_move(url: str) -> None:
    """The stored organisation already breaks a rule (two overlapping memberships; saves are
    unchecked); another writer deletes a membership listed before them; a rename merges. (An
    overlap's message names the other record's place, `overlaps $.team_memberships[N]`, which
    differs between the wholes the check compares: the old overlap read as new, and the
    rename was refused.)"""
    org = Organisation(
        people=(
            Person("p-1", "One", dt.date(2020, 1, 1)),
            Person("p-2", "Two", dt.date(2020, 1, 1)),
        ),
        departments=(Department("d-1", "Dept"),),
        teams=(Team("t-1", "Team", "d-1"),),
        team_memberships=(
            TeamMembership("p-2", "t-1", dt.date(2020, 1, 1)),
            TeamMembership("p-1", "t-1", dt.date(2021, 1, 1)),
            TeamMembership("p-1", "t-1", dt.date(2020, 1, 1)),  # overlaps the one before
        ),
    )
    assert len(org.problems()) == 1
    with Workspace.open(url) as setup:
        setup.save_organisation(org)
        mine, other = Workspace(setup.store), Workspace(setup.store)
        loaded, theirs = mine.load_organisation(), other.load_organisation()
        other.save_organisation(attrs.evolve(theirs, team_memberships=theirs.team_memberships[1:]))
        people = (attrs.evolve(loaded.people[0], name="Renamed"), *loaded.people[1:])
        mine.save_organisation(attrs.evolve(loaded, people=people))
        assert Workspace(setup.store).load_organisation().people[0].name == "Renamed"
