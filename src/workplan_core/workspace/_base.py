"""A save's base: what a workspace last loaded or saved of a collection, what changed since.

A save is a three-way merge of the caller's records, the base and the store (see `_merge`): it
must know what other writers changed since the base. Reading the whole collection tells, at
O(records) per save. Each [Base][workplan_core.workspace._base.Base] therefore keeps a
*position* in the store's change feed with this promise: every way in which the collection as
stored differs from the base (a record another writer added, changed or deleted) shows as a
change after that position. A save then reads only the changes after it
([Changed][workplan_core.workspace._base.Changed]), at O(changes) — unless there are more of
them than the collection has records, when reading the collection is cheaper
([Scanned][workplan_core.workspace._base.Scanned]).

The promise holds after a load (the base *is* the store at the moment the load shows) and
after any save: the keys a save writes match the store at their new versions, and the others
keep whatever differences they had, still after the position. A save moves the position
forward only when it found no other writer's change to the collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from workplan_core.storage import Store, StoredRecord

__all__ = ["FEW_CHANGES", "Base", "Changed", "Scanned", "read_changes", "reads_feed"]

FEW_CHANGES = 1024
"""Reading the changes after a base's position beats reading the collection when there are
at most this many of them, or at most as many as the collection has records."""


def reads_feed(since: int, last: int, records: int) -> bool:
    """Whether reading the changes after `since` beats reading `records` records.

    It does when the feed, standing at `last`, holds at most as many changes since, or at
    most `FEW_CHANGES`.
    """
    return last - since <= max(records, FEW_CHANGES)


class _Seen(NamedTuple):
    """A record as this workspace last saw it stored: its version and its value."""

    version: int
    value: Any


class Base:
    """What a workspace last loaded or saved of one collection.

    Attributes:
        records: key -> the record as last loaded or saved here.
        order: the section's order record as seen (``{collection: _Seen}``; empty: none).
        position: a change feed position: every difference between the store and `records`
            shows as a change after it (see the module's docs).
        keys: the section's keys in the order loaded or saved.
        order_merged: whether the store holds the keys in another order than `keys` (a save
            merged the caller's order with another writer's): the next save merges again.
        by_identity: whether every record is stored under its identity's key (not so in a
            store written by an earlier version of the library, keyed by position: the next
            save then moves every record to its identity's key).
    """

    __slots__ = ("by_identity", "keys", "order", "order_merged", "position", "records")

    def __init__(
        self,
        records: dict[str, _Seen],
        order: dict[str, _Seen],
        position: int,
        keys: list[str],
        *,
        order_merged: bool = False,
        by_identity: bool = True,
    ) -> None:
        self.records = records
        self.order = order
        self.position = position
        self.keys = keys
        self.order_merged = order_merged
        self.by_identity = by_identity


class Scanned:
    """What a save knows of a collection it read whole: every live record."""

    def __init__(self, records: Iterable[StoredRecord]) -> None:
        self.records = {record.key: record for record in records}

    def live(self, key: str) -> bool:
        """Whether `key` holds a live record now."""
        return key in self.records

    def record(self, key: str) -> StoredRecord:
        """The live record of `key` (which must be live)."""
        return self.records[key]

    def versions(self) -> dict[str, int]:
        """The live version of every key."""
        return {key: record.version for key, record in self.records.items()}

    def others(self, base: dict[str, _Seen]) -> set[str]:
        """Keys other writers added, changed or deleted since `base`. O(records)."""
        changed = {
            key
            for key, record in self.records.items()
            if (seen := base.get(key)) is None or seen.version != record.version
        }
        changed.update(key for key in base if key not in self.records)
        return changed


class Changed:
    """What a save knows of a collection from the changes after its base's position.

    A key with no change there is as the base has it (the base's promise); a changed one is
    as its latest change left it.
    """

    def __init__(self, latest: dict[str, StoredRecord], base: dict[str, _Seen]) -> None:
        self.latest = latest
        self.base = base

    def live(self, key: str) -> bool:
        """Whether `key` holds a live record now."""
        change = self.latest.get(key)
        return key in self.base if change is None else change.record is not None

    def record(self, key: str) -> StoredRecord:
        """The live record of `key`, which must be one another writer changed."""
        return self.latest[key]

    def versions(self) -> dict[str, int]:
        """The live versions of the keys changed (a save needs no others)."""
        return {key: r.version for key, r in self.latest.items() if r.record is not None}

    def others(self, base: dict[str, _Seen]) -> set[str]:
        """Keys other writers added, changed or deleted since `base`. O(changes)."""
        found = set()
        for key, change in self.latest.items():
            seen = base.get(key)
            if seen is None:
                if change.record is not None:
                    found.add(key)
            elif change.record is None or change.version != seen.version:
                found.add(key)
        return found


def read_changes(
    store: Store, since: int, collections: set[str]
) -> tuple[dict[str, dict[str, StoredRecord]], int]:
    """The latest change after `since` of each key of `collections`, and the last position read.

    O(c) for the c changes after `since` (of any collection).
    """
    latest: dict[str, dict[str, StoredRecord]] = {name: {} for name in collections}
    end = since
    for change in store.changes(since):
        end = change.seq
        found = latest.get(change.collection)
        if found is not None:
            found[change.key] = change
    return latest, end
