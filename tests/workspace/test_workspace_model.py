"""Three workspaces and another program share one store; a model says what each call must do.

A hypothesis state machine drives three `Workspace` objects on one store, each with a caller
that holds and edits a list of people (organisations of people only: they break no rule), and
a raw writer that renames stored people behind their backs and writes to another collection.
Each example starts from people another workspace stored (maybe none), in a drawn order. A
model keeps what the store must hold (each key's latest version: a person, or a deletion), the
order in which the people load, and each workspace's base. It checks the outcome of every save
(saved, or `ConflictError`), every load, and after every step the whole store. It states the
rules of docs/storage.md ("The workspace"):

* Every write makes a version: a key's first write is version 1, each later put or delete one
  more (a key added again after a delete continues its numbers). A save writes exactly the
  people whose stored value it changes, adds or deletes.
* A workspace's *base* is what it last loaded or saved. A load makes the store's people, in
  their order, the base. A save makes the caller's list the base: each person at the version
  the save wrote or, where it wrote nothing, at the version the base had (with a base) or the
  store has (without one, or to overwrite). A save that raises leaves the base as it was.
* A save with a base writes only what the caller changed since: a person the caller left as
  the base has them keeps whatever others saved (or stays deleted), and people others added
  stay. It raises `ConflictError` and writes nothing when the caller changed or dropped a
  person that others changed or deleted since the base (both deleting one is no conflict), or
  added one under a key that others added meanwhile.
* The order is merged: the store's order becomes `merged_order(the base's order, the caller's,
  the store's)`, that is the store's order with the caller's additions, drops and moves. When
  both sides moved people there is no one answer (`None`): a conflict.
* A save without a base (the workspace never loaded or saved) must not change or drop what it
  never saw: it conflicts when the store holds a person that the caller's list lacks or holds
  otherwise, or an order record other than the one the caller's list needs (the order is one
  more record, in `workspace.order`, stored only when the people are not in key order).
  Otherwise the store ends up holding the caller's list, in its order.
* A save with `overwrite=True` always succeeds and leaves exactly the caller's list, in its
  order.
* A load, a workspace's again or a fresh workspace's, returns the model's people in its order.

Saves and loads read what others changed from the change feed while it holds few changes since
the base (at most `FEW_CHANGES`, or as many as there are records), else the whole collection.
Each example sets `FEW_CHANGES` to 0, 2 or its default, so that the raw writer's writes send
saves and loads down either path; teardown puts it back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import NamedTuple

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from storage.pgschema import private_store
from workplan_core.errors import ConflictError
from workplan_core.org import Organisation, Person
from workplan_core.serialization import dump_record
from workplan_core.storage import Put, Store, open_store
from workplan_core.workspace import ORDER_COLLECTION, Workspace, _base
from workplan_core.workspace._order import _order_record, merged_order

PEOPLE = "org.people"
KEYS = ("a", "b", "c", "d", "e")
START = dt.date(2026, 1, 5)

WORKSPACES = st.integers(0, 2)
PLACES = st.integers(0, 20)  # taken modulo the length of a caller's list


class Version(NamedTuple):
    """A stored version of a person's record: its number and the person (`None`: deleted)."""

    number: int
    person: Person | None


class Base(NamedTuple):
    """What a workspace last loaded or saved: each person at the version seen, and the order."""

    records: dict[str, Version]
    keys: list[str]


People = dict[str, Person]
Stored = tuple[People, list[str]]  # the people the store holds, and the order they load in


