"""Saves that race other saves, an overwrite that finds records stored equal, and the order
after a merge: each keeps what every writer saved.

Each docstring tells how an earlier version went wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import pytest

from workplan_core.cascade import BinaryMeasure, Cascade, Node
from workplan_core.errors import ConflictError
from workplan_core.org import Organisation, Person
from workplan_core.storage import Commit, Store, StoredRecord, Write, open_store
from workplan_core.storage.memory import MemoryStore
from workplan_core.synthetic import generate_cascade
from workplan_core.workspace import ORDER_COLLECTION, Workspace

START = dt.date(2026, 1, 5)


def _people(*ids: str) -> Organisation:
    return Organisation(people=tuple(Person(i, i.upper(), START) for i in ids))


def _ids(org: Organisation) -> list[str]:
    return [p.id for p in org.people]


def _added(org: Organisation, person_id: str) -> Organisation:
    return attrs.evolve(org, people=(*org.people, Person(person_id, person_id.upper(), START)))


def _renamed(org: Organisation, person_id: str, name: str) -> Organisation:
    people = tuple(attrs.evolve(p, name=name) if p.id == person_id else p for p in org.people)
    return attrs.evolve(org, people=people)


def test_a_save_after_an_order_merge_does_not_undo_the_other_writers_order(url: str) -> None:
    """B reorders the people; A, loaded before, adds one person and saves (merged: B's order
    with A's addition), then adds another. B's order stays through both saves. (A's base
    keeps A's own order, and with nothing new from others the second save used to write an
    order record from A's order alone, undoing B's reorder.)"""
    with Workspace.open(url) as setup:
        setup.save_organisation(_people("a", "b", "c"))
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        second.save_organisation(attrs.evolve(theirs, people=theirs.people[::-1]))
        mine = _added(mine, "d")
        first.save_organisation(mine)
        assert _ids(Workspace(setup.store).load_organisation()) == ["c", "d", "b", "a"]
        first.save_organisation(_added(mine, "e"))
        assert _ids(Workspace(setup.store).load_organisation()) == ["c", "d", "e", "b", "a"]


def test_an_overwrite_that_finds_a_record_stored_equal_keeps_the_stored_version(
    url: str,
) -> None:
    """B renames `a`; A makes the same change and saves with overwrite=True: `a` is stored
    equal, so nothing is written for it, and A's base takes the stored version. (It used to
    keep A's old version and value: the next load returned the old name, and every save of
    `a` conflicted, also after loading again.)"""
    with Workspace.open(url) as setup:
        setup.save_organisation(_people("a", "b"))
        first, second = Workspace(setup.store), Workspace(setup.store)
        mine, theirs = first.load_organisation(), second.load_organisation()
        second.save_organisation(_renamed(theirs, "a", "Fixed"))
        first.save_organisation(_renamed(mine, "a", "Fixed"), overwrite=True)
        again = first.load_organisation()
        assert again.people[0].name == "Fixed"  # what the store holds
        first.save_organisation(_renamed(again, "a", "Mine"))  # no one else wrote since
        assert Workspace(setup.store).load_organisation().people[0].name == "Mine"


class _Interrupted(MemoryStore):
    """A memory store that runs `hook` once, on the first call of the method it is set for."""

    def __init__(self) -> None:
        super().__init__()
        self.hooks: dict[str, Callable[[], object]] = {}

    def _fire(self, name: str) -> None:
        hook = self.hooks.pop(name, None)
        if hook is not None:
            hook()

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        self._fire("indexed_fields")  # a save calls it after its checks, before its write
        return super().indexed_fields(collection)

    def get(self, collection: str, key: str) -> StoredRecord | None:
        if collection == ORDER_COLLECTION:
            self._fire("get_order")  # a save reads the order record after the change feed
        return super().get(collection, key)


def test_an_order_record_changed_after_the_feed_was_read_keeps_the_other_writers_places() -> None:
    """B appends person `a` (out of key order, so with an order record) between A's read of
    the change feed and A's read of the order record: both additions keep their places (or A
    is refused). (A used to merge with a view lacking `a` and write an order record without
    it, which moved `a` from last to first.)"""
    store = _Interrupted()
    Workspace(store).save_organisation(_people("b", "c", "d"))
    first, second = Workspace(store), Workspace(store)
    mine, theirs = first.load_organisation(), second.load_organisation()
    store.hooks["get_order"] = lambda: second.save_organisation(_added(theirs, "a"))
    try:
        first.save_organisation(_added(mine, "e"))
    except ConflictError:
        return
    assert _ids(Workspace(store).load_organisation()) in (
        ["b", "c", "d", "e", "a"],
        ["b", "c", "d", "a", "e"],
    )


class _WritesFirst:
    """A store whose first `write` first runs `meanwhile` (another writer's save)."""

    def __init__(self, inner: Store, meanwhile: Callable[[], object]) -> None:
        self.inner = inner
        self.meanwhile: Callable[[], object] | None = meanwhile

    def write(self, writes: Iterable[Write]) -> Commit:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return self.inner.write(writes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_save_committed_just_before_anothers_write_is_merged_or_refused(url: str) -> None:
    """B's save commits after A's save has read and checked everything, just before A writes:
    A reads, merges and checks again, so it is refused when the merge breaks a rule and lands
    merged when it does not; the cascade always loads."""
    cascade = Cascade(generate_cascade(80, 6))
    goal = next(n for n in cascade.nodes if n.level == cascade.config.levels[3].name)
    tasks = [n.id for n in cascade.nodes if n.parent == goal.id]
    task = Node(
        "zz-new-task",
        "New task",
        cascade.config.levels[4].name,
        owner=goal.owner,
        period=goal.period,
        parent=goal.id,
        measure=BinaryMeasure(),
    )
    with Workspace.open(url) as setup:
        setup.save_cascade(cascade)
        other = Workspace(_handle(url, setup.store))
        theirs = other.load_cascade()
        racing = _WritesFirst(setup.store, lambda: other.save_cascade(theirs.replace(task)))
        mine_ws = Workspace(racing)  # type: ignore[arg-type]
        mine = mine_ws.load_cascade()
        with pytest.raises(ConflictError) as caught:
            mine_ws.save_cascade(mine.without(goal.id, *tasks))
        assert "unknown parent" in str(caught.value)
        loaded = Workspace(setup.store).load_cascade()
        assert task in loaded.nodes
        retitled = mine.replace(attrs.evolve(mine.nodes[0], title="Mine"))
        racing.meanwhile = lambda: other.save_cascade(
            other.load_cascade().replace(attrs.evolve(task, title="Theirs"))
        )
        mine_ws.save_cascade(retitled)  # disjoint changes: merged after reading again
        loaded = Workspace(setup.store).load_cascade()
        assert loaded.nodes[0].title == "Mine"
        assert loaded.node(task.id).title == "Theirs"
        if other.store is not setup.store:
            other.store.close()


def _handle(url: str, store: Store) -> Store:
    """Another handle on the same data (a memory store is its only handle)."""
    return store if url == "memory://" else open_store(url)
