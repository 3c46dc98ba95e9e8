"""A load returns an aggregate as it stood at one moment, even while another writer saves.

Each test interrupts a load: after the load has read `at` records (of any collection), another
workspace commits a save (or an append) that changes several collections at once. Whatever the
moment, the load must return what a load after that save returns — never a mix of the state
before and the state after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins._checkin_records import maria_checkin, monday_cadence
from workplan_core.cascade import Cascade
from workplan_core.org import Assignment, Organisation, Person
from workplan_core.storage import Delete, IndexValue, Put, Store, StoredRecord, open_store
from workplan_core.storage.memory import MemoryStore
from workplan_core.synthetic import generate_cascade, generate_organisation
from workplan_core.workspace import Workspace
from workplan_core.workspace._snapshot import Snapshot

ORG = generate_organisation(30, seed=11)
CASCADE = Cascade(generate_cascade(120, 4))


class Interrupted:
    """A store whose scans run `meanwhile` once, just after the `at`-th record they yield."""

    def __init__(self, inner: Store, at: int, meanwhile: Callable[[], object]) -> None:
        self.inner = inner
        self.at = at
        self.meanwhile = meanwhile
        self.read = 0
        self.interrupted = False

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        for record in self.inner.scan(collection, where):
            yield record
            self.read += 1
            if self.read == self.at and not self.interrupted:
                self.interrupted = True
                self.meanwhile()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def _other_writer(url: str, store: Store) -> Iterator[Workspace]:
    """Another workspace on the same data, on its own handle (a memory store has one)."""
    if url == "memory://":
        yield Workspace(store)
        return
    with Workspace(open_store(url)) as other:
        yield other


def _reshuffled(org: Organisation) -> Organisation:
    """`org` changed across four collections in one save: renamed, dropped, added, reordered."""
    people = [attrs.evolve(org.people[0], name="Renamed meanwhile"), *org.people[2:]]
    dropped = org.people[1].id
    newcomer = Person("p-0000-new", "Added meanwhile", dt.date(2026, 1, 5))
    assignments = [a for a in org.assignments if a.person_id != dropped]
    assignments.insert(0, Assignment(newcomer.id, org.positions[-1].id, dt.date(2026, 1, 5)))
    return attrs.evolve(
        org,
        people=(newcomer, *reversed(people)),
        assignments=tuple(assignments),
        role_assignments=tuple(r for r in org.role_assignments if r.person_id != dropped),
        team_memberships=tuple(m for m in org.team_memberships if m.person_id != dropped),
    )


def _records(org: Organisation) -> int:
    return sum(len(getattr(org, field.name)) for field in attrs.fields(Organisation))


@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 0.6, 0.9])
def test_an_organisation_load_shows_a_save_made_meanwhile_whole(url: str, share: float) -> None:
    after = _reshuffled(ORG)
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        with _other_writer(url, setup.store) as other:
            other.load_organisation()
            at = max(1, int(share * _records(ORG)))
            store = Interrupted(setup.store, at, lambda: other.save_organisation(after))
            loaded = Workspace(store).load_organisation()  # type: ignore[arg-type]
            assert store.interrupted
            assert loaded == after
            assert Workspace(setup.store).load_organisation() == after


def test_a_workspace_saves_over_a_load_made_while_another_saved(url: str) -> None:
    """The base a load leaves is the moment it shows: a save after it conflicts on nothing."""
    after = _reshuffled(ORG)
    with Workspace.open(url) as setup:
        setup.save_organisation(ORG)
        with _other_writer(url, setup.store) as other:
            other.load_organisation()
            store = Interrupted(setup.store, 5, lambda: other.save_organisation(after))
            mine = Workspace(store)  # type: ignore[arg-type]
            loaded = mine.load_organisation()
            renamed = attrs.evolve(loaded.people[3], name="Mine")
            people = (*loaded.people[:3], renamed, *loaded.people[4:])
            mine.save_organisation(attrs.evolve(loaded, people=people))
            assert Workspace(setup.store).load_organisation().people[3].name == "Mine"


@pytest.mark.parametrize("at", [1, 60, 119])
def test_a_cascade_load_shows_a_save_made_meanwhile_whole(url: str, at: int) -> None:
    nodes = list(CASCADE.nodes)
    dropped = {n.id for n in nodes if n.parent == nodes[-1].parent}
    kept = [n for n in nodes if n.id not in dropped and n.id != nodes[-1].parent]
    kept[0] = attrs.evolve(kept[0], title="Retitled meanwhile")
    after = Cascade(list(reversed(kept[1:])) + kept[:1], CASCADE.config)
    with Workspace.open(url) as setup:
        setup.save_cascade(CASCADE)
        with _other_writer(url, setup.store) as other:
            other.load_cascade()
            store = Interrupted(setup.store, at, lambda: other.save_cascade(after))
            loaded = Workspace(store).load_cascade()  # type: ignore[arg-type]
            assert store.interrupted
            assert loaded == after


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_checkin_log_load_shows_an_append_made_meanwhile_whole(url: str, at: int) -> None:
    first, second = monday_cadence("c-1"), monday_cadence("c-2", "ben")
    with Workspace.open(url) as setup:
        setup.append_checkins(
            cadences=[first, monday_cadence("c-0", "cid")],
            checkins=[maria_checkin("k-1", dt.date(2027, 1, 4), "c-1")],
        )
        with _other_writer(url, setup.store) as other:
            later = maria_checkin("k-2", dt.date(2027, 1, 4), "c-2", ("ben",))

            def append() -> None:
                other.append_checkins(cadences=[second], checkins=[later])

            store = Interrupted(setup.store, at, append)
            loaded = Workspace(store).load_checkin_log()  # type: ignore[arg-type]
            assert store.interrupted
            expected = Workspace(setup.store).load_checkin_log()
            assert loaded.cadences == expected.cadences
            assert loaded.checkins == expected.checkins
            assert set(loaded.checkins) == {"k-1", "k-2"}


# ---------------------------------------------------------------- the snapshot itself

KEYS = st.sampled_from([f"k{i}" for i in range(8)])
WRITES = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), KEYS, st.one_of(st.none(), st.integers(0, 9))),
    max_size=12,
)


def _apply(store: MemoryStore, writes: list[tuple[str, str, int | None]]) -> None:
    """Write each (collection, key, value) as a put, or a delete when value is None."""
    for collection, key, value in writes:
        head = store.get(collection, key)
        version = None if head is None else head.version
        if value is None:
            if head is not None:
                store.write([Delete(collection, key, version)])
        else:
            store.write([Put(collection, key, {"v": value}, version)])


def _content(store: Store, collection: str) -> dict[str, Any]:
    return {r.key: (r.version, r.record) for r in store.scan(collection)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=WRITES, meanwhile=WRITES, at=st.integers(1, 30))
def test_a_settled_snapshot_equals_the_store_after_the_writes_made_meanwhile(
    before: list[tuple[str, str, int | None]],
    meanwhile: list[tuple[str, str, int | None]],
    at: int,
) -> None:
    inner = MemoryStore()
    _apply(inner, before)
    store = Interrupted(inner, at, lambda: _apply(inner, meanwhile))
    snapshot = Snapshot(store)  # type: ignore[arg-type]
    read = {c: snapshot.scan(c, lambda r: (r.version, r.record)) for c in ("a", "b")}
    snapshot.get("c", "k1")
    if not store.interrupted:  # fewer records than `at`: the writes come after the reads
        _apply(inner, meanwhile)
    assert snapshot.settle() == inner.last_seq()
    for collection, found in read.items():
        assert found == _content(inner, collection)
        assert list(found) == sorted(found)  # still in key order
    got = snapshot.got("c", "k1")
    now = inner.get("c", "k1")
    assert (got and (got.version, got.record)) == (now and (now.version, now.record))