class WorkspaceModel(RuleBasedStateMachine):
    """Three workspaces and a raw writer on one in-memory store, against the model."""

    def __init__(self) -> None:
        super().__init__()
        self.resources = contextlib.ExitStack()
        self.patched = pytest.MonkeyPatch()
        self.resources.callback(self.patched.undo)
        self.store = self.resources.enter_context(self.new_store())
        self.workspaces = [Workspace(self.store) for _ in range(3)]
        self.callers: list[list[Person]] = [[], [], []]  # the people each caller edits
        self.bases: list[Base | None] = [None, None, None]
        self.latest: dict[str, Version] = {}  # each key ever written: its latest version
        self.order: list[str] = []  # the keys of the stored people, in the order they load
        self.elsewhere = 0  # records the raw writer wrote to another collection

    def new_store(self) -> contextlib.AbstractContextManager[Store]:
        """A fresh, empty store for one example (subclasses use other backends)."""
        return open_store("memory://")

    def teardown(self) -> None:
        """Put `FEW_CHANGES` back and close the store."""
        self.resources.close()

    @initialize(few=st.sampled_from([0, 2, _base.FEW_CHANGES]))
    def read_the_feed_up_to(self, few: int) -> None:
        """Read the change feed while it holds at most `few` changes (or as many as records)."""
        self.patched.setattr(_base, "FEW_CHANGES", few)

    @initialize(keys=st.lists(st.sampled_from(KEYS), unique=True))
    def store_people(self, keys: list[str]) -> None:
        """Another workspace stores people with these keys, in this order, to start from."""
        people = [Person(key, key.upper(), START) for key in keys]
        Workspace(self.store).save_organisation(Organisation(people=tuple(people)))
        self._write({person.id: person for person in people})
        self.order = keys

    # ------------------------------------------------------------------ the model

    def _live(self) -> People:
        """The people the store must hold, by key."""
        return {key: v.person for key, v in self.latest.items() if v.person is not None}

    def _write(self, people: People) -> dict[str, Version]:
        """Store `people` in the model: a new version of each key added, changed or deleted."""
        live = self._live()
        written = {}
        for key in live.keys() | people.keys():
            person = people.get(key)
            if person != live.get(key):
                before = self.latest.get(key)
                number = 1 if before is None else before.number + 1
                written[key] = self.latest[key] = Version(number, person)
        return written

    def _saved(self, w: int, mine: list[Person], *, overwrite: bool) -> Stored | None:
        """The people and order stored after workspace `w` saves `mine`; `None`: a conflict."""
        keys = [person.id for person in mine]
        by_key = {person.id: person for person in mine}
        base = self.bases[w]
        if overwrite:
            return by_key, keys
        if base is None:
            return self._saved_without_base(by_key, keys)
        return self._merged(base, by_key, keys)

    def _saved_without_base(self, mine: People, keys: list[str]) -> Stored | None:
        """The caller's list; `None` when the store holds a person it lacks or holds otherwise.

        The order record is one more record the caller never saw: one stored that the caller's
        order does not need is a conflict too.
        """
        if any(mine.get(key) != person for key, person in self._live().items()):
            return None
        stored_order = _order_record(self.order)
        if stored_order is not None and stored_order != _order_record(keys):
            return None
        return mine, keys

    def _merged(self, base: Base, mine: People, keys: list[str]) -> Stored | None:
        """The store with the caller's changes since `base` applied; `None`: a conflict."""
        live = self._live()
        merged = dict(live)
        for key, person in mine.items():
            seen = base.records.get(key)
            if seen is None:  # the caller added it
                if key in live:  # so did others
                    return None
                merged[key] = person
            elif person != seen.person:  # the caller changed it
                if self.latest[key].number != seen.number:  # others changed or deleted it
                    return None
                merged[key] = person
        for key, seen in base.records.items():
            if key not in mine and key in live:  # the caller dropped it; others did not
                if self.latest[key].number != seen.number:  # others changed it
                    return None
                del merged[key]
        order = merged_order(base.keys, keys, self.order)
        if order is None:  # both moved people
            return None
        assert sorted(order) == sorted(merged), f"merged order {order}, people {sorted(merged)}"
        return merged, order

    def _check_loaded(self, people: tuple[Person, ...], who: str) -> None:
        """`people`, as loaded by `who`, are the model's, in its order."""
        shown = [f"{person.id}: {person.name}" for person in people]
        assert [person.id for person in people] == self.order, f"{who} loads {shown}"
        assert {person.id: person for person in people} == self._live(), f"{who} loads {shown}"

    # ------------------------------------------------------------------ the callers' edits

    @rule(w=WORKSPACES, at=PLACES, suffix=st.sampled_from("xyz"))
    def rename(self, w: int, at: int, suffix: str) -> None:
        """A caller renames one of its people."""
        people = self.callers[w]
        if people:
            i = at % len(people)
            people[i] = attrs.evolve(people[i], name=people[i].name + suffix)

    @rule(w=WORKSPACES, key=st.sampled_from(KEYS), at=PLACES)
    def add(self, w: int, key: str, at: int) -> None:
        """A caller adds a person it does not hold, anywhere in its list."""
        people = self.callers[w]
        if all(person.id != key for person in people):
            people.insert(at % (len(people) + 1), Person(key, key.upper(), START))

    @rule(w=WORKSPACES, at=PLACES)
    def drop(self, w: int, at: int) -> None:
        """A caller drops one of its people."""
        people = self.callers[w]
        if people:
            del people[at % len(people)]

    @rule(w=WORKSPACES, at=PLACES, to=PLACES)
    def move(self, w: int, at: int, to: int) -> None:
        """A caller moves one of its people to another place."""
        people = self.callers[w]
        if people:
            person = people.pop(at % len(people))
            people.insert(to % (len(people) + 1), person)

    @rule(w=WORKSPACES)
    def copy(self, w: int) -> None:
        """A caller replaces its people by equal copies: equal, not the objects loaded."""
        self.callers[w] = [attrs.evolve(person) for person in self.callers[w]]

    @rule(w=WORKSPACES, at=PLACES)
    def revert(self, w: int, at: int) -> None:
        """A caller puts back an equal copy of one of its people as its base has them."""
        people, base = self.callers[w], self.bases[w]
        if people and base is not None:
            i = at % len(people)
            seen = base.records.get(people[i].id)
            if seen is not None:
                people[i] = attrs.evolve(seen.person)

    # ------------------------------------------------------------------ another program

    @rule(key=st.sampled_from(KEYS))
    def rename_behind_their_backs(self, key: str) -> None:
        """Another program renames a stored person, expecting its latest version."""
        person = self._live().get(key)
        if person is not None:
            renamed = attrs.evolve(person, name=person.name + "R")
            self.store.write([Put(PEOPLE, key, dump_record(renamed), self.latest[key].number)])
            self._write({**self._live(), key: renamed})

    @rule(n=st.integers(1, 5))
    def write_elsewhere(self, n: int) -> None:
        """Another program writes `n` records to another collection: only the feed grows."""
        self.store.write([Put("elsewhere", f"k{self.elsewhere + i}", {"i": i}) for i in range(n)])
        self.elsewhere += n

    # ------------------------------------------------------------------ loads and saves

    @rule(w=WORKSPACES)
    def load(self, w: int) -> None:
        """A workspace loads: the model's people, in its order, become its caller's and base."""
        people = self.workspaces[w].load_organisation().people
        self._check_loaded(people, f"workspace {w}")
        self.callers[w] = list(people)
        self.bases[w] = Base({key: self.latest[key] for key in self.order}, list(self.order))

    @rule(w=WORKSPACES, overwrite=st.sampled_from([False, False, False, True]))
    def save(self, w: int, overwrite: bool) -> None:
        """A workspace saves its caller's people: saved or refused as the model says."""
        mine = list(self.callers[w])
        keys = [person.id for person in mine]
        expected = self._saved(w, mine, overwrite=overwrite)
        conflicts = None
        try:
            self.workspaces[w].save_organisation(
                Organisation(people=tuple(mine)), overwrite=overwrite
            )
        except ConflictError as error:
            conflicts = error.conflicts
        if expected is None:
            event("save: conflict")
            assert conflicts is not None, f"save of {keys}: saved; the model expects a conflict"
            return
        people, order = expected
        assert conflicts is None, f"save of {keys}: {conflicts} conflict; the model stores {order}"
        event("save: saved" if order == keys else "save: saved, order merged")
        base = self.bases[w]
        written = self._write(people)
        self.order = order
        # where the save wrote nothing: the base's version, or the store's (no base, overwrite)
        unwritten = self.latest if base is None or overwrite else base.records
        self.bases[w] = Base(
            {key: written[key] if key in written else unwritten[key] for key in keys}, keys
        )

    # ------------------------------------------------------------------ the store

    @invariant()
    def the_store_holds_the_model(self) -> None:
        """The store holds the model's versions and order record; a fresh workspace loads them."""
        live = {r.key: (r.version, r.record) for r in self.store.scan(PEOPLE)}
        assert live == {
            key: (v.number, dump_record(v.person))
            for key, v in self.latest.items()
            if v.person is not None
        }, "the people stored (version, record)"
        for key, version in self.latest.items():
            if version.person is None:
                last = list(self.store.history(PEOPLE, key))[-1]
                assert (last.version, last.record) == (version.number, None), key
        stored = self.store.get(ORDER_COLLECTION, PEOPLE)
        order_record = None if stored is None else stored.record
        assert order_record == _order_record(self.order), f"{order_record} for {self.order}"
        self._check_loaded(Workspace(self.store).load_organisation().people, "a fresh workspace")


@contextlib.contextmanager
def _fresh_sqlite() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as folder, open_store(f"sqlite:///{folder}/m.db") as store:
        yield store


class SqliteWorkspaceModel(WorkspaceModel):
    """The model on a fresh SQLite file per example."""

    def new_store(self) -> contextlib.AbstractContextManager[Store]:
        """A fresh SQLite file in a temporary folder, removed on close."""
        return _fresh_sqlite()


WorkspaceModel.TestCase.settings = settings(max_examples=400, stateful_step_count=50, deadline=None)
TestWorkspacesOnMemory = WorkspaceModel.TestCase

SqliteWorkspaceModel.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestWorkspacesOnSqlite = SqliteWorkspaceModel.TestCase


@pytest.mark.postgres
def test_workspaces_on_postgresql(postgres_dsn: str) -> None:
    """The model on PostgreSQL, each example in a private schema (fewer: each is slower)."""

    class PostgresWorkspaceModel(WorkspaceModel):
        """The model on PostgreSQL."""

        def new_store(self) -> contextlib.AbstractContextManager[Store]:
            return private_store(postgres_dsn)

    run_state_machine_as_test(
        PostgresWorkspaceModel,
        settings=settings(max_examples=15, stateful_step_count=30, deadline=None),
    )
