"""The in-memory store (`memory://`): the reference implementation of the store protocol.

It is also a supported fake for users' tests: it keeps every rule of the protocol (versions,
atomic batches, conflicts, tombstones, history, the change feed, indexed scans) and nothing
outlives the object. Records are kept as their JSON text, so reads return fresh copies and
the stored data cannot be changed through a returned or a written dict.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, NamedTuple, Self

from sortedcontainers import SortedDict, SortedSet

from workplan_core.storage.batch import (
    Head,
    PreparedWrite,
    batch_index_entries,
    check_declaration,
    commit_time,
    next_versions,
    prepare_batch,
)
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    decode_record,
    index_entries,
    require_name,
    require_since,
    where_entries,
)
from workplan_core.storage.errors import StoreClosedError
from workplan_core.storage.records import Commit, IndexValue, StoredRecord, Write

__all__ = ["MemoryStore"]

_PAGE = 256


class _Entry(NamedTuple):
    key: str
    version: int
    seq: int
    text: str | None
    committed_at: dt.datetime
    pairs: tuple[tuple[str, str], ...]


class _Collection:
    """The versions, live records and index entries of one collection."""

    __slots__ = ("index", "indexed", "live", "name", "versions")

    def __init__(self, name: str) -> None:
        self.name = name
        self.indexed: tuple[str, ...] = ()
        self.versions: dict[str, list[_Entry]] = {}
        self.live: Any = SortedDict()  # key -> latest live _Entry, in key order
        self.index: dict[tuple[str, str], Any] = {}  # (field, value) -> SortedSet of keys

    def unindex(self, entry: _Entry) -> None:
        for pair in entry.pairs:
            keys = self.index[pair]
            keys.discard(entry.key)
            if not keys:
                del self.index[pair]

    def add_index(self, entry: _Entry) -> None:
        for pair in entry.pairs:
            keys = self.index.get(pair)
            if keys is None:
                keys = self.index[pair] = SortedSet()
            keys.add(entry.key)


class MemoryStore:
    """A store that keeps everything in this process's memory.

    Writes take a lock, so one store may be shared by threads. Every operation's cost is
    stated on the protocol; here a write is O(b log n) for a batch of b writes into
    collections of n keys, a filtered scan O(log n) per record returned.

    Example:
        >>> from workplan_core.storage import Put
        >>> with MemoryStore() as store:
        ...     commit = store.write([Put("people", "p-1", {"name": "Ada"})])
        ...     store.get("people", "p-1").record
        {'name': 'Ada'}
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._collections: dict[str, _Collection] = {}
        self._log: list[tuple[str, _Entry]] = []  # seq n is at index n - 1
        self._closed = False

    @classmethod
    def from_url(cls, url: str) -> MemoryStore:
        """Open a new, empty store for a `memory://` URL (anything after the scheme is ignored)."""
        return cls()

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Drop the data; closing twice is harmless."""
        with self._lock:
            self._closed = True
            self._collections = {}
            self._log = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError("memory: the store is closed")

    # ------------------------------------------------------------------ declarations

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        """Set the indexed fields of `collection`; O(records in the collection) when they change."""
        name, fields = check_declaration(collection, indexed)
        with self._lock:
            self._check_open()
            coll = self._collection(name)
            if coll.indexed == fields:
                return
            coll.indexed = fields
            coll.index = {}
            for key, entry in coll.live.items():
                record = decode_record(entry.text, name, key, entry.version)
                fresh = entry._replace(pairs=tuple(index_entries(record, fields)))
                coll.live[key] = fresh
                coll.versions[key][-1] = fresh
                coll.add_index(fresh)

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        """The fields `collection` declared as indexed, sorted."""
        require_name(collection, "$.collection")
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            return coll.indexed if coll is not None else ()

    def _collection(self, name: str) -> _Collection:
        coll = self._collections.get(name)
        if coll is None:
            coll = self._collections[name] = _Collection(name)
        return coll

    # ------------------------------------------------------------------ writes

    def write(self, writes: Iterable[Write]) -> Commit:
        """Write a batch atomically; O(b log n) for b writes."""
        batch = prepare_batch(writes)
        with self._lock:
            self._check_open()
            versions = next_versions(batch, self._heads(batch))
            indexed = {name: c.indexed for name, c in self._collections.items()}
            entries = batch_index_entries(batch, indexed)
            now = commit_time()
            first = len(self._log) + 1
            for offset, (write, version, pairs) in enumerate(
                zip(batch, versions, entries, strict=True)
            ):
                self._apply(
                    write, _Entry(write.key, version, first + offset, write.text, now, tuple(pairs))
                )
            seqs = tuple(range(first, first + len(batch)))
            return Commit(tuple(versions), seqs, now)

    def _heads(self, batch: list[PreparedWrite]) -> dict[tuple[str, str], Head]:
        heads: dict[tuple[str, str], Head] = {}
        for write in batch:
            coll = self._collections.get(write.collection)
            history = coll.versions.get(write.key) if coll is not None else None
            if history:
                last = history[-1]
                heads[(write.collection, write.key)] = Head(last.version, last.text is not None)
        return heads

    def _apply(self, write: PreparedWrite, entry: _Entry) -> None:
        coll = self._collection(write.collection)
        previous = coll.live.pop(write.key, None)
        if previous is not None:
            coll.unindex(previous)
        coll.versions.setdefault(write.key, []).append(entry)
        if entry.text is not None:
            coll.live[write.key] = entry
            coll.add_index(entry)
        self._log.append((write.collection, entry))

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _stored(collection: str, entry: _Entry) -> StoredRecord:
        record = (
            None
            if entry.text is None
            else decode_record(entry.text, collection, entry.key, entry.version)
        )
        return StoredRecord(
            collection, entry.key, entry.version, entry.seq, record, entry.committed_at
        )

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None`; O(1)."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            entry = coll.live.get(key) if coll is not None else None
        return None if entry is None else self._stored(collection, entry)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist; O(len(keys))."""
        require_name(collection, "$.collection")
        wanted = list(dict.fromkeys(keys))
        for i, key in enumerate(wanted):
            require_name(key, f"$.keys[{i}]", MAX_KEY_LENGTH)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            found = [coll.live.get(k) for k in wanted] if coll is not None else []
        return {e.key: self._stored(collection, e) for e in found if e is not None}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Stream live records in key order, filtered by indexed fields.

        Pages of 256 keys are taken under the lock; O(log n) per record returned.
        """
        require_name(collection, "$.collection")
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            pairs = where_entries(collection, where, coll.indexed if coll is not None else ())
        return self._scan(collection, pairs)

    def _scan(self, collection: str, pairs: list[tuple[str, str]]) -> Iterator[StoredRecord]:
        after: str | None = None
        while True:
            with self._lock:
                self._check_open()
                page = self._page(collection, pairs, after)
            for entry in page:
                self._check_open()
                yield self._stored(collection, entry)
            if len(page) < _PAGE:
                return
            after = page[-1].key

    def _page(
        self, collection: str, pairs: list[tuple[str, str]], after: str | None
    ) -> list[_Entry]:
        coll = self._collections.get(collection)
        if coll is None:
            return []
        live = coll.live
        if not pairs:
            start = 0 if after is None else live.bisect_right(after)
            return [live[k] for k in live.keys()[start : start + _PAGE]]
        found = [coll.index.get(pair) for pair in pairs]
        sets: list[Any] = [s for s in found if s is not None]
        if len(sets) < len(found):
            return []
        sets.sort(key=len)
        first, rest = sets[0], sets[1:]
        page: list[_Entry] = []
        start = 0 if after is None else first.bisect_right(after)
        while len(page) < _PAGE and start < len(first):
            keys = first[start : start + _PAGE]
            start += len(keys)
            page.extend(live[k] for k in keys if all(k in s for s in rest))
        return page[:_PAGE]

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Stream every version of `key`, oldest first; O(versions)."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            versions = list(coll.versions.get(key, ())) if coll is not None else []
        return self._versions(collection, versions)

    def _versions(self, collection: str, versions: list[_Entry]) -> Iterator[StoredRecord]:
        for entry in versions:
            self._check_open()
            yield self._stored(collection, entry)

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Stream committed writes after sequence number `since`, in commit order."""
        require_since(since)
        return self._changes(since)

    def _changes(self, since: int) -> Iterator[StoredRecord]:
        position = since
        while True:
            with self._lock:
                self._check_open()
                page = self._log[position : position + _PAGE]
            for collection, entry in page:
                self._check_open()
                yield self._stored(collection, entry)
            if len(page) < _PAGE:
                return
            position += len(page)
