"""A hypothesis state machine that drives a store and the in-memory reference side by side.

Every step sends the same call to both stores — batches of puts and deletes with right, wrong
and missing expectations, declarations, reads, scans with filters, history and the change
feed — and fails as soon as the two disagree; after every step, an invariant compares their
whole content. Hypothesis then shrinks a failure to a short sequence of calls.

One line runs it against your backend (the factory returns a fresh, empty store, or a context
manager yielding one, on EVERY call: hypothesis runs many examples, each needs its own store;
the machine fails at its start, saying so, when the store it gets is not empty)::

    from workplan_core.testing.storage_machine import StoreComparison

    TestMyStoreAgainstReference = StoreComparison(lambda: MyStore.fresh()).TestCase

Sequence numbers may differ between the stores (a backend may leave gaps); they are compared
through the order they give to the change feed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from workplan_core.errors import ConflictError, ValidationError
from workplan_core.storage.memory import MemoryStore
from workplan_core.storage.protocol import Store
from workplan_core.storage.records import Delete, Put, StoredRecord, Write
from workplan_core.testing._checks import brief, difference, read_at_most
from workplan_core.testing.strategies.storage import json_values

__all__ = ["StoreComparison", "StoreFactory", "StoreMachine"]

StoreFactory = Callable[[], contextlib.AbstractContextManager[Store]]
"""Returns a fresh, empty store, or a context manager that yields one and cleans up after."""

COLLECTIONS = ("alpha", "beta")
FIELDS = ("team", "n")
KEYS = ("a", "b", "c", "é", "😀", "'; DROP TABLE wp_log; --", "k 1", "K")
TEAMS: tuple[Any, ...] = ("x", "y", "1", 1, True, None)

_keys = st.sampled_from(KEYS)
_collections = st.sampled_from(COLLECTIONS)
_records = st.fixed_dictionaries(
    {"team": st.sampled_from(TEAMS)},
    optional={"n": st.integers(-2, 2), "data": json_values(max_leaves=6)},
)

Projection = tuple[str, str, int, Any]

_SIDES = ("reference", "store")


def _project(record: StoredRecord) -> Projection:
    return (record.collection, record.key, record.version, record.record)


def _outcome(call: Callable[[Store], Any], store: Store) -> tuple[str, Any]:
    try:
        return ("ok", call(store))
    except ConflictError as exc:
        return ("conflict", exc.conflicts)
    except ValidationError as exc:
        return ("invalid", exc.problems)


def _contents(store: Store) -> str | None:
    """What a store that should be empty holds (its first change or declarations), or `None`."""
    first = next(iter(store.changes(0)), None)
    if first is not None:
        return f"a write to {first.collection!r}, key {first.key!r} in its change feed"
    declared = {c: fields for c in COLLECTIONS if (fields := store.indexed_fields(c))}
    return f"declared indexed fields {declared}" if declared else None


def _not_fresh(detail: str) -> str:
    return (
        "StoreComparison: the store's factory must return a fresh, empty store on every "
        f"call, but {detail}. A factory that reopens one file, folder or schema (e.g. a "
        "pytest tmp_path captured once for the whole test) gives every example the same "
        "store; create a new one on each call (tempfile.TemporaryDirectory(), a new schema "
        "name, ...)."
    )


class StoreMachine(RuleBasedStateMachine):
    """Compares the store made by `open_store` with a `MemoryStore` after every step.

    Subclass it and set `open_store`, or use `StoreComparison`.
    """

    open_store: ClassVar[StoreFactory]

    def __init__(self) -> None:
        super().__init__()
        self._resources = contextlib.ExitStack()
        self.store: Store = self._resources.enter_context(type(self).open_store())
        try:
            self._require_empty()
        except BaseException:
            self._resources.close()
            raise
        self.model = MemoryStore()
        self._resources.enter_context(self.model)
        self.model_seq_of: dict[int, int] = {}  # store seq -> reference seq
        self.store_seq_of: dict[int, int] = {0: 0}  # reference seq -> store seq

    def teardown(self) -> None:
        """Close both stores (and run the factory's clean-up)."""
        self._resources.close()

    # ------------------------------------------------------------------ helpers

    def _require_empty(self) -> None:
        """Fail at once when the factory hands over a store that holds data."""
        found = _contents(self.store)
        if found is not None:
            raise AssertionError(_not_fresh(f"this one holds {found}"))

    def _expected(self, write_kind: str, collection: str, key: str, mode: str, wrong: int) -> Any:
        history = list(self.model.history(collection, key))
        head = history[-1] if history else None
        if mode == "wrong":
            return wrong
        if mode == "none":
            return None if write_kind == "put" else wrong
        if head is None:
            return None if write_kind == "put" else 1
        return head.version

    def _same(self, call: Callable[[Store], Any], what: str) -> tuple[tuple[str, Any], Any]:
        expected = _outcome(call, self.model)
        actual = _outcome(call, self.store)
        assert expected[0] == actual[0], (
            f"{brief(what, 400)}: reference {brief(expected, 400)}, store {brief(actual, 400)}"
        )
        if expected[0] != "ok":
            assert expected[1] == actual[1], (
                f"{brief(what, 400)}: reference {brief(expected, 400)}, store {brief(actual, 400)}"
            )
        return expected, actual[1]

    def _check_records(
        self, expected: Sequence[StoredRecord], actual: Sequence[StoredRecord], what: str
    ) -> None:
        mine, theirs = [_project(r) for r in actual], [_project(r) for r in expected]
        assert mine == theirs, f"{what}: {difference(theirs, mine, _SIDES)}"
        for position, (got, wanted) in enumerate(zip(actual, expected, strict=True)):
            assert self.model_seq_of.get(got.seq) == wanted.seq, (
                f"{what}: sequence numbers: at [{position}] {_project(got)[:3]} has seq "
                f"{got.seq} in the store, which stands for reference seq "
                f"{self.model_seq_of.get(got.seq)}, but the reference has {wanted.seq}"
            )

    def _read(self, records: Iterable[StoredRecord], what: str, most: int) -> list[StoredRecord]:
        """The store's records of a read: what the reference holds (`most`), and one more.

        One record too many shows in the comparison; more stop the read (a repeated page).
        """
        return read_at_most(records, most + 1, what)

    # ------------------------------------------------------------------ rules

    @rule(data=st.data())
    def write_batch(self, data: st.DataObject) -> None:
        """Write a batch of puts and deletes with right, missing or wrong expectations."""
        writes: list[Write] = []
        seen: set[tuple[str, str]] = set()
        keep_duplicates = data.draw(st.integers(0, 9)) == 0
        for _ in range(data.draw(st.integers(1, 6))):
            collection, key = data.draw(_collections), data.draw(_keys)
            if (collection, key) in seen and not keep_duplicates:
                continue
            seen.add((collection, key))
            kind = data.draw(st.sampled_from(("put", "put", "delete")))
            mode = data.draw(st.sampled_from(("right", "right", "right", "none", "wrong")))
            expected = self._expected(kind, collection, key, mode, data.draw(st.integers(1, 5)))
            if kind == "put":
                writes.append(Put(collection, key, data.draw(_records), expected))
            else:
                writes.append(Delete(collection, key, expected))
        (kind, reference), commit = self._same(lambda s: s.write(writes), f"write {writes}")
        if kind == "ok":
            assert commit.versions == reference.versions, (
                f"versions: reference {reference.versions}, store {commit.versions}"
            )
            previous = max(self.model_seq_of, default=0)
            assert list(commit.seqs) == sorted(set(commit.seqs)), (
                f"sequence numbers of one batch must increase: {commit.seqs}"
            )
            assert not commit.seqs or commit.seqs[0] > previous, (
                f"sequence numbers {commit.seqs} do not follow the last one, {previous}"
            )
            for mine, theirs in zip(commit.seqs, reference.seqs, strict=True):
                self.model_seq_of[mine] = theirs
                self.store_seq_of[theirs] = mine

    @rule(
        collection=_collections,
        fields=st.lists(st.sampled_from(FIELDS), max_size=2, unique=True),
    )
    def declare(self, collection: str, fields: list[str]) -> None:
        """Change a collection's indexed fields."""
        self._same(lambda s: s.declare(collection, indexed=fields), "declare")
        mine, theirs = self.store.indexed_fields(collection), self.model.indexed_fields(collection)
        assert mine == theirs, f"indexed fields of {collection}: reference {theirs}, store {mine}"

    @rule(collection=_collections, key=_keys)
    def get(self, collection: str, key: str) -> None:
        """Read one key."""
        expected, actual = self.model.get(collection, key), self.store.get(collection, key)
        self._check_records([expected] if expected else [], [actual] if actual else [], "get")

    @rule(collection=_collections, keys=st.lists(_keys, max_size=5))
    def get_many(self, collection: str, keys: list[str]) -> None:
        """Read several keys."""
        expected = self.model.get_many(collection, keys)
        actual = self.store.get_many(collection, keys)
        assert list(actual) == list(expected), (
            f"get_many {keys}: keys {difference(list(expected), list(actual), _SIDES)}"
        )
        self._check_records(list(expected.values()), list(actual.values()), "get_many")

    @rule(collection=_collections, data=st.data())
    def scan(self, collection: str, data: st.DataObject) -> None:
        """Scan a collection, filtered by some of its indexed fields (or by others)."""
        fields = data.draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True))
        where = {f: data.draw(st.sampled_from((*TEAMS, 0, 2))) for f in fields}
        (kind, expected), actual = self._same(
            lambda s: read_at_most(s.scan(collection, where), len(KEYS), f"scan {collection}"),
            f"scan {collection} {where}",
        )
        if kind == "ok":
            self._check_records(expected, actual, f"scan {collection} {where}")

    @rule(collection=_collections, key=_keys)
    def history(self, collection: str, key: str) -> None:
        """Read every version of a key."""
        expected = list(self.model.history(collection, key))
        what = f"history {collection} {key!r}"
        actual = self._read(
            self.store.history(collection, key), f"the store's {what}", len(expected)
        )
        self._check_records(expected, actual, what)

    @rule(data=st.data())
    def changes(self, data: st.DataObject) -> None:
        """Read the change feed from some position."""
        since = data.draw(st.sampled_from(sorted(self.store_seq_of)))
        expected = list(self.model.changes(since))
        what = f"changes since {since}"
        actual = self._read(
            self.store.changes(self.store_seq_of[since]), f"the store's {what}", len(expected)
        )
        self._check_records(expected, actual, what)

    # ------------------------------------------------------------------ invariant

    @invariant()
    def stores_agree(self) -> None:
        """Both stores hold the same live records, change feed and last sequence number."""
        for collection in COLLECTIONS:
            expected = list(self.model.scan(collection))
            what = f"content of {collection}"
            actual = self._read(
                self.store.scan(collection), f"the store's scan of {collection}", len(expected)
            )
            self._check_records(expected, actual, what)
        expected = list(self.model.changes(0))
        actual = self._read(self.store.changes(0), "the store's change feed", len(expected))
        self._check_records(expected, actual, "feed")
        last = self.store.last_seq()
        assert self.model_seq_of.get(last, 0 if last == 0 else None) == self.model.last_seq(), (
            f"last_seq(): the store says {last}, which stands for reference seq "
            f"{self.model_seq_of.get(last)}, but the reference's last is {self.model.last_seq()}"
        )


