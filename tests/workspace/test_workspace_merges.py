"""Saves write what the caller changed since its last load or save, and never lose a change."""

from __future__ import annotations

import attrs
import pytest

from workplan_core.errors import ConflictError
from workplan_core.org import Organisation, Person
from workplan_core.synthetic import generate_organisation
from workplan_core.workspace import Workspace
from workspace._edits import renamed

ORG = generate_organisation(30, seed=11)


def _added(org: Organisation, person_id: str) -> Organisation:
    newcomer = Person(person_id, "New Person", org.people[0].start)
    return attrs.evolve(org, people=(*org.people, newcomer))


def _names(workspace: Workspace) -> dict[str, str]:
    return {p.id: p.name for p in workspace.load_organisation().people}


def test_changes_to_different_records_both_land(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(renamed(mine, 3, "Renamed"))
        assert second.save_organisation(_added(theirs, "zz-new")).versions == (1,)
        names = _names(setup)
        assert names[ORG.people[3].id] == "Renamed"  # the first writer's change stays
        assert names["zz-new"] == "New Person"


def test_a_record_both_changed_conflicts_and_nothing_is_written(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(renamed(mine, 3, "First"))
        last = list(setup.store.changes())[-1].seq
        with pytest.raises(ConflictError) as caught:
            second.save_organisation(_added(renamed(theirs, 3, "Second"), "zz-new"))
        assert caught.value.conflicts == (("org.people", ORG.people[3].id),)
        assert list(setup.store.changes(last)) == []
        assert _names(setup)[ORG.people[3].id] == "First"


def test_a_record_one_dropped_and_the_other_changed_conflicts(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(renamed(mine, 3, "Kept"))
        dropped = attrs.evolve(theirs, people=theirs.people[:3] + theirs.people[4:])
        with pytest.raises(ConflictError):
            second.save_organisation(dropped)
        assert _names(setup)[ORG.people[3].id] == "Kept"


def test_a_save_without_a_base_refuses_to_replace_what_it_never_saw(url: str) -> None:
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        blind = Workspace(setup.store)
        other = generate_organisation(30, seed=12)
        with pytest.raises(ConflictError) as caught:
            blind.save_organisation(other)
        assert "overwrite=True" in str(caught.value)
        assert setup.load_organisation() == ORG
        assert Workspace(setup.store).save_organisation(ORG).versions == ()  # equal: no-op
        Workspace(setup.store).save_organisation(other, overwrite=True)
        assert setup.load_organisation() == other


def test_after_a_save_the_workspace_expects_what_it_saved(url: str) -> None:
    with Workspace.open(url) as first:
        first.save_organisation(ORG)  # no load: the save itself becomes the base
        second = Workspace(first.store)
        second.save_organisation(renamed(second.load_organisation(), 3, "Second"))
        with pytest.raises(ConflictError):
            first.save_organisation(renamed(ORG, 3, "First"))
        assert first.save_organisation(_added(ORG, "zz-new")).versions == (1,)
        assert _names(first)[ORG.people[3].id] == "Second"
