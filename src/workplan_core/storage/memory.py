"""The in-memory store (`memory://`): the reference implementation of the store protocol.

It is also a supported fake for users' tests: it keeps every rule of the protocol (versions,
atomic batches, conflicts, tombstones, history, the change feed, indexed scans) and nothing
outlives the object. The stored data cannot be changed through a written or a returned dict:
a record whose values are all scalars is kept as a tuple of its values (beside one shared
tuple of field names per shape) and read back as a fresh dict; a record that nests lists or
objects is kept as its JSON text and decoded on every read.

Key order is kept lazily: a write only notes which keys arrived or left, and the sorted order
of a collection (or of one indexed value) is brought up to date by the next scan that needs
it — by sorting, when many keys changed since, or key by key, in O(log n) each, when few did.
Each version is a plain tuple that points to its key's previous one (history is a chain), and
the change feed is kept in one tuple per batch. The cyclic garbage collector stops tracking a
tuple that holds only strings, numbers and such tuples, so a million versions add nothing to
its full collections (which would otherwise trace every one of them, again and again, while
the store grows); a write runs with the collector paused (it makes no reference cycles).
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, repeat
from typing import Any, Final, cast

from sortedcontainers import SortedList

from workplan_core._collector import collector_paused
from workplan_core.storage.batch import (
    CheckedBatch,
    Head,
    check_batch,
    check_declaration,
    commit_time,
    next_versions,
)
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    decode_record,
    encode_record,
    index_entries,
    index_texts,
    require_keys,
    require_name,
    require_since,
    where_entries,
)
from workplan_core.storage.errors import StoreClosedError
from workplan_core.storage.protocol import ClosesOnExit
from workplan_core.storage.records import (
    Commit,
    IndexValue,
    JsonRecord,
    StoredRecord,
    Write,
    _stored_record,
)

__all__ = ["MemoryStore"]

_PAGE = 256
_REBUILD_SHARE = 4  # rebuild a sorted order when over a quarter of its keys changed

Flat = tuple[tuple[str, ...], tuple[Any, ...]]
"""A kept flat record: its field names (one tuple shared by every record of that shape) and
its values, all scalars."""

Body = Flat | str | None
"""A kept record: a flat record's names and values, the JSON text of a nested one, or `None`."""

# A version is a plain tuple of these fields.
_COLLECTION: Final = 0
_KEY: Final = 1
_VERSION: Final = 2
_SEQ: Final = 3
_BODY: Final = 4
_COMMITTED_AT: Final = 5
_PREV: Final = 6
_Entry = tuple[str, str, int, int, Body, dt.datetime, Any]
"""One version: collection, key, version, sequence number, body, commit time and the key's
previous version (`None` for the first: history is a chain).

A plain tuple of strings, numbers, tuples, a datetime and `None`: the cyclic garbage
collector stops tracking such a tuple the first time it sees it, so a million versions add
nothing to the work of its later, full collections (a named tuple, or a dict inside, would be
traced by every one of them)."""


class _Keys:
    """A set of keys whose sorted order is brought up to date only when it is read.

    The caller knows whether a key is in the set: `insert` takes a key that is not, `remove`
    one that is. Both cost O(1): inserted keys wait in chunks (tuples, which the cyclic
    garbage collector stops visiting once it has seen them), removed ones in a hash set.
    `ordered()` then merges the changes into the sorted list: key by key (O(log n) each)
    when few changed, by sorting everything again (O(n log n), in C) when many did.
    """

    __slots__ = ("count", "order", "pending", "removed")

    def __init__(self) -> None:
        self.order: Any = SortedList()
        self.pending: list[tuple[str, ...]] = []  # chunks of keys missing from `order`
        self.count = 0  # keys in `pending`
        self.removed: set[str] = set()  # keys of `order` or `pending` no longer in the set

    def __len__(self) -> int:
        return len(self.order) + self.count - len(self.removed)

    def insert(self, key: str) -> None:
        if key in self.removed:
            self.removed.discard(key)  # it is still in `order` or `pending`
        else:
            self.pending.append((key,))
            self.count += 1

    def insert_many(self, keys: list[str]) -> None:
        if self.removed:
            back = self.removed.intersection(keys)
            if back:
                self.removed -= back
                keys = [key for key in keys if key not in back]
        self.pending.append(tuple(keys))
        self.count += len(keys)

    def remove(self, key: str) -> None:
        self.removed.add(key)

    def ordered(self) -> Any:
        """The keys as a `SortedList`, brought up to date."""
        if self.count or self.removed:
            added = set(chain.from_iterable(self.pending))
            removed = self.removed
            if removed and added:
                cancelled = removed & added
                added -= cancelled
                removed = removed - cancelled
            if (len(added) + len(removed)) * _REBUILD_SHARE >= len(self.order):
                keys = set(self.order)
                keys -= removed
                keys |= added
                self.order = SortedList(keys)
            else:
                for key in removed:
                    self.order.remove(key)
                self.order.update(added)
            self.pending = []
            self.count = 0
            self.removed = set()
        return self.order


