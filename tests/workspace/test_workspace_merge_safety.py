"""A failed load keeps the base, a conflict says how to recover, overwrite always replaces,
and a save never takes away an index another program declared."""

from __future__ import annotations

import attrs
import pytest

from workplan_core.cascade import Cascade, CascadeConfig, Level
from workplan_core.errors import ConflictError, ValidationError
from workplan_core.org import Organisation, TeamMembership
from workplan_core.serialization import dump_record
from workplan_core.storage import Put, Store
from workplan_core.synthetic import generate_cascade, generate_organisation
from workplan_core.workspace import CASCADE_SECTION, Workspace
from workspace._edits import renamed, without_person

ORG = generate_organisation(30, seed=5)
CASCADE = Cascade(generate_cascade(200, 3))


def _retitled(cascade: Cascade, position: int, title: str) -> Cascade:
    return cascade.replace(attrs.evolve(cascade.nodes[position], title=title))


def test_a_load_that_fails_keeps_the_base_so_a_later_save_still_conflicts(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_cascade(CASCADE)
        mine_ws, other = Workspace(setup.store), Workspace(setup.store)
        mine = mine_ws.load_cascade()
        other.save_cascade(_retitled(other.load_cascade(), 5, "The other writer's title"))
        narrow = CascadeConfig(tuple(Level(level.name) for level in CASCADE.config.levels[:2]))
        with pytest.raises(ValidationError):
            mine_ws.load_cascade(config=narrow)  # reads the other writer's change, then fails
        # the base is still the first load: my change to node 5 conflicts with theirs, and
        # my old copy of it, unchanged by me, is not taken for a change of mine
        with pytest.raises(ConflictError):
            mine_ws.save_cascade(_retitled(mine, 5, "Mine"))
        assert setup.load_cascade().nodes[5].title == "The other writer's title"
        mine_ws.save_cascade(_retitled(mine, 7, "Mine"))  # a node only I changed
        loaded = setup.load_cascade()
        assert (loaded.nodes[5].title, loaded.nodes[7].title) == (
            "The other writer's title",
            "Mine",
        )


def test_a_conflict_says_to_apply_the_changes_to_a_fresh_load(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(renamed(mine, 2, "First"))
        with pytest.raises(ConflictError) as caught:
            second.save_organisation(renamed(theirs, 2, "Second"))
        message = str(caught.value)
        assert "apply your changes to what the load returns" in message
        assert caught.value.conflicts == (("org.people", ORG.people[2].id),)


def test_overwrite_replaces_what_is_stored_also_with_a_base(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(renamed(mine, 2, "First"))
        wanted = renamed(theirs, 2, "Second")
        with pytest.raises(ConflictError):
            second.save_organisation(wanted)
        second.save_organisation(wanted, overwrite=True)  # was ignored with a base
        assert setup.load_organisation() == wanted


def test_a_save_keeps_the_indexes_others_declared(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.save_cascade(CASCADE)
        collection = CASCADE_SECTION.collection
        needed = set(workspace.store.indexed_fields(collection))
        workspace.store.declare(collection, indexed=sorted(needed | {"status"}))
        workspace.save_cascade(_retitled(workspace.load_cascade(), 3, "Again"))
        assert set(workspace.store.indexed_fields(collection)) == needed | {"status"}
        found = list(workspace.store.scan(collection, where={"status": "done"}))
        assert found  # the service's own query still works


def test_a_save_that_would_orphan_another_writers_new_node_is_refused(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_cascade(CASCADE)
        dropper, adder = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = dropper.load_cascade(), adder.load_cascade()
        targets = {c.parent for n in CASCADE.nodes for c in n.contributions}
        goal = next(n for n in CASCADE.nodes if n.level == "team goal" and n.id not in targets)
        task = next(n for n in CASCADE.nodes if n.parent == goal.id)
        adder.save_cascade(theirs.replace(attrs.evolve(task, id="zz-new-task")))
        under = {n.id for n in CASCADE.nodes if n.parent == goal.id}
        last = list(setup.store.changes())[-1].seq
        with pytest.raises(ConflictError) as caught:
            dropper.save_cascade(mine.without(goal.id, *under))
        assert "unknown parent" in str(caught.value)
        assert (CASCADE_SECTION.collection, "zz-new-task") in caught.value.conflicts
        assert list(setup.store.changes(since=last)) == []  # nothing written
        assert "zz-new-task" in setup.load_cascade()  # the store still loads


def test_changes_that_merge_into_a_sound_cascade_still_merge(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_cascade(CASCADE)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_cascade(), second.load_cascade()
        first.save_cascade(_retitled(mine, 4, "First"))
        second.save_cascade(_retitled(theirs, 6, "Second"))  # checked, and sound
        loaded = setup.load_cascade()
        assert (loaded.nodes[4].title, loaded.nodes[6].title) == ("First", "Second")


def _orphaning(store: Store) -> tuple[Workspace, Organisation, str]:
    """A workspace, its organisation without a person and the person's id, while another
    writer has just given that person a team membership: saving would orphan it.

    Both workspaces load; the other adds the membership and saves; the returned organisation
    drops the person with every membership the first workspace knows of.
    """
    dropper, adder = Workspace(store), Workspace(store)
    mine, theirs = dropper.load_organisation(), adder.load_organisation()
    person = mine.people[-1]
    joined = {m.team_id for m in mine.team_memberships if m.person_id == person.id}
    team = next(t for t in mine.teams if t.id not in joined)
    membership = TeamMembership(person.id, team.id, person.start)
    adder.save_organisation(
        attrs.evolve(theirs, team_memberships=(*theirs.team_memberships, membership))
    )
    return dropper, without_person(mine, person.id), person.id


def test_an_organisation_merge_that_breaks_its_rules_is_refused(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        dropper, dropped, person_id = _orphaning(setup.store)
        assert dropped.problems() == []
        with pytest.raises(ConflictError) as caught:
            dropper.save_organisation(dropped)
        assert "unknown person" in str(caught.value)
        assert person_id in str(caught.value)
        assert setup.load_organisation().problems() == []


def test_a_stored_cascade_that_breaks_its_rules_says_how_to_repair_it(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.save_cascade(CASCADE)
        task = next(n for n in CASCADE.nodes if n.level == "task")
        broken = dump_record(attrs.evolve(task, parent="no-such-goal"))
        workspace.store.write([Put(CASCADE_SECTION.collection, task.id, broken, 1)])
        with pytest.raises(ValidationError) as caught:
            workspace.load_cascade()
        assert "the stored cascade breaks its rules" in str(caught.value)
        assert "overwrite=True" in str(caught.value)
        assert any("unknown parent 'no-such-goal'" in p.message for p in caught.value.problems)
        workspace.save_cascade(CASCADE, overwrite=True)  # the repair it names
        assert workspace.load_cascade() == CASCADE


def test_a_rule_the_stored_organisation_breaks_already_does_not_block_other_merges(
    url: str,
) -> None:
    """Another writer stored an organisation that breaks a rule (saves are unchecked): a merge
    that breaks no other rule still saves, and one that breaks another is still refused."""
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        breaker, renamer = Workspace(setup.store), Workspace(setup.store)
        theirs, mine = breaker.load_organisation(), renamer.load_organisation()
        stray = TeamMembership("p-nobody", ORG.teams[0].id, ORG.people[0].start)
        broken = attrs.evolve(theirs, team_memberships=(*theirs.team_memberships, stray))
        assert [p.message for p in broken.problems()] == ["unknown person 'p-nobody'"]
        breaker.save_organisation(broken)
        renamer.save_organisation(renamed(mine, 3, "Renamed meanwhile"))  # refused before
        stored = setup.load_organisation()
        assert stored.people[3].name == "Renamed meanwhile"
        assert stray in stored.team_memberships
        dropper, dropped, person_id = _orphaning(setup.store)
        with pytest.raises(ConflictError) as caught:  # the merge orphans the new membership
            dropper.save_organisation(dropped)
        assert f"unknown person {person_id!r}" in str(caught.value)
        assert "p-nobody" not in str(caught.value)
