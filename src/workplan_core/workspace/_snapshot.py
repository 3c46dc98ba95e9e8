"""Snapshots: several collections read as they stood at one moment, while others write.

A load reads collections one after another, and another writer may commit between the reads
or during one (a scan reads in pages). A [Snapshot][workplan_core.workspace._snapshot.Snapshot]
notes where the change feed stands before it reads (`Store.last_seq`); once everything is
read, `settle` applies every change committed since to what was read. A key written meanwhile
takes its latest version (or goes, when that is a tombstone); every other key was not written
while the snapshot read, so the version read is the one it held throughout. What the snapshot
holds then is exactly what its collections held when the feed was last read: a state the
store passed through, whatever ran concurrently.

```text
snapshot = Snapshot(store)                       one last_seq() read
people = snapshot.scan("org.people", read)       O(records), as a plain scan
order = snapshot.get("workspace.order", "org.people")
snapshot.settle()                                O(changes committed since the snapshot began)
```

It needs no transaction and no store support beyond the protocol, and costs nothing more
than the reads when nobody wrote meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from workplan_core.storage import Store, StoredRecord
from workplan_core.workspace._base import read_changes

__all__ = ["Snapshot"]

T = TypeVar("T")


class Snapshot:
    """Reads of one store that `settle` brings to one moment (see the module's docs).

    Args:
        store: the store to read; its `last_seq()` is read now.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.since = store.last_seq()
        # collection -> (what was read, by key in key order; how a stored version is read)
        self._scans: dict[str, tuple[dict[str, Any], Callable[[StoredRecord], Any]]] = {}
        self._gets: dict[tuple[str, str], StoredRecord | None] = {}

    def scan(self, collection: str, read: Callable[[StoredRecord], T]) -> dict[str, T]:
        """Every live record of `collection`, by key in key order, each as `read` returns it.

        `settle` updates the dict returned, in place (`read` then reads the changed
        versions). O(records).
        """
        found = {stored.key: read(stored) for stored in self.store.scan(collection)}
        self._scans[collection] = (found, read)
        return found

    def get(self, collection: str, key: str) -> None:
        """Read one key; `got` returns it, as of the snapshot's moment once settled."""
        self._gets[(collection, key)] = self.store.get(collection, key)

    def got(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of a key read with `get` (`None`: absent)."""
        return self._gets[(collection, key)]

    def settle(self) -> int:
        """Apply every change committed since the snapshot began to what it read.

        Returns:
            The sequence number the snapshot now stands at: what it holds is what its
            collections and keys held just after that write.

        O(c log c) for the c changes read (keys new to a collection put it back in key
        order, O(records) for that collection); nothing but one empty feed read when no one
        wrote.
        """
        wanted = set(self._scans) | {collection for collection, _ in self._gets}
        latest, last = read_changes(self.store, self.since, wanted)
        for slot in self._gets:
            change = latest[slot[0]].get(slot[1])
            if change is not None:
                self._gets[slot] = None if change.record is None else change
        for collection, (found, read) in self._scans.items():
            new = False
            for key, change in latest[collection].items():
                if change.record is None:
                    found.pop(key, None)
                    continue
                new = new or key not in found
                found[key] = read(change)
            if new:  # back in key order
                ordered = sorted(found.items())
                found.clear()
                found.update(ordered)
        self.since = last
        return last