class _Collection:
    """The versions, live keys and index entries of one collection."""

    __slots__ = ("heads", "index", "indexed", "name", "order")

    def __init__(self, name: str) -> None:
        self.name = name
        self.indexed: tuple[str, ...] = ()
        self.heads: dict[str, _Entry] = {}  # key -> latest version (live or tombstone)
        self.order = _Keys()  # the live keys
        self.index: dict[tuple[str, str], _Keys] = {}  # (field, value text) -> live keys

    def live(self, key: str) -> _Entry | None:
        """The latest version of `key` when it is live."""
        entry = self.heads.get(key)
        return entry if entry is not None and entry[_BODY] is not None else None

    def pairs(self, entry: _Entry | None) -> set[tuple[str, str]]:
        """The index entries of a live version (computed again: entries do not keep them)."""
        if entry is None or not self.indexed:
            return set()
        record = _record(entry)
        return set(index_entries(record, self.indexed)) if record is not None else set()

    def reindex(self, key: str, old: set[tuple[str, str]], new: set[tuple[str, str]]) -> None:
        """Move `key` from the index entries `old` to `new`."""
        for pair in old - new:
            keys = self.index[pair]
            keys.remove(key)
            if not keys:
                del self.index[pair]
        for pair in new - old:
            found = self.index.get(pair)
            if found is None:
                found = self.index[pair] = _Keys()
            found.insert(key)


class _Shapes:
    """One shared tuple of field names per record shape (the names of kept flat records)."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}

    def flat(self, records: list[JsonRecord]) -> list[Body]:
        """Flat records as kept bodies; O(total fields), in C."""
        names = list(map(tuple, records))
        shared = map(self._names.setdefault, names, names)
        return list(zip(shared, map(tuple, map(dict.values, records)), strict=True))

    def keep(self, record: JsonRecord | None) -> Body:
        """What the store keeps of one record: a flat one's names and values, else its JSON."""
        if record is None:
            return None
        for value in record.values():
            if type(value) is list or type(value) is dict:
                return encode_record(record)
        names = tuple(record)
        return (self._names.setdefault(names, names), tuple(record.values()))

    def bodies(self, checked: CheckedBatch) -> list[Body]:
        """What the store keeps of each write of a checked batch."""
        records = checked.records
        if not checked.nested and None not in records:
            return self.flat(cast(list[JsonRecord], records))
        return list(map(self.keep, records))


def _record(entry: _Entry) -> JsonRecord | None:
    """A fresh dict of a version's record; `None` for a tombstone."""
    body = entry[_BODY]
    if body is None:
        return None
    if type(body) is tuple:
        return dict(zip(*body, strict=True))
    return decode_record(cast(str, body), entry[_COLLECTION], entry[_KEY], entry[_VERSION])


