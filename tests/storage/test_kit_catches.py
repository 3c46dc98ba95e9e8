"""The conformance kit catches a backend's mistakes, and says what is wrong.

Each mistake is planted in a store that wraps the memory store; the kit test that should catch
it is run against the broken store (it must fail with a message naming the values) and against
a correct store (it must pass). Persistence tests run on handles that share one memory store.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import posixpath
import re
import subprocess
import sys
import time
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import Phase, settings

from workplan_core.errors import ConflictError
from workplan_core.storage import (
    ClosesOnExit,
    Commit,
    IndexValue,
    Put,
    Store,
    StoreClosedError,
    StoredRecord,
)
from workplan_core.storage.memory import MemoryStore
from workplan_core.storage.records import Write
from workplan_core.testing import storage_kit
from workplan_core.testing.storage_kit import StoreConformance
from workplan_core.testing.storage_machine import StoreComparison

KIT = StoreConformance()


class Wrapped(ClosesOnExit):
    """A store that hands every call to a memory store; the planted mistakes override it."""

    def __init__(self, inner: MemoryStore | None = None) -> None:
        self.inner = MemoryStore() if inner is None else inner

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        self.inner.declare(collection, indexed)

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        return self.inner.indexed_fields(collection)

    def write(self, writes: Iterable[Write]) -> Commit:
        return self.inner.write(writes)

    def get(self, collection: str, key: str) -> StoredRecord | None:
        return self.inner.get(collection, key)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        return self.inner.get_many(collection, keys)

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        return self.inner.scan(collection, where)

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        return self.inner.history(collection, key)

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        return self.inner.changes(since)

    def last_seq(self) -> int:
        return self.inner.last_seq()

    def close(self) -> None:
        self.inner.close()


def run_kit(name: str, store: Store, reopen: Callable[[], Store] | None = None) -> None:
    """Run the kit test `name` on `store`, as pytest would with these fixtures."""
    method = getattr(KIT, name)
    with store:
        if "reopen" in inspect.signature(method).parameters:
            method(store, reopen)
        else:
            method(store)


def kit_failure(name: str, store: Store, reopen: Callable[[], Store] | None = None) -> str:
    """The message of the kit test `name` failing on `store`."""
    with pytest.raises(AssertionError) as caught:
        run_kit(name, store, reopen)
    return str(caught.value)


# ---------------------------------------------------------------- 1. messages show values


class OffByOneVersion(Wrapped):
    def get(self, collection: str, key: str) -> StoredRecord | None:
        got = self.inner.get(collection, key)
        return None if got is None else attrs.evolve(got, version=got.version + 1)


def test_the_kit_is_rewritten_so_plain_asserts_show_their_values() -> None:
    assert "@py_builtins" in vars(storage_kit)  # pytest rewrote the installed module's asserts
    message = kit_failure("test_first_write_creates_version_1", OffByOneVersion())
    assert "('things', 'a', 2, {'n': 1}) == ('things', 'a', 1, {'n': 1})" in message


def test_the_package_imports_without_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None; import workplan_core.testing as t; "
        "import workplan_core.testing._checks; print(sorted(t.__all__))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


# ---------------------------------------------------------------- 2. every read returns a copy


class SharedRecords(Wrapped):
    """Returns the same record object every time `shared` reads a version."""

    def __init__(self, shared: str) -> None:
        super().__init__()
        self.shared = shared
        self.kept: dict[tuple[str, str, int], StoredRecord] = {}

    def _keep(self, record: StoredRecord) -> StoredRecord:
        return self.kept.setdefault((record.collection, record.key, record.seq), record)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        found = super().get_many(collection, keys)
        if self.shared != "get_many":
            return found
        return {key: self._keep(record) for key, record in found.items()}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        records = super().scan(collection, where)
        return map(self._keep, records) if self.shared == "scan" else records

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        records = super().history(collection, key)
        return map(self._keep, records) if self.shared == "history" else records

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        records = super().changes(since)
        return map(self._keep, records) if self.shared == "changes" else records


@pytest.mark.parametrize("shared", ["get_many", "scan", "history", "changes"])
def test_a_record_shared_between_reads_is_caught(shared: str) -> None:
    message = kit_failure("test_records_of_every_read_are_copies", SharedRecords(shared))
    assert f"changing the record {shared} returned changed what" in message
    assert "'list': [1, {'deep': [2, 3]}, 99]" in message
    assert "stored {'list': [1, {'deep': [2]}]" in message


# ---------------------------------------------------------------- 3. a closed store


class ForgetsClosed(Wrapped):
    """Closes a flag that every method checks but `unchecked`; the data stays readable."""

    def __init__(self, unchecked: str) -> None:
        super().__init__()
        self.unchecked = unchecked
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def __getattribute__(self, name: str) -> Any:
        methods = {"get", "get_many", "scan", "history", "changes", "last_seq", "write", "declare"}
        unchecked = object.__getattribute__(self, "unchecked")
        closed = name in methods | {"indexed_fields"} and name != unchecked
        if closed and object.__getattribute__(self, "closed"):
            raise StoreClosedError("closed")
        return object.__getattribute__(self, name)


class ClosesOnce(Wrapped):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def close(self) -> None:
        if self.closed:
            raise StoreClosedError("already closed")
        self.closed = True
        self.inner.close()


@pytest.mark.parametrize(
    ("unchecked", "outcome"),
    [
        ("get", "get returned StoredRecord(collection='things', key='a'"),
        ("get_many", "get_many returned {'a': StoredRecord("),
        ("scan", "scan returned StoredRecord(collection='things', key='a'"),
        ("history", "history returned StoredRecord(collection='things', key='a'"),
        ("changes", "changes returned StoredRecord(collection='things', key='a'"),
        ("last_seq", "last_seq returned 2"),
        ("write", "write returned Commit(versions=(1,)"),
        ("declare", "declare returned None"),
        ("indexed_fields", "indexed_fields returned ('n',)"),
    ],
)
def test_a_method_working_after_close_is_caught(unchecked: str, outcome: str) -> None:
    message = kit_failure("test_every_method_refuses_work_once_closed", ForgetsClosed(unchecked))
    assert message.startswith("after close(), expected StoreClosedError, but ")
    assert outcome in message


def test_closing_twice_that_raises_is_caught() -> None:
    with pytest.raises(StoreClosedError, match="already closed"):
        run_kit("test_closing_twice_is_harmless", ClosesOnce())


# ---------------------------------------------------------------- 4. one batch, one commit time


class StampsEachVersion(Wrapped):
    """Reads its versions with committed_at changed by `stamp`, or returns another Commit time."""

    def __init__(self, mistake: str) -> None:
        super().__init__()
        self.mistake = mistake

    def _stamp(self, record: StoredRecord) -> StoredRecord:
        moment = record.committed_at
        if self.mistake == "one time per version":
            moment += dt.timedelta(microseconds=record.seq)
        elif self.mistake == "local time":
            moment = moment.astimezone(dt.timezone(dt.timedelta(hours=2)))
        elif self.mistake == "naive":
            moment = moment.replace(tzinfo=None)
        return attrs.evolve(record, committed_at=moment)

    def write(self, writes: Iterable[Write]) -> Commit:
        commit = super().write(writes)
        if self.mistake == "commit time taken apart":
            return attrs.evolve(commit, committed_at=commit.committed_at - dt.timedelta(3e-3))
        return commit

    def get(self, collection: str, key: str) -> StoredRecord | None:
        got = super().get(collection, key)
        return None if got is None else self._stamp(got)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        return {k: self._stamp(r) for k, r in super().get_many(collection, keys).items()}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        return map(self._stamp, super().scan(collection, where))

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        return map(self._stamp, super().history(collection, key))

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        return map(self._stamp, super().changes(since))


@pytest.mark.parametrize(
    ("mistake", "said"),
    [
        ("one time per version", "but its batch's Commit.committed_at is"),
        ("commit time taken apart", "but its batch's Commit.committed_at is"),
        ("local time", "+02:00, not a UTC datetime"),
        ("naive", " (no time zone), not a UTC datetime"),
    ],
)
def test_a_batch_with_several_times_is_caught(mistake: str, said: str) -> None:
    message = kit_failure("test_a_batch_has_one_commit_time", StampsEachVersion(mistake))
    assert "version 1 of ('things', 'a') carries committed_at" in message
    assert said in message


# ---------------------------------------------------------------- 5. awkward names


class Renaming(Wrapped):
    """Keeps records under names passed through `rename`, as a naive backend would."""

    def __init__(self, rename: Callable[[str], str], keys_too: bool = False) -> None:
        super().__init__()
        self.name = rename
        self.key = rename if keys_too else str

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        super().declare(self.name(collection), indexed)

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        return super().indexed_fields(self.name(collection))

    def write(self, writes: Iterable[Write]) -> Commit:
        renamed = [
            attrs.evolve(w, collection=self.name(w.collection), key=self.key(w.key)) for w in writes
        ]
        return super().write(renamed)

    def get(self, collection: str, key: str) -> StoredRecord | None:
        return super().get(self.name(collection), self.key(key))

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        return super().get_many(self.name(collection), [self.key(k) for k in keys])

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        return super().scan(self.name(collection), where)

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        return super().history(self.name(collection), self.key(key))


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


RENAMINGS: dict[str, tuple[Callable[[str], str], bool, str]] = {
    "percent-decoded": (urllib.parse.unquote, False, "collection '%41': writing 17 new keys"),
    "path-normalised": (posixpath.normpath, False, "expected ('a/../b', 'c', {'c': 'a/../b'"),
    "case-folded": (str.lower, False, "collection 'A': writing 17 new keys raised Conflict"),
    "stripped": (str.strip, False, "collection ' a': writing 17 new keys raised Conflict"),
    "unicode-normalised": (_nfc, False, "collection 'e\u0301': writing 17 new keys raised"),
    "truncated": (lambda s: s[:32], False, f"collection '{'c' * 63}d': writing 17 new keys"),
    "keys percent-decoded": (urllib.parse.unquote, True, "collection 'a': writing 17 new keys"),
}


@pytest.mark.parametrize("mistake", list(RENAMINGS))
def test_a_store_that_changes_names_is_caught(mistake: str) -> None:
    rename, keys_too, named = RENAMINGS[mistake]
    message = kit_failure(
        "test_awkward_collection_names_and_keys_are_stored_verbatim", Renaming(rename, keys_too)
    )
    assert named in message


# ---------------------------------------------------------------- 6. two handles on one store


class Handle(Wrapped):
    """One handle on data shared by every handle (a memory store), with a planted `mistake`."""

    def __init__(self, data: MemoryStore, mistake: str | None = None) -> None:
        super().__init__(data)
        self.mistake = mistake
        self.closed = False
        self.seen: dict[tuple[str, str], StoredRecord] = {}
        self.next_seq = 1 + max((c.seq for c in data.changes(0)), default=0)
        self.own_last = 0

    def close(self) -> None:
        self.closed = True  # the data stays, for the other handles

    def get(self, collection: str, key: str) -> StoredRecord | None:
        if self.mistake == "caches reads" and (collection, key) in self.seen:
            return self.seen[(collection, key)]
        got = super().get(collection, key)
        if got is not None:
            self.seen[(collection, key)] = got
        return got

    def write(self, writes: Iterable[Write]) -> Commit:
        batch = list(writes)
        if self.mistake == "writes one at a time":
            commits = [super(Handle, self).write([w]) for w in batch]
            return Commit(
                tuple(v for c in commits for v in c.versions),
                tuple(s for c in commits for s in c.seqs),
                commits[-1].committed_at,
            )
        if self.mistake == "trusts its own reads":
            batch = [self._trusted(w) for w in batch]
        commit = super().write(batch)
        if self.mistake == "numbers its own commits":
            seqs = tuple(range(self.next_seq, self.next_seq + len(commit.seqs)))
            self.next_seq += len(seqs)
            commit = attrs.evolve(commit, seqs=seqs)
        if commit.seqs:
            self.own_last = commit.seqs[-1]
        return commit

    def last_seq(self) -> int:
        if self.mistake == "remembers its own last write":
            return self.own_last
        return super().last_seq()

    def _trusted(self, write: Write) -> Write:
        """The write expecting the stored version, when this handle saw what it expects."""
        seen = self.seen.get((write.collection, write.key))
        if seen is None or seen.version != write.expected_version:
            return write
        head = self.inner.get(write.collection, write.key)
        return attrs.evolve(write, expected_version=head.version if head else None)


PERSISTENCE_TESTS = [
    "test_everything_survives_a_reopen",
    "test_two_handles_see_each_others_commits",
    "test_a_handle_that_read_an_old_version_conflicts",
    "test_sequence_numbers_increase_across_handles",
]


@pytest.mark.parametrize("name", PERSISTENCE_TESTS)
def test_correct_handles_pass_the_persistence_tests(name: str) -> None:
    data = MemoryStore()
    run_kit(name, Handle(data), lambda: Handle(data))


@pytest.mark.parametrize(
    ("mistake", "name", "said"),
    [
        (
            "trusts its own reads",
            "test_a_handle_that_read_an_old_version_conflicts",
            "handle A wrote ('things', 'a') expecting version 1 after handle B had written "
            "version 2, and no ConflictError was raised",
        ),
        (
            "writes one at a time",
            "test_a_handle_that_read_an_old_version_conflicts",
            "('things', 'fresh') read by handle A: expected None, got StoredRecord(",
        ),
        (
            "caches reads",
            "test_a_handle_that_read_an_old_version_conflicts",
            "('things', 'a') read by handle A after the conflict: expected (2, {'n': 2}), "
            "got (1, {'n': 1})",
        ),
        (
            "numbers its own commits",
            "test_sequence_numbers_increase_across_handles",
            "must be unique and increasing: [('A', 1), ('A', 2), ('B', 1), ('B', 2),",
        ),
        (
            "remembers its own last write",
            "test_sequence_numbers_increase_across_handles",
            "last_seq() read by handle B: expected 12, got 10",
        ),
    ],
)
def test_a_handle_mistake_is_caught(mistake: str, name: str, said: str) -> None:
    data = MemoryStore()
    message = kit_failure(name, Handle(data, mistake), lambda: Handle(data, mistake))
    assert said in message


# ---------------------------------------------------------------- 7. reads that never end


class ReadOnForeverError(BaseException):
    """Raised by `RepeatsAPage` once far more was read than any kit test writes."""


class RepeatsAPage(Wrapped):
    """`method` yields its first page (up to 500 records) again and again, never ending."""

    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method

    def _forever(self, records: Iterator[StoredRecord]) -> Iterator[StoredRecord]:
        page = list(itertools.islice(records, 500))
        if not page:
            return iter(())
        return self._repeat(page)

    @staticmethod
    def _repeat(page: list[StoredRecord]) -> Iterator[StoredRecord]:
        for count, record in enumerate(itertools.cycle(page)):
            if count > 200_000:
                raise ReadOnForeverError("the kit read on and on")
            yield record

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        records = super().scan(collection, where)
        return self._forever(records) if self.method == "scan" else records

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        records = super().history(collection, key)
        return self._forever(records) if self.method == "history" else records

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        records = super().changes(since)
        return self._forever(records) if self.method == "changes" else records


@pytest.mark.parametrize(
    ("method", "name", "said"),
    [
        (
            "scan",
            "test_scan_streams_more_than_a_page",
            "scan yielded more than 1234 records: does it repeat a page? ('things', 'k00000', "
            "version 1, seq 1234 came back at positions 0 and 500)",
        ),
        (
            "changes",
            "test_changes_stream_more_than_a_page",
            "changes yielded more than 1100 records: does it repeat a page? ('things', "
            "'k00000', version 1, seq 1 came back at positions 0 and 500)",
        ),
        (
            "history",
            "test_history_lists_every_version_oldest_first",
            "history yielded more than 2000 records: does it repeat a page? ('things', 'a', "
            "version 1, seq 1 came back at positions 0 and 4)",
        ),
    ],
)
def test_a_read_that_never_ends_is_caught(method: str, name: str, said: str) -> None:
    assert said in kit_failure(name, RepeatsAPage(method))


@pytest.mark.parametrize("method", ["scan", "history", "changes"])
def test_every_kit_test_stops_reading_a_repeated_page(method: str) -> None:
    started = time.perf_counter()
    outcomes: dict[str, str] = {}
    for name in sorted(n for n in dir(KIT) if n.startswith("test_")):
        try:
            run_kit(name, RepeatsAPage(method))
        except ReadOnForeverError:
            outcomes[name] = "read on forever"
        except (Exception, pytest.skip.Exception) as error:
            outcomes[name] = type(error).__name__
        else:
            outcomes[name] = "passed"
    assert "read on forever" not in outcomes.values(), outcomes
    assert "AssertionError" in outcomes.values()
    assert time.perf_counter() - started < 30


def test_the_machine_stops_reading_a_repeated_page() -> None:
    comparison = StoreComparison(
        lambda: RepeatsAPage("changes"),
        settings(max_examples=300, stateful_step_count=10, database=None, phases=[Phase.generate]),
    )
    with pytest.raises(AssertionError, match=r"yielded more than .* does it repeat a page"):
        comparison.run()


# ---------------------------------------------------------------- the checks pass on memory

CHECKS = [
    "test_first_write_creates_version_1",
    "test_records_of_every_read_are_copies",
    "test_every_method_refuses_work_once_closed",
    "test_closing_twice_is_harmless",
    "test_a_batch_has_one_commit_time",
    "test_awkward_collection_names_and_keys_are_stored_verbatim",
    "test_scan_streams_more_than_a_page",
    "test_changes_stream_more_than_a_page",
    "test_history_lists_every_version_oldest_first",
]


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("store", [MemoryStore, Wrapped], ids=["memory", "wrapped"])
def test_the_checks_pass_on_a_correct_store(name: str, store: Callable[[], Store]) -> None:
    run_kit(name, store())


def test_a_conflict_is_still_a_conflict() -> None:
    """The kit lets a store's `ConflictError` through where it expects one (sanity)."""
    with Wrapped() as store:
        store.write([Put("c", "k", {})])
        with pytest.raises(ConflictError):
            store.write([Put("c", "k", {})])


class LosesTheFirstChange(Wrapped):
    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        records = super().changes(since)
        next(records, None)
        return records


def test_the_machine_shows_where_the_stores_differ() -> None:
    comparison = StoreComparison(
        LosesTheFirstChange,
        settings(max_examples=300, stateful_step_count=10, database=None, phases=[Phase.generate]),
    )
    with pytest.raises(AssertionError) as caught:
        comparison.run()
    message = str(caught.value).splitlines()[0]
    at_first = r"at \[0\] reference \('\w+', .*\), store \('\w+', .*\) \(\d+ reference, \d+ store\)"
    missing = r"1 reference, 0 store; the first missing is \('\w+', .*\)"
    assert re.fullmatch(rf"(feed|changes since \d+): ({at_first}|{missing})", message), message
