"""Saves and loads learn what others changed from the change feed, as reading everything would.

A save with a base reads only the changes after the base's feed position (when there are few);
the reference reads whole collections. Random interleavings of three workspaces loading and
saving one organisation must end the same way along both paths: the same saves succeed, the
same ones conflict, and the store ends up holding the same organisation. A load with a base
applies the changes to the base; it must return what a fresh workspace reading every record
returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workplan_core.cascade import Cascade
from workplan_core.errors import ConflictError, ValidationError
from workplan_core.org import Assignment, Organisation, Person
from workplan_core.storage import Put
from workplan_core.storage.memory import MemoryStore
from workplan_core.synthetic import generate_cascade, generate_organisation
from workplan_core.workspace import Workspace, _merge, _writes
from workspace._edits import without_person

ORG = generate_organisation(12, seed=3)
START = dt.date(2026, 3, 2)


def _renamed(org: Organisation, i: int, tag: str) -> Organisation:
    people = list(org.people)
    if not people:
        return org
    k = i % len(people)
    people[k] = attrs.evolve(people[k], name=f"{people[k].name} {tag}")
    return attrs.evolve(org, people=tuple(people))


def _added(org: Organisation, tag: str) -> Organisation:
    person = Person(f"p-new-{tag}", f"New {tag}", START)
    assignments = org.assignments
    if org.positions:
        assignments = (*assignments, Assignment(person.id, org.positions[0].id, START))
    return attrs.evolve(org, people=(*org.people, person), assignments=assignments)


def _dropped(org: Organisation, i: int) -> Organisation:
    """`org` without a person (and, half the time, keeping their memberships: a broken org)."""
    if not org.people:
        return org
    gone = org.people[i % len(org.people)].id
    people = tuple(p for p in org.people if p.id != gone)
    if i % 2:
        return attrs.evolve(org, people=people)  # refused: memberships of an unknown person
    return without_person(org, gone)


STEPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # which workspace
        st.sampled_from(["load", "rename", "add", "drop", "noise"]),
        st.integers(0, 40),
    ),
    min_size=1,
    max_size=14,
)


def _play(steps: list[tuple[int, str, int]]) -> tuple[list[str], Organisation]:
    """Run the steps on a fresh store; each step's outcome and the organisation stored."""
    store = MemoryStore()
    Workspace(store).save_organisation(ORG)
    workspaces = [Workspace(store) for _ in range(3)]
    values: list[Organisation | None] = [None, None, None]
    outcomes = []
    for turn, (who, action, n) in enumerate(steps):
        workspace = workspaces[who]
        if action == "noise":  # another program's writes elsewhere in the store
            store.write([Put("elsewhere", f"k{turn}-{i}", {"n": i}) for i in range(n)])
            outcomes.append("noise")
            continue
        if action == "load" or values[who] is None:
            values[who] = workspace.load_organisation()  # from its base, once it has one
            assert values[who] == Workspace(store).load_organisation()  # read whole
            outcomes.append("loaded")
            if action == "load":
                continue
        org = values[who]
        assert org is not None
        tag = f"{who}-{turn}"
        if action == "rename":
            changed = _renamed(org, n, tag)
        elif action == "add":
            changed = _added(org, tag)
        else:
            changed = _dropped(org, n)
        try:
            workspace.save_organisation(changed)
        except (ConflictError, ValidationError) as error:
            outcomes.append(
                f"{action}: {type(error).__name__} {sorted(getattr(error, 'conflicts', ()))}"
            )
        else:
            values[who] = changed
            outcomes.append(f"{action}: saved")
    return outcomes, Workspace(store).load_organisation()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_saves_that_read_the_feed_end_as_saves_that_read_everything(
    steps: list[tuple[int, str, int]],
) -> None:
    through_feed = _play(steps)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_merge._Save, "_reads_feed", lambda self, base: False)
        reading_everything = _play(steps)
    assert through_feed == reading_everything


def test_a_save_of_one_change_reads_the_changes_not_the_collection() -> None:
    """With a base and few changes since, a save scans nothing and dumps only what changed."""
    cascade = Cascade(generate_cascade(300, 2))
    store = MemoryStore()
    calls: dict[str, int] = {"scan": 0, "dump": 0}
    with Workspace(store) as workspace:
        workspace.save_cascade(cascade)
        loaded = workspace.load_cascade()
        original_scan, original_dump = store.scan, _writes.dump_record

        def counting_scan(*args: Any, **kwargs: Any) -> Any:
            calls["scan"] += 1
            return original_scan(*args, **kwargs)

        def counting_dump(obj: object) -> dict[str, Any]:
            calls["dump"] += 1
            return original_dump(obj)

        store.scan = counting_scan  # type: ignore[method-assign]
        _writes.dump_record = counting_dump  # type: ignore[assignment]
        try:
            edited = loaded.replace(attrs.evolve(loaded.nodes[7], title="Retitled"))
            commit = workspace.save_cascade(edited)
        finally:
            _writes.dump_record = original_dump
        assert calls == {"scan": 0, "dump": 1}
        assert len(commit.versions) == 1
        assert Workspace(store).load_cascade() == edited


def test_a_base_far_behind_the_feed_is_checked_against_the_collection(url: str) -> None:
    """More changes since the base than records: the save reads the collection instead."""
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        mine, other = Workspace(setup.store), Workspace(setup.store)
        mine_org, their_org = mine.load_organisation(), other.load_organisation()
        other.save_organisation(_renamed(their_org, 1, "theirs"))
        setup.store.write([Put("elsewhere", f"k{i}", {"i": i}) for i in range(1500)])
        with pytest.raises(ConflictError) as caught:
            mine.save_organisation(_renamed(mine_org, 1, "mine"))
        assert caught.value.conflicts == (("org.people", mine_org.people[1].id),)
        mine.save_organisation(_renamed(mine_org, 2, "mine"))  # another person: merges
        stored = Workspace(setup.store).load_organisation()
        assert stored.people[1].name.endswith("theirs")
        assert stored.people[2].name.endswith("mine")


def test_loading_again_reads_the_changes_not_the_collections(url: str) -> None:
    """A workspace with a base loads again from it: no scan, only others' changes decoded."""
    cascade = Cascade(generate_cascade(300, 2))
    with Workspace.open(url) as setup:
        setup.save_cascade(cascade)
        mine, other = Workspace(setup.store), Workspace(setup.store)
        mine.load_cascade()
        theirs = other.load_cascade()
        edited = theirs.replace(attrs.evolve(theirs.nodes[9], title="Theirs"))
        last = edited.nodes[-1]
        edited = edited.without(last.id)
        other.save_cascade(edited)
        scans: list[str] = []
        original = setup.store.scan

        def counting(collection: str, where: Any = None) -> Any:
            scans.append(collection)
            return original(collection, where)

        setup.store.scan = counting  # type: ignore[method-assign]
        again = mine.load_cascade()
        setup.store.scan = original  # type: ignore[method-assign]
        assert scans == []
        assert again == edited
        assert again == Workspace(setup.store).load_cascade()


def test_loading_again_after_many_changes_reads_the_collections(url: str) -> None:
    """More changes since the base than records: the load reads everything, and is right."""
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        mine, other = Workspace(setup.store), Workspace(setup.store)
        mine.load_organisation()
        other.save_organisation(_renamed(other.load_organisation(), 2, "theirs"))
        setup.store.write([Put("elsewhere", f"k{i}", {"i": i}) for i in range(1500)])
        assert mine.load_organisation().people[2].name.endswith("theirs")
