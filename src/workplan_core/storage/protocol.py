"""The store protocol: what every storage backend implements.

A store keeps records (JSON-compatible dicts) under string keys in named collections. The
rules every backend honours, and that the conformance kit in
[workplan_core.testing.storage_kit][workplan_core.testing.storage_kit] checks:

* **Versions.** Each write of a key makes its next version (1, 2, 3, …). Prior versions stay
  readable through `history`; a delete writes a tombstone version and the key then reads as
  absent.
* **Atomic batches with optimistic concurrency.** `write` stores many puts and deletes across
  collections at once. Each names the version it expects (`None`: no live record). If any
  expectation fails nothing is written and
  [ConflictError][workplan_core.errors.ConflictError] lists every conflicting key.
* **Reads.** `get`, `get_many` and `scan`; a scan streams the live records of a collection in
  key order (Unicode code point order), optionally filtered by equality on fields the
  collection declared as indexed. Scans are iterators in constant memory; a scan that runs
  while others write sees each key at most once.
* **Change feed.** Every committed write gets a store-wide sequence number, strictly
  increasing in commit order; `changes(since)` streams the writes after `since` in that order,
  and `last_seq()` names the last one committed, so a reader can note where the feed stood
  and later read only what was committed since.
* **Errors.** Driver errors become [StorageError][workplan_core.errors.StorageError]
  subclasses; bad arguments raise [ValidationError][workplan_core.errors.ValidationError].
* **Lifecycle.** A store is a context manager; using it after `close()` raises
  [StoreClosedError][workplan_core.storage.errors.StoreClosedError].
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from workplan_core.storage.records import Commit, IndexValue, StoredRecord, Write

__all__ = ["ClosesOnExit", "Store"]


@runtime_checkable
class Store(Protocol):
    """A storage backend: versioned records in collections, atomic batches, a change feed."""

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        """Set the fields of `collection` that scans can filter by.

        Declaring is idempotent and may change the set at any time: entries for new fields
        are built from the live records (O(records in the collection)), entries for dropped
        fields are removed. Declarations persist with the store's data.

        Raises:
            ValidationError: a name is invalid.
        """
        ...

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        """The fields `collection` declared as indexed, sorted; empty when none."""
        ...

    def write(self, writes: Iterable[Write]) -> Commit:
        """Write a batch of puts and deletes atomically.

        Raises:
            ValidationError: some write is malformed (every problem is listed); nothing
                was written.
            ConflictError: some expectation failed (every conflicting key is listed);
                nothing was written.
        """
        ...

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None` if it was never written or is deleted."""
        ...

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist, by key, in the order first asked for."""
        ...

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Stream the live records of `collection` in key order.

        Args:
            collection: the collection to read.
            where: equality filters on indexed fields (all must hold). Values compare as
                JSON: `"1"`, `1` and `True` are different.

        Raises:
            ValidationError: a filtered field is not indexed or a value is not filterable.
        """
        ...

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Stream every version of `key`, oldest first, tombstones included."""
        ...

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Stream every committed write with a sequence number above `since`, in order."""
        ...

    def last_seq(self) -> int:
        """The sequence number of the last committed write; 0 before the first.

        `changes(since=last_seq())` then streams only writes committed after this call.
        """
        ...

    def close(self) -> None:
        """Release the store's resources; closing twice is harmless."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ClosesOnExit:
    """A base class for stores (and what wraps one): used as a context manager, it closes.

    `with store:` returns the object itself and calls its `close()` on the way out, as the
    protocol asks; a subclass defines `close`.
    """

    def close(self) -> None:
        """Release the resources; a subclass defines it."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