class MemoryStore(ClosesOnExit):
    """A store that keeps everything in this process's memory.

    Writes take a lock, so one store may be shared by threads. Costs: a write of b records is
    O(b) (key order is kept lazily, see the module's docs); `get` O(1); a scan O(log n) per
    record returned, plus, after writes, bringing the key order up to date: O(k log n) for k
    changed keys, or one sort of the collection (O(n log n) in C) when k is a large share of n.

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
        # The change feed, in chunks of one batch each (tuples: see `_Keys`).
        self._chunks: list[tuple[_Entry, ...]] = []
        self._starts: list[int] = []  # the sequence number of each chunk's first entry
        self._last = 0  # the last sequence number
        self._shapes = _Shapes()
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
            self._chunks = []
            self._starts = []

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
            for key, entry in coll.heads.items():
                if entry[_BODY] is not None:
                    coll.reindex(key, set(), coll.pairs(entry))

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
        """Write a batch atomically; O(b) for b writes (see the class's docs)."""
        with collector_paused():  # b versions, no cycles: see the module's docs
            return self._write(writes)

    def _write(self, writes: Iterable[Write]) -> Commit:
        checked = check_batch(writes, encode=False)
        bodies = self._shapes.bodies(checked)
        with self._lock:
            self._check_open()
            now = commit_time()
            first = self._last + 1
            if not self._load(checked, bodies, first, now):
                versions = next_versions(checked.prepared(), self._heads(checked))
                rows = zip(checked.collections, checked.keys, bodies, versions, strict=True)
                entries: list[_Entry] = []
                for seq, (name, key, body, version) in enumerate(rows, first):
                    coll = self._collection(name)
                    entry = (name, key, version, seq, body, now, coll.heads.get(key))
                    self._apply(coll, entry)
                    entries.append(entry)
                self._append(entries)
                return Commit(tuple(versions), tuple(range(first, first + len(bodies))), now)
        count = len(bodies)
        return Commit((1,) * count, tuple(range(first, first + count)), now)

    def _load(
        self, checked: CheckedBatch, bodies: list[Body], first: int, now: dt.datetime
    ) -> bool:
        """Write a batch of new keys into one collection in bulk; `False` if it is not one.

        The common bulk load: every write a put expecting no live record, of keys the
        collection has never held. Everything runs in C but for one step per index entry.
        """
        keys = checked.keys
        if not keys or not checked.all_new or len(set(checked.collections)) != 1:
            return False
        name = checked.collections[0]
        coll = self._collection(name)
        if any(map(coll.heads.get, keys)):
            return False
        seqs = range(first, first + len(keys))
        columns = zip(repeat(name), keys, repeat(1), seqs, bodies, repeat(now), repeat(None))
        entries: list[_Entry] = list(columns)
        coll.heads.update(zip(keys, entries, strict=True))
        coll.order.insert_many(keys)
        for field in coll.indexed:
            texts = index_texts(checked.records, field)
            groups: dict[str, list[str]] = {}
            for key, text in zip(keys, texts, strict=True):
                if text is not None:
                    groups.setdefault(text, []).append(key)
            for text, members in groups.items():
                found = coll.index.get((field, text))
                if found is None:
                    found = coll.index[(field, text)] = _Keys()
                found.insert_many(members)
        self._append(entries)
        return True

    def _append(self, entries: list[_Entry]) -> None:
        """Add a batch's versions to the change feed."""
        if entries:
            self._starts.append(entries[0][_SEQ])
            self._chunks.append(tuple(entries))
            self._last = entries[-1][_SEQ]

    def _heads(self, checked: CheckedBatch) -> dict[tuple[str, str], Head]:
        heads: dict[tuple[str, str], Head] = {}
        for name, key in zip(checked.collections, checked.keys, strict=True):
            coll = self._collections.get(name)
            last = coll.heads.get(key) if coll is not None else None
            if last is not None:
                heads[(name, key)] = Head(last[_VERSION], last[_BODY] is not None)
        return heads

    def _apply(self, coll: _Collection, entry: _Entry) -> None:
        key = entry[_KEY]
        live = entry[_BODY] is not None
        previous = coll.live(key)
        coll.heads[key] = entry
        if live and previous is None:
            coll.order.insert(key)
        elif not live and previous is not None:
            coll.order.remove(key)
        old, new = coll.pairs(previous), coll.pairs(entry if live else None)
        if old or new:
            coll.reindex(key, old, new)

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _stored(entry: _Entry) -> StoredRecord:
        return _stored_record(
            entry[_COLLECTION],
            entry[_KEY],
            entry[_VERSION],
            entry[_SEQ],
            _record(entry),
            entry[_COMMITTED_AT],
        )

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None`; O(1)."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            entry = coll.live(key) if coll is not None else None
        return None if entry is None else self._stored(entry)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist; O(len(keys))."""
        require_name(collection, "$.collection")
        wanted = require_keys(keys)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            found = list(map(coll.live, wanted)) if coll is not None else []
        stored = self._stored
        return {e[_KEY]: stored(e) for e in found if e is not None}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Stream live records in key order, filtered by indexed fields.

        Pages of 256 keys are taken under the lock; O(log n) per record returned (and see the
        class's docs for the cost of bringing the key order up to date after writes).
        """
        require_name(collection, "$.collection")
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            pairs = where_entries(collection, where, coll.indexed if coll is not None else ())
        return self._scan(collection, pairs)

    def _scan(self, collection: str, pairs: list[tuple[str, str]]) -> Iterator[StoredRecord]:
        after: str | None = None
        stored = self._stored
        while True:
            with self._lock:
                self._check_open()
                page = self._page(collection, pairs, after)
            for entry in page:
                self._check_open()
                yield stored(entry)
            if len(page) < _PAGE:
                return
            after = page[-1][_KEY]

    def _page(
        self, collection: str, pairs: list[tuple[str, str]], after: str | None
    ) -> list[_Entry]:
        coll = self._collections.get(collection)
        if coll is None:
            return []
        heads = coll.heads
        if not pairs:
            order = coll.order.ordered()
            start = 0 if after is None else order.bisect_right(after)
            return list(map(heads.__getitem__, order[start : start + _PAGE]))
        found = [coll.index.get(pair) for pair in pairs]
        sets = [s for s in found if s is not None]
        if len(sets) < len(found):
            return []
        sets.sort(key=len)
        order = sets[0].ordered()
        wanted = set(pairs)
        page: list[_Entry] = []
        start = 0 if after is None else order.bisect_right(after)
        while len(page) < _PAGE and start < len(order):
            keys = order[start : start + _PAGE]
            start += len(keys)
            entries = list(map(heads.__getitem__, keys))
            if len(pairs) > 1:  # the other filters: check each record's own entries
                entries = [e for e in entries if wanted <= coll.pairs(e)]
            page.extend(entries)
        return page[:_PAGE]

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Stream every version of `key`, oldest first; O(versions)."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        with self._lock:
            self._check_open()
            coll = self._collections.get(collection)
            entry = coll.heads.get(key) if coll is not None else None
            versions: list[_Entry] = []
            while entry is not None:
                versions.append(entry)
                entry = entry[_PREV]
        versions.reverse()
        return self._versions(versions)

    def _versions(self, versions: list[_Entry]) -> Iterator[StoredRecord]:
        for entry in versions:
            self._check_open()
            yield self._stored(entry)

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Stream committed writes after sequence number `since`, in commit order."""
        require_since(since)
        with self._lock:
            self._check_open()
        return self._changes(since)

    def last_seq(self) -> int:
        """The sequence number of the last committed write (0 before the first); O(1)."""
        with self._lock:
            self._check_open()
            return self._last

    def _log_page(self, position: int) -> list[_Entry]:
        """Up to a page of the versions with sequence numbers above `position`."""
        index = max(bisect.bisect_right(self._starts, position + 1) - 1, 0)
        offset = position + 1 - self._starts[index] if self._starts else 0
        page: list[_Entry] = []
        while index < len(self._chunks) and len(page) < _PAGE:
            page.extend(self._chunks[index][offset : offset + _PAGE - len(page)])
            index += 1
            offset = 0
        return page

    def _changes(self, since: int) -> Iterator[StoredRecord]:
        position = since
        while True:
            with self._lock:
                self._check_open()
                page = self._log_page(position)
            for entry in page:
                self._check_open()
                yield self._stored(entry)
            if len(page) < _PAGE:
                return
            position += len(page)
