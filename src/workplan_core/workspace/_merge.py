"""Saving sections as a three-way merge of the caller's records, the base and the store.

The *base* is what a workspace last loaded or saved of each collection. A save writes only
what the caller changed since then, each write expecting the version seen then, so records
others changed or added meanwhile stay, and a record both changed is a conflict (see
`_writes`); the whole it would leave is checked when others changed it (see `_rules`), and
the section's order is merged (see `_order`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.storage import Commit, Put, Store, StoredRecord, Write
from workplan_core.workspace._base import Base, Changed, Scanned, _Seen, read_changes, reads_feed
from workplan_core.workspace._order import (
    ORDER_COLLECTION,
    _in_order,
    _moved,
    _order_record,
    merged_order,
)
from workplan_core.workspace._rules import MergedCheck, check_merged
from workplan_core.workspace._sections import Section
from workplan_core.workspace._writes import Mine, blind_writes, changed_writes, keyed, seen_after

__all__ = ["HEADS_COLLECTION", "MergedCheck", "declare_needed", "save_sections"]


def declare_needed(store: Store, collection: str, fields: Iterable[str]) -> None:
    """Declare the indexed fields a collection needs, keeping any others declared.

    Another program may index more fields of a collection (its own queries): a save or an
    append never takes them away. Called before the write, so that it indexes what it stores.
    """
    current = store.indexed_fields(collection)
    needed = set(fields)
    if not needed <= set(current):
        store.declare(collection, indexed=sorted(needed.union(current)))


def save_sections(
    store: Store,
    bases: dict[str, Base],
    parts: Iterable[tuple[Section, Sequence[Any]]],
    aggregate: str,
    *,
    overwrite: bool,
    check: MergedCheck | None = None,
) -> Commit:
    """Write what changed in the sections in one atomic batch; remember what was saved.

    `bases` (collection -> `Base`) is the workspace's base; it is updated to what the store
    holds after the save. What other writers changed since a base is read from the change
    feed after its position (see `_base`), or from the whole collection without a base, to
    `overwrite`, or when the feed holds more changes than the collection has records.
    `check`, when given, is run on the whole the store would hold when other writers changed
    the collections since the base (see `check_merged`).

    A save that writes anything also rewrites its aggregate's head record (in
    [HEADS_COLLECTION][workplan_core.workspace.HEADS_COLLECTION]) expecting the version read
    before anything else: another save committed between this one's reads and its write
    makes the write conflict on it, and the save reads, merges and checks again after a short
    random wait (at most `_ATTEMPTS` times) — so no save is written against what it did not
    check.

    O(records) identity checks plus O(changes) for the records changed here and the changes
    others made since the base; O(records) reads and dumps without a base or to overwrite.
    """
    problems: list[Problem] = []
    keyed_sections = [
        (section, keyed(section, records, bases.get(section.collection), problems))
        for section, records in parts
    ]
    if problems:
        raise ValidationError(problems, summary=f"cannot save the {aggregate}")
    for section, _ in keyed_sections:
        declare_needed(store, section.collection, section.indexed)
    for attempt in range(_ATTEMPTS):
        if attempt:  # another save came between: let it finish, at a random moment
            time.sleep(random.uniform(0, min(_BACKOFF * 2**attempt, _MOST_BACKOFF)))
        head = store.get(HEADS_COLLECTION, aggregate)
        save = _Save(
            store,
            bases,
            store.last_seq(),
            {section.collection for section, _ in keyed_sections},
            overwrite,
        )
        for section, mine in keyed_sections:
            save.add(section.collection, mine)
        if save.conflicts:
            raise ConflictError(
                f"{len(save.conflicts)} record(s) are stored differently from what this "
                f"workspace last loaded or saved; load the {aggregate} again (or save it with "
                "overwrite=True to replace what is stored)",
                save.conflicts,
            )
        if check is not None and not overwrite:
            check_merged(keyed_sections, save, check, aggregate)
        commit = _write(store, save.writes, aggregate, head)
        if commit is not None:
            save.rebase(commit)
            return commit
    raise ConflictError(
        f"other writers saved the {aggregate} {_ATTEMPTS} times while this save was reading "
        f"it; save again (nothing was written)",
        [(HEADS_COLLECTION, aggregate)],
    )


_ATTEMPTS = 10
"""How many times a save reads, merges and checks, when other saves keep committing between
its reads and its write."""

_BACKOFF = 0.0005
_MOST_BACKOFF = 0.1
"""Before its k-th attempt, a save waits a random time up to `_BACKOFF` · 2^k seconds (at most
`_MOST_BACKOFF`), so that saves colliding again and again fall out of step."""

HEADS_COLLECTION = "workspace.heads"
"""One head record per aggregate (``organisation``, ``cascade``), rewritten by every save
that writes anything, so that two saves of one aggregate cannot both pass their checks on
what the other changes (see `save_sections`)."""

_HEAD = {"$type": "workspace.head", "$version": 1}


class _Save:
    """One save in progress: what it found stored, the writes it makes, then the new bases."""

    def __init__(
        self,
        store: Store,
        bases: dict[str, Base],
        start: int,
        collections: set[str],
        overwrite: bool,
    ) -> None:
        self.store = store
        self.bases = bases
        self.collections = collections  # the collections saved
        self.start = start  # the feed position before the save read anything
        self.overwrite = overwrite
        self.writes: list[Write] = []
        self.conflicts: list[tuple[str, str]] = []
        self.stored: dict[str, Scanned | Changed] = {}
        self.others: dict[str, set[str]] = {}  # with a base: keys others changed since
        self.mine: dict[str, Mine] = {}
        self.orders: dict[str, _OrderSave] = {}
        self.latest: dict[str, dict[str, StoredRecord]] | None = None
        self.end = start  # the last feed position read

    def _reads_feed(self, base: Base) -> bool:
        """Whether to learn what others changed from the feed after `base`'s position.

        Only with a base, not to overwrite, and when the feed holds at most as many changes
        since as the collection has records (or `FEW_CHANGES`): else reading the collection
        costs less.
        """
        return not self.overwrite and reads_feed(base.position, self.start, len(base.records))

    def _changed(self, collection: str, base: Base) -> Changed | None:
        """The changes after the base's position, when the save reads them (`_reads_feed`)."""
        if not self._reads_feed(base):
            return None
        if self.latest is None:  # one feed read for every collection of the save
            wanted = {
                name
                for name in self.collections
                if (b := self.bases.get(name)) is not None and self._reads_feed(b)
            }
            since = min(self.bases[name].position for name in wanted)
            self.latest, self.end = read_changes(self.store, since, wanted)
        return Changed(self.latest[collection], base.records)

    def add(self, collection: str, mine: Mine) -> None:
        """Find what `collection` holds now and add the writes that save `mine` into it."""
        base = self.bases.get(collection)
        changed = None if base is None else self._changed(collection, base)
        view = self.stored[collection] = changed or Scanned(self.store.scan(collection))
        if base is None or self.overwrite:
            assert isinstance(view, Scanned)
            self.writes += blind_writes(
                collection, mine, view.records, overwrite=self.overwrite, conflicts=self.conflicts
            )
        else:
            self.others[collection] = view.others(base.records)
            self.writes += changed_writes(collection, mine, view.live, base.records)
        self.mine[collection] = mine
        merge = None if base is None else (view, self.others.get(collection, set()))
        order = _order_writes(
            self.store,
            collection,
            list(mine),
            base,
            merge,
            overwrite=self.overwrite,
            conflicts=self.conflicts,
        )
        self.orders[collection] = order
        self.writes += order.writes

    def _position(self, collection: str, commit: Commit) -> int:
        """The new base's feed position (see `_base`): forward only past no one else's change."""
        old = self.bases.get(collection)
        if self.others.get(collection):
            return old.position if old is not None else self.start
        if isinstance(self.stored[collection], Changed):
            follows = commit.seqs and commit.seqs[0] == self.end + 1
            return commit.seqs[-1] if follows else self.end
        return self.start

    def rebase(self, commit: Commit) -> None:
        """Make what the store holds after `commit` the base of every collection saved."""
        written: dict[str, dict[str, int]] = {}
        for write, version in zip(self.writes, commit.versions, strict=True):
            slot = write.collection
            if slot == ORDER_COLLECTION:
                slot = f"{ORDER_COLLECTION}/{write.key}"
            written.setdefault(slot, {})[write.key] = version
        rebased = {}
        for collection, mine in self.mine.items():
            old = self.bases.get(collection)
            order = self.orders[collection]
            rebased[collection] = Base(
                seen_after(
                    mine,
                    None if old is None or self.overwrite else old.records,
                    self.stored[collection].versions(),
                    written.get(collection, {}),
                ),
                seen_after(
                    order.mine,
                    order.base,
                    order.versions,
                    written.get(f"{ORDER_COLLECTION}/{collection}", {}),
                ),
                self._position(collection, commit),
                list(mine),
                order_merged=order.merged,
            )
        self.bases.update(rebased)