class StoreComparison:
    """Builds the state machine for one backend; its `TestCase` is what pytest runs.

    Args:
        factory: returns a fresh, empty store (or a context manager yielding one) on every
            call: hypothesis runs many examples and calls it once per example. A store that
            is not empty (say, one file reopened each time) fails the run at once, naming
            what it holds.
        settings: hypothesis settings for the run (e.g. fewer examples for a slow backend);
            by default the current profile's.

    Attributes:
        factory: the factory given.
        machine: the `StoreMachine` subclass bound to `factory`.
        TestCase: the `unittest.TestCase` that runs the machine (after `check_factory`).

    Inside a pytest test that needs fixtures (a server address, a temporary folder), build
    the comparison there and call `run()` instead of exposing `TestCase`.
    """

    def __init__(self, factory: StoreFactory, settings: hypothesis.settings | None = None) -> None:
        self.factory = factory
        self.machine: type[StoreMachine] = type(
            "StoreComparisonMachine", (StoreMachine,), {"open_store": staticmethod(factory)}
        )
        self.settings = settings
        comparison = self
        base: Any = self.machine.TestCase

        class TestCase(base):  # type: ignore[misc]
            def setUp(self) -> None:
                comparison.check_factory()

        TestCase.__name__ = TestCase.__qualname__ = base.__name__
        self.TestCase: Any = TestCase
        if settings is not None:
            self.TestCase.settings = settings

    def check_factory(self) -> None:
        """Check, before hypothesis starts, that the factory gives a fresh, empty store per call.

        Opens a store, checks it is empty, writes one record to it and closes it; then opens
        a second store and checks that it is empty too. (Inside hypothesis, a reused store
        would surface as "FlakyStrategyDefinition" or as a disagreement far from the cause.)

        Raises:
            AssertionError: a store is not empty, naming what it holds.
        """
        with self.factory() as first:
            found = _contents(first)
            if found is not None:
                raise AssertionError(_not_fresh(f"the first store it returned holds {found}"))
            first.write([Put("preflight", "probe", {"written_by": "check_factory"})])
        with self.factory() as second:
            found = _contents(second)
            if found is not None:
                raise AssertionError(
                    _not_fresh(
                        "the second store it returned holds a record written to the first "
                        f"({found})"
                    )
                )

    def run(self) -> None:
        """Check the factory, then run the machine (raises the first disagreement, shrunk)."""
        self.check_factory()
        run_state_machine_as_test(self.machine, settings=self.settings)
