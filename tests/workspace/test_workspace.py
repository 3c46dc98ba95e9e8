"""The workspace saves and loads the organisation in one call each, on every backend."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from workplan_core.errors import ConflictError
from workplan_core.org import Organisation
from workplan_core.synthetic import generate_organisation
from workplan_core.workspace import ORDER_COLLECTION, ORGANISATION_SECTIONS, Workspace


@pytest.fixture(scope="module")
def org() -> Organisation:
    return generate_organisation(60, seed=3)


def test_a_saved_organisation_loads_back_equal(url: str, org: Organisation) -> None:
    with Workspace.open(url) as workspace:
        assert workspace.load_organisation() == Organisation()
        commit = workspace.save_organisation(org)
        total = sum(len(getattr(org, s.field)) for s in ORGANISATION_SECTIONS)
        # and the order of the three sections this seed does not generate in key order
        assert len(commit.versions) == total + 3
        assert set(commit.versions) == {1}
        orders = [r.key for r in workspace.store.scan(ORDER_COLLECTION)]
        assert orders == ["org.assignments", "org.job_titles", "org.team_memberships"]
        assert workspace.load_organisation() == org
        assert workspace.store.indexed_fields("org.assignments") == ("person_id", "position_id")


def test_saving_again_writes_only_what_changed(tmp_path: Path, org: Organisation) -> None:
    url = f"sqlite:///{tmp_path}/plan.db"
    with Workspace.open(url) as workspace:
        workspace.save_organisation(org)
        assert workspace.save_organisation(org).versions == ()
        renamed = attrs.evolve(org.people[0], name="Renamed Person")
        changed = attrs.evolve(
            org, people=(renamed, *org.people[1:]), team_memberships=org.team_memberships[:-1]
        )
        commit = workspace.save_organisation(changed)
        assert commit.versions == (2, 2)  # the renamed person, the dropped membership's tombstone
        history = list(workspace.store.history("org.people", org.people[0].id))
        assert [r.record["name"] for r in history if r.record] == [
            org.people[0].name,
            "Renamed Person",
        ]
    with Workspace.open(url) as again:
        assert again.load_organisation() == changed


def test_a_save_after_load_does_not_undo_another_writers_change(
    tmp_path: Path, org: Organisation
) -> None:
    url = f"sqlite:///{tmp_path}/plan.db"
    with Workspace.open(url) as setup:
        setup.save_organisation(org)
    with Workspace.open(url) as first, Workspace.open(url) as second:
        mine, theirs = first.load_organisation(), second.load_organisation()
        first.save_organisation(
            attrs.evolve(
                mine, people=(attrs.evolve(mine.people[0], name="First"), *mine.people[1:])
            )
        )
        with pytest.raises(ConflictError) as caught:
            second.save_organisation(
                attrs.evolve(
                    theirs,
                    people=(attrs.evolve(theirs.people[0], name="Second"), *theirs.people[1:]),
                )
            )
        assert caught.value.conflicts == (("org.people", mine.people[0].id),)
        assert second.load_organisation().people[0].name == "First"


def test_a_save_after_load_does_not_delete_another_writers_addition(
    tmp_path: Path, org: Organisation
) -> None:
    url = f"sqlite:///{tmp_path}/plan.db"
    smaller = attrs.evolve(org, roles=org.roles[:-1])
    with Workspace.open(url) as setup:
        setup.save_organisation(smaller)
    with Workspace.open(url) as first, Workspace.open(url) as second:
        loaded = first.load_organisation()
        second.save_organisation(org)  # adds the last role
        assert first.save_organisation(loaded).versions == ()  # first changed nothing
        assert first.load_organisation() == org


def test_the_environment_names_the_default_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKPLAN_STORE", "memory://")
    with Workspace.open() as workspace:
        assert workspace.load_organisation() == Organisation()