class _OrderSave(NamedTuple):
    """How a save keeps a section's order record."""

    mine: Mine  # the order record as the save's records ({}: the keys are in key order)
    versions: dict[str, int]  # the stored order record's version ({}: none is stored)
    base: dict[str, _Seen] | None  # what the new base starts from (see `_seen_after`)
    writes: list[Write]
    merged: bool = False  # whether the store holds another order than the caller's after it


def _order_writes(
    store: Store,
    collection: str,
    keys: list[str],
    base: Base | None,
    merge: tuple[Scanned | Changed, set[str]] | None,
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> _OrderSave:
    """The order record a section's `keys` need, and the writes that store it.

    Without a base, or to overwrite, the record is written over what is stored. With a base,
    when other writers changed the section since (`merge`: what is stored and the keys they
    changed) or its order record, or when the store's order is not the base's keys (an earlier
    save merged them), the order is merged (`merged_order`: the store's order with the
    caller's additions, drops and moves), so that concurrent additions do not conflict and
    keep their places, and a later save does not undo another writer's order; when both moved
    keys, the order record is a conflict. Otherwise keys in the order of the base keep the
    base's record (O(keys) to compare) and others take a new one. O(keys log keys) at most.
    """
    current = store.get(ORDER_COLLECTION, collection)
    now = {} if current is None else {collection: current}
    versions = {} if current is None else {collection: current.version}
    seen = None if base is None else base.order.get(collection)
    if base is None or overwrite:
        order = _order_record(keys)
        mine: Mine = {} if order is None else {collection: (order, order)}
        writes = blind_writes(ORDER_COLLECTION, mine, now, overwrite=overwrite, conflicts=conflicts)
        return _OrderSave(mine, versions, None, writes)
    moved = (None if current is None else current.version) != (
        None if seen is None else seen.version
    )
    view, others = merge if merge is not None else (None, set())
    if view is not None and (others or moved or base.order_merged):
        merged = merged_order(base.keys, keys, _stored_order(view, base, others, current))
        if merged is None:
            conflicts.append((ORDER_COLLECTION, collection))
            return _OrderSave({}, versions, base.order, [])
        order = _order_record(merged)
        mine = {} if order is None else {collection: (order, order)}
        as_stored = {} if current is None else {collection: _Seen(current.version, current.record)}
        writes = changed_writes(ORDER_COLLECTION, mine, now.__contains__, as_stored)
        return _OrderSave(mine, versions, as_stored, writes, merged != keys)
    kept = base.keys == keys  # the base's order record still fits
    order = (seen.value if seen is not None else None) if kept else _order_record(keys)
    mine = {} if order is None else {collection: (order, order)}
    writes = changed_writes(ORDER_COLLECTION, mine, now.__contains__, base.order)
    return _OrderSave(mine, versions, base.order, writes)


def _stored_order(
    view: Scanned | Changed, base: Base, others: set[str], order: StoredRecord | None
) -> list[str]:
    """The keys of a section as the store holds it now, in the order it loads them. O(n log n)."""
    if isinstance(view, Scanned):
        keys = list(view.records)
    else:
        live = {key for key in base.records if key not in others or view.live(key)}
        live.update(key for key in others if view.live(key))
        keys = sorted(live)
    return keys if order is None else _in_order({key: key for key in keys}, _moved(order))


def _write(
    store: Store, writes: list[Write], aggregate: str, head: StoredRecord | None
) -> Commit | None:
    """Commit a save's writes with its aggregate's head; `None` when the head conflicts.

    The commit returned lists the save's own writes (records and order records), not the
    head's. Nothing is written, head included, when there is nothing to write. When the head
    conflicts, another save came between; the caller reads again, and a record that still
    conflicts then is a conflict of its own, which says how to recover.
    """
    if not writes:
        return store.write([])
    expected = None if head is None else head.version
    try:
        commit = store.write([*writes, Put(HEADS_COLLECTION, aggregate, dict(_HEAD), expected)])
    except ConflictError as error:
        if (HEADS_COLLECTION, aggregate) in error.conflicts:
            return None  # another save came between this one's reads and its write: read again
        raise ConflictError(
            f"{len(error.conflicts)} record(s) this save changes were changed or added by "
            f"another writer since this workspace last loaded or saved them ({error}). Load "
            f"the {aggregate} again, apply your changes to what the load returns and save "
            "that (saving the value you had would undo the other writer's changes), or save "
            "with overwrite=True to replace whatever is stored",
            error.conflicts,
        ) from error
    return Commit(commit.versions[:-1], commit.seqs[:-1], commit.committed_at)
