"""Saving sections as a three-way merge of the caller's records, the base and the store.

The *base* is what a workspace last loaded or saved of each collection. A save writes only
what the caller changed since then, each write expecting the version seen then, so records
others changed or added meanwhile stay, and a record both changed is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.serialization import dump_record
from workplan_core.storage import Commit, Delete, JsonRecord, Put, Store, StoredRecord, Write
from workplan_core.storage.encoding import MAX_KEY_LENGTH, name_problem
from workplan_core.storage.typed import load_stored
from workplan_core.workspace._order import ORDER_COLLECTION, _in_order, _moved, _order_record
from workplan_core.workspace._sections import Section
from workplan_core.workspace._snapshot import Snapshot

__all__ = ["MergedCheck", "declare_needed", "load_sections", "save_sections"]


def _keyed(
    section: Section, records: Sequence[Any], problems: list[Problem]
) -> dict[str, tuple[Any, JsonRecord]]:
    """The section's records by key, in order: each with the dict it is stored as.

    A record whose key is not a valid store key (too long, say), or is the key of an
    earlier record, is left out and noted in `problems`.
    """
    keyed: dict[str, tuple[Any, JsonRecord]] = {}
    first: dict[str, int] = {}
    for position, record in enumerate(records):
        data = dump_record(record)
        key = section.key(data)
        rule = name_problem(key, MAX_KEY_LENGTH)
        if rule:
            shown = key if len(key) <= 60 else f"{key[:57]}..."
            problems.append(
                Problem(
                    f"$.{section.field}[{position}]",
                    f"its key {shown!r} (from {', '.join(section.identity) or 'its section'}) "
                    f"{rule}",
                )
            )
            continue
        if key in keyed:
            problems.append(
                Problem(
                    f"$.{section.field}[{position}]",
                    f"has the key {key!r} of $.{section.field}[{first[key]}] "
                    f"({', '.join(section.identity)}); each record needs its own",
                )
            )
            continue
        keyed[key] = (record, data)
        first[key] = position
    return keyed


class _Seen(NamedTuple):
    """A record as this workspace last saw it stored: its version and its value."""

    version: int
    value: Any


def _merge_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    base: dict[str, _Seen] | None,
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """The writes that save `mine` into `collection`, which holds `stored` now.

    With a `base` (what this workspace last loaded or saved), only what the caller changed
    since is written (see `_changed_writes`). Without one, or to `overwrite` what is stored,
    see `_blind_writes`.
    """
    if base is None or overwrite:
        return _blind_writes(collection, mine, stored, overwrite=overwrite, conflicts=conflicts)
    return _changed_writes(collection, mine, stored, base)


def _changed_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    base: dict[str, _Seen],
) -> list[Write]:
    """Write only what the caller changed since `base`, each expecting the version seen then.

    A record the caller left as it was stays as another writer may have changed it since, a
    record another writer added stays, and a record both changed is a conflict (the store
    refuses the write). A record the caller dropped is deleted unless it is gone already.
    """
    writes: list[Write] = []
    for key, (value, data) in mine.items():
        seen = base.get(key)
        if seen is None:
            writes.append(Put(collection, key, data, None))
        elif seen.value is not value and seen.value != value:
            writes.append(Put(collection, key, data, seen.version))
    for key, seen in base.items():
        if key not in mine and key in stored:
            writes.append(Delete(collection, key, seen.version))
    return writes


def _blind_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """Write `mine` over a collection this workspace never saw.

    A record stored equal to the caller's is left alone; one that differs, or that is stored
    but not in `mine`, is another writer's data: noted in `conflicts`, or replaced (deleted)
    when `overwrite`.
    """
    writes: list[Write] = []
    rest = dict(stored)
    for key, (_, data) in mine.items():
        old = rest.pop(key, None)
        if old is None:
            writes.append(Put(collection, key, data, None))
        elif old.record != data:
            if overwrite:
                writes.append(Put(collection, key, data, old.version))
            else:
                conflicts.append((collection, key))
    for key, old in rest.items():
        if overwrite:
            writes.append(Delete(collection, key, old.version))
        else:
            conflicts.append((collection, key))
    return writes


def _seen_after(
    mine: dict[str, tuple[Any, JsonRecord]],
    base: dict[str, _Seen] | None,
    stored: dict[str, int],
    written: dict[str, int],
) -> dict[str, _Seen]:
    """What the workspace has seen of a collection after saving `mine` into it."""
    seen: dict[str, _Seen] = {}
    for key, (value, _) in mine.items():
        version = written.get(key)
        if version is not None:
            seen[key] = _Seen(version, value)
        elif base is not None and key in base:
            seen[key] = base[key]  # left as it was: the version and value seen before
        else:
            seen[key] = _Seen(stored[key], value)  # stored equal to it already
    return seen


MergedCheck = Callable[[Mapping[str, list[Any]]], list[Problem]]
"""The problems of an aggregate given its sections' records by field (empty when it keeps
every rule): how a save checks the whole it would leave in the store."""


def _others_changed(stored: dict[str, StoredRecord], base: dict[str, _Seen]) -> set[str]:
    """Keys other writers added, changed or deleted since `base`. O(records)."""
    changed = {
        key
        for key, record in stored.items()
        if (seen := base.get(key)) is None or seen.version != record.version
    }
    changed.update(key for key in base if key not in stored)
    return changed


def _merged(
    section: Section,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    base: dict[str, _Seen],
    others: set[str],
) -> list[Any]:
    """The section's records as the store would hold them after this save succeeds.

    The caller's records, but where only another writer changed a record since `base`, theirs
    (or none, where they deleted it), and the records they added.
    """
    records = []
    for key, (value, _) in mine.items():
        seen = base.get(key)
        untouched = seen is not None and (seen.value is value or seen.value == value)
        if key in others and untouched:
            if key in stored:
                records.append(load_stored(stored[key], section.cls))
        else:
            records.append(value)
    for key in others:
        if key not in mine and key not in base and key in stored:
            records.append(load_stored(stored[key], section.cls))
    return records


def _check_merged(
    sections: list[tuple[Section, dict[str, tuple[Any, JsonRecord]]]],
    stored: dict[str, dict[str, StoredRecord]],
    bases: dict[str, dict[str, _Seen]],
    check: MergedCheck,
    aggregate: str,
) -> None:
    """Refuse a save whose changes, merged with other writers' since the base, break a rule.

    Nothing is checked when no other writer changed these collections since the base (the
    caller's aggregate is what the store will hold). O(records) plus the check otherwise.

    Raises:
        ConflictError: listing the records other writers changed, and the broken rules.
    """
    others = {
        section.collection: _others_changed(stored[section.collection], base)
        for section, _ in sections
        if (base := bases.get(section.collection)) is not None
    }
    if not any(others.values()):
        return
    parts = {
        section.field: _merged(
            section,
            mine,
            stored[section.collection],
            bases[section.collection],
            others[section.collection],
        )
        if section.collection in others
        else [value for value, _ in mine.values()]
        for section, mine in sections
    }
    problems = check(parts)
    if problems:
        shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ConflictError(
            f"saving would merge this {aggregate} with other writers' changes into one that "
            f"breaks its rules: {shown}{more}. Load the {aggregate} again, apply your "
            "changes to what the load returns and save that, or save with overwrite=True",
            sorted((c, key) for c, keys in others.items() for key in keys),
        )


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
    records_seen: dict[str, dict[str, _Seen]],
    orders_seen: dict[str, dict[str, _Seen]],
    parts: Iterable[tuple[Section, Sequence[Any]]],
    aggregate: str,
    *,
    overwrite: bool,
    check: MergedCheck | None = None,
) -> Commit:
    """Write what changed in the sections in one atomic batch; remember what was saved.

    `records_seen` (collection -> key -> record) and `orders_seen` (collection -> its order
    record) are the workspace's base; both are updated to what the store holds after the save.
    `check`, when given, is run on the whole the store would hold when other writers changed
    the collections since the base (see `_check_merged`).
    """
    problems: list[Problem] = []
    keyed = [(section, _keyed(section, records, problems)) for section, records in parts]
    if problems:
        raise ValidationError(problems, summary=f"cannot save the {aggregate}")
    writes: list[Write] = []
    conflicts: list[tuple[str, str]] = []
    versions: dict[str, dict[str, int]] = {}
    orders: dict[str, dict[str, tuple[Any, JsonRecord]]] = {}
    stored_now: dict[str, dict[str, StoredRecord]] = {}
    for section, mine in keyed:
        collection = section.collection
        stored = stored_now[collection] = {r.key: r for r in store.scan(collection)}
        versions[collection] = {key: r.version for key, r in stored.items()}
        base = records_seen.get(collection)
        writes += _merge_writes(
            collection, mine, stored, base, overwrite=overwrite, conflicts=conflicts
        )
        order = _order_record(list(mine))
        orders[collection] = {} if order is None else {collection: (order, order)}
        current = store.get(ORDER_COLLECTION, collection)
        now = {} if current is None else {collection: current}
        versions[f"{ORDER_COLLECTION}/{collection}"] = (
            {} if current is None else {collection: current.version}
        )
        seen = orders_seen.get(collection)
        writes += _merge_writes(
            ORDER_COLLECTION,
            orders[collection],
            now,
            seen,
            overwrite=overwrite,
            conflicts=conflicts,
        )
    if conflicts:
        raise ConflictError(
            f"{len(conflicts)} record(s) are stored differently from what this workspace "
            f"last loaded or saved; load the {aggregate} again (or save it with "
            "overwrite=True to replace what is stored)",
            conflicts,
        )
    if check is not None and not overwrite:
        _check_merged(keyed, stored_now, records_seen, check, aggregate)
    for section, _ in keyed:
        declare_needed(store, section.collection, section.indexed)
    try:
        commit = store.write(writes)
    except ConflictError as error:
        raise ConflictError(
            f"{len(error.conflicts)} record(s) this save changes were changed or added by "
            f"another writer since this workspace last loaded or saved them ({error}). Load "
            f"the {aggregate} again, apply your changes to what the load returns and save "
            "that (saving the value you had would undo the other writer's changes), or save "
            "with overwrite=True to replace whatever is stored",
            error.conflicts,
        ) from error
    written: dict[str, dict[str, int]] = {}
    for write, version in zip(writes, commit.versions, strict=True):
        slot = write.collection
        if slot == ORDER_COLLECTION:
            slot = f"{ORDER_COLLECTION}/{write.key}"
        written.setdefault(slot, {})[write.key] = version
    for section, mine in keyed:
        collection = section.collection
        records_seen[collection] = _seen_after(
            mine, records_seen.get(collection), versions[collection], written.get(collection, {})
        )
        slot = f"{ORDER_COLLECTION}/{collection}"
        orders_seen[collection] = _seen_after(
            orders[collection],
            orders_seen.get(collection),
            versions[slot],
            written.get(slot, {}),
        )
    return commit


def load_sections(
    store: Store,
    sections: Sequence[Section],
    records_seen: dict[str, dict[str, _Seen]],
    orders_seen: dict[str, dict[str, _Seen]],
) -> list[list[Any]]:
    """Each section's records in the order saved, all as they stood at one moment.

    The sections are read through one [Snapshot][workplan_core.workspace._snapshot.Snapshot],
    so a save another writer commits meanwhile shows in all of them or in none. Records that
    a section's order record does not expect (written into the collection by other means)
    take the free places in key order. What was read becomes each section's base in
    `records_seen` and `orders_seen`. O(records + changes committed during the load).
    """
    snapshot = Snapshot(store)
    read = [snapshot.scan(section.collection, _seen_as(section.cls)) for section in sections]
    for section in sections:
        snapshot.get(ORDER_COLLECTION, section.collection)
    snapshot.settle()
    loaded = []
    for section, seen in zip(sections, read, strict=True):
        collection = section.collection
        order = snapshot.got(ORDER_COLLECTION, collection)
        records_seen[collection] = seen
        orders_seen[collection] = (
            {} if order is None else {collection: _Seen(order.version, order.record)}
        )
        items = {key: record.value for key, record in seen.items()}
        loaded.append(list(items.values()) if order is None else _in_order(items, _moved(order)))
    return loaded


def _seen_as(cls: type[Any]) -> Callable[[StoredRecord], _Seen]:
    """How a section of `cls` records reads a stored version: its version and its value."""

    def read(stored: StoredRecord) -> _Seen:
        return _Seen(stored.version, load_stored(stored, cls))

    return read
