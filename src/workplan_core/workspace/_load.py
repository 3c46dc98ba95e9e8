"""Loading sections: all as they stood at one moment, from the store or from the base.

A first load reads every record through a
[Snapshot][workplan_core.workspace._snapshot.Snapshot]. A workspace that has loaded or saved
the sections before holds their base (see `_base`): what the store held at its position, up to
the changes after it. Loading again then reads only those changes and applies them to the
base — the records left as they were are the objects already loaded, not read and decoded
again — unless the feed holds more changes since than the sections have records.

```text
first load            O(records) reads and decodes
load again (a base)   O(changes since) reads and decodes, O(records log records) to order
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workplan_core.storage import Store, StoredRecord
from workplan_core.storage.typed import load_stored
from workplan_core.workspace._base import Base, _Seen, read_changes, reads_feed
from workplan_core.workspace._order import ORDER_COLLECTION, _in_order, _moved_in
from workplan_core.workspace._sections import Section
from workplan_core.workspace._snapshot import Snapshot

__all__ = ["load_sections"]


def load_sections(
    store: Store, sections: Sequence[Section], bases: dict[str, Base]
) -> tuple[list[list[Any]], dict[str, Base]]:
    """Each section's records in the order saved, all as they stood at one moment.

    With a base for every section (`bases`, the workspace's) and few changes since, the
    sections are the bases with those changes applied; otherwise they are read whole. Records
    that a section's order record does not expect (written into the collection by other
    means) take the free places in key order. Returns the records and each section's new
    base, which the caller makes the workspace's once the load succeeds.
    """
    known = [bases.get(section.collection) for section in sections]
    if all(base is not None for base in known):
        present = [base for base in known if base is not None]
        since = min(base.position for base in present)
        if reads_feed(since, store.last_seq(), sum(len(base.records) for base in present)):
            return _refreshed(store, sections, present, since)
    return _read_whole(store, sections)


def _read_whole(
    store: Store, sections: Sequence[Section]
) -> tuple[list[list[Any]], dict[str, Base]]:
    """Read every record of the sections through one snapshot. O(records + changes meanwhile)."""
    snapshot = Snapshot(store)
    misplaced: set[str] = set()  # collections holding a record under another key
    read = [snapshot.scan(section.collection, _seen_as(section, misplaced)) for section in sections]
    for section in sections:
        snapshot.get(ORDER_COLLECTION, section.collection)
    position = snapshot.settle()
    loaded = []
    bases = {}
    for section, seen in zip(sections, read, strict=True):
        collection = section.collection
        order = snapshot.got(ORDER_COLLECTION, collection)
        kept = {} if order is None else {collection: _Seen(order.version, order.record)}
        keys = _ordered(collection, seen, kept)
        by_identity = collection not in misplaced
        bases[collection] = Base(seen, kept, position, keys, by_identity=by_identity)
        loaded.append([seen[key].value for key in keys])
    return loaded, bases


def _refreshed(
    store: Store, sections: Sequence[Section], bases: list[Base], since: int
) -> tuple[list[list[Any]], dict[str, Base]]:
    """The bases with every change after their positions applied, as of the feed's end.

    A base holds what the store held at its position but for changes after it (its promise),
    so applying them gives the store at the last change read: one moment for every section.
    O(changes) reads and decodes, O(records log records) to put each section in order.
    """
    collections = {section.collection for section in sections}
    latest, end = read_changes(store, since, collections | {ORDER_COLLECTION})
    orders = latest[ORDER_COLLECTION]
    loaded = []
    refreshed = {}
    misplaced: set[str] = set()
    for section, base in zip(sections, bases, strict=True):
        collection = section.collection
        seen = dict(base.records)
        read = _seen_as(section, misplaced)
        for key, change in latest[collection].items():
            if change.seq <= base.position:
                continue  # the base has it (see `_base`)
            if change.record is None:
                seen.pop(key, None)
            else:
                seen[key] = read(change)
        order = orders.get(collection)
        kept = base.order
        if order is not None and order.seq > base.position:
            kept = {} if order.record is None else {collection: _Seen(order.version, order.record)}
        keys = _ordered(collection, dict.fromkeys(sorted(seen)), kept)
        by_identity = base.by_identity and collection not in misplaced
        refreshed[collection] = Base(seen, kept, end, keys, by_identity=by_identity)
        loaded.append([seen[key].value for key in keys])
    return loaded, refreshed


def _ordered(collection: str, by_key: dict[str, Any], order: dict[str, _Seen]) -> list[str]:
    """The keys of `by_key` (in key order) in the order the section's order record gives."""
    kept = order.get(collection)
    if kept is None:
        return list(by_key)
    moved = _moved_in(kept.value, ORDER_COLLECTION, collection, kept.version)
    return _in_order({key: key for key in by_key}, moved)


def _identity_key(section: Section, stored: StoredRecord) -> str | None:
    """The key a stored record's identity gives it (`None` if its fields do not tell)."""
    try:
        return section.key(stored.record or {})
    except (KeyError, TypeError):
        return None


def _seen_as(section: Section, misplaced: set[str]) -> Callable[[StoredRecord], _Seen]:
    """How a section reads a stored version: its version and its value.

    A record stored under a key other than its identity's (an earlier layout) adds the
    section's collection to `misplaced`.
    """
    cls = section.cls

    def read(stored: StoredRecord) -> _Seen:
        seen = _Seen(stored.version, load_stored(stored, cls))
        if _identity_key(section, stored) != stored.key:
            misplaced.add(stored.collection)
        return seen

    return read
