"""An example storage backend, written the way a plugin author would write one.

It keeps every version in plain dicts and lists and favours clarity over speed (a scan sorts
the collection's keys). Everything hard — checking arguments and batches, conflicts, indexing,
encoding — is done by the library's helpers in `workplan_core.storage.batch` and `.encoding`,
so the store behaves exactly like the library's own. The package's `pyproject.toml` declares
the entry point that makes ``open_store("example://")`` find it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from workplan_core.storage import (
    ClosesOnExit,
    Commit,
    IndexValue,
    StoreClosedError,
    StoredRecord,
    Write,
)
from workplan_core.storage.batch import (
    Head,
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
    require_keys,
    require_name,
    require_since,
    where_entries,
)

__all__ = ["ExampleStore", "open_example_store"]


class _Version(NamedTuple):
    collection: str
    key: str
    version: int
    seq: int
    text: str | None  # the record's JSON text; None for a tombstone
    committed_at: dt.datetime


class ExampleStore(ClosesOnExit):
    """A store in plain Python containers: `example://` (each open is a new, empty store)."""

    def __init__(self) -> None:
        self._versions: dict[tuple[str, str], list[_Version]] = {}
        self._log: list[_Version] = []
        self._indexed: dict[str, tuple[str, ...]] = {}
        self._closed = False

    # -- lifecycle

    def close(self) -> None:
        """Forget everything."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError("example: the store is closed")

    # -- declarations

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        """Set the indexed fields (entries are computed at scan time here)."""
        name, fields = check_declaration(collection, indexed)
        self._check_open()
        self._indexed[name] = fields

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        """The declared indexed fields of `collection`."""
        require_name(collection, "$.collection")
        self._check_open()
        return self._indexed.get(collection, ())

    # -- writes

    def write(self, writes: Iterable[Write]) -> Commit:
        """Check the batch with the library's helpers, then append every version."""
        batch = prepare_batch(writes)  # ValidationError listing every problem
        self._check_open()
        heads = {
            (w.collection, w.key): Head(last.version, last.text is not None)
            for w in batch
            if (last := self._latest(w.collection, w.key)) is not None
        }
        versions = next_versions(batch, heads)  # ConflictError listing every conflict
        batch_index_entries(batch, self._indexed)  # (kept for parity; computed again on scan)
        now = commit_time()
        seqs = []
        for write, version in zip(batch, versions, strict=True):
            seq = len(self._log) + 1
            entry = _Version(write.collection, write.key, version, seq, write.text, now)
            self._versions.setdefault((write.collection, write.key), []).append(entry)
            self._log.append(entry)
            seqs.append(seq)
        return Commit(tuple(versions), tuple(seqs), now)

    def _latest(self, collection: str, key: str) -> _Version | None:
        history = self._versions.get((collection, key))
        return history[-1] if history else None

    # -- reads

    @staticmethod
    def _stored(v: _Version) -> StoredRecord:
        record = None if v.text is None else decode_record(v.text, v.collection, v.key, v.version)
        return StoredRecord(v.collection, v.key, v.version, v.seq, record, v.committed_at)

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None`."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        self._check_open()
        latest = self._latest(collection, key)
        return None if latest is None or latest.text is None else self._stored(latest)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist, in the order asked for."""
        found = {}
        for key in require_keys(keys):  # a bare string is refused, not read char by char
            stored = self.get(collection, key)
            if stored is not None:
                found[key] = stored
        return found

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Live records in key order; O(n log n) per scan (sorting), fine for an example."""
        require_name(collection, "$.collection")
        self._check_open()
        fields = self._indexed.get(collection, ())
        wanted = set(where_entries(collection, where, fields))
        keys = sorted(k for (c, k) in self._versions if c == collection)
        return self._scan(collection, keys, fields, wanted)

    def _scan(
        self,
        collection: str,
        keys: list[str],
        fields: tuple[str, ...],
        wanted: set[tuple[str, str]],
    ) -> Iterator[StoredRecord]:
        for key in keys:
            self._check_open()
            stored = self.get(collection, key)
            if stored is None or stored.record is None:
                continue
            if wanted <= set(index_entries(stored.record, fields)):
                yield stored

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Every version of `key`, oldest first."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        self._check_open()
        return self._each(list(self._versions.get((collection, key), ())))

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Every write after `since`, in commit order (seq n is at index n - 1)."""
        require_since(since)
        self._check_open()
        return self._each(self._log[since:])

    def last_seq(self) -> int:
        """The sequence number of the last write (the feed's length: seq n is at n - 1)."""
        self._check_open()
        return len(self._log)

    def _each(self, versions: list[_Version]) -> Iterator[StoredRecord]:
        for version in versions:
            self._check_open()
            yield self._stored(version)


def open_example_store(url: str) -> ExampleStore:
    """The factory the entry point names: called with the whole `example://…` URL."""
    return ExampleStore()
