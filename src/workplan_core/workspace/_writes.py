"""What a save writes, record by record, and what the workspace has seen after it.

A section's records are keyed by identity (`_keyed`); a save with a base writes what the
caller changed since (`_changed_writes`), one without a base or to overwrite writes over what
is stored (`_blind_writes`), and `_seen_after` gives the base the save leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import is_, is_not, itemgetter, not_
from typing import Any, cast

from workplan_core.errors import Problem
from workplan_core.serialization import dump_record
from workplan_core.storage import Delete, JsonRecord, Put, StoredRecord, Write
from workplan_core.storage.encoding import MAX_KEY_LENGTH, name_problem
from workplan_core.workspace._base import Base, _Seen
from workplan_core.workspace._sections import Section

__all__ = ["Mine", "blind_writes", "changed_writes", "keyed", "seen_after"]


Mine = dict[str, tuple[Any, JsonRecord | None]]
"""A section's records by key, in the caller's order: each with the dict it is stored as
(`None` for a record of the base left as it was: it is not written, so not dumped)."""


def keyed(
    section: Section, records: Sequence[Any], base: Base | None, problems: list[Problem]
) -> Mine:
    """The section's records by key, in order (see `Mine`).

    A record that is the very object the base holds keeps its key without being dumped (a
    save of a few changes then costs O(changes) dumps). A record whose key is not a valid
    store key (too long, say), or is the key of an earlier record, is left out and noted in
    `problems`.
    """
    if base is not None and not base.by_identity:
        base = None  # records stored under other keys move to their identity's: dump them all
    if base is not None and len(records) == len(base.keys):
        kept = __keyed_as_base(section, records, base)
        if kept is not None:
            return kept
    keyed: Mine = {}
    first: dict[str, int] = {}
    seen = base.records if base is not None else {}
    known = {id(record.value): key for key, record in seen.items()}
    for position, record in enumerate(records):
        key = known.get(id(record))
        data: JsonRecord | None = None
        if key is None or seen[key].value is not record:
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


def __keyed_as_base(section: Section, records: Sequence[Any], base: Base) -> Mine | None:
    """`keyed` for records laid out as the base's, mostly its very objects, in C-level passes.

    Each record at the place of the base's object keeps that object's key; only the others
    are dumped. `None` when a key is not valid or taken twice: `keyed` then names it.
    O(n) in C plus O(d) dumps for the d records not in their base places.
    """
    seen = base.records
    keys = base.keys
    same = list(map(is_, records, [seen[key].value for key in keys]))
    if all(same):
        return dict(zip(keys, zip(records, repeat(None)), strict=True))
    keys = list(keys)
    data: list[JsonRecord | None] = [None] * len(keys)
    for position in compress(range(len(keys)), map(not_, same)):
        dumped = data[position] = dump_record(records[position])
        keys[position] = key = section.key(dumped)
        if name_problem(key, MAX_KEY_LENGTH):
            return None
    keyed = dict(zip(keys, zip(records, data, strict=True), strict=True))
    return keyed if len(keyed) == len(keys) else None


def changed_writes(
    collection: str,
    mine: Mine,
    live: Callable[[str], bool],
    base: dict[str, _Seen],
) -> list[Write]:
    """Write only what the caller changed since `base`, each expecting the version seen then.

    A record the caller left as it was stays as another writer may have changed it since, a
    record another writer added stays, and a record both changed is a conflict (the store
    refuses the write). A record the caller dropped is deleted unless it is gone already
    (`live` tells whether a key holds a live record now).
    """
    writes: list[Write] = []
    dumped = compress(mine, map(is_not, map(itemgetter(1), mine.values()), repeat(None)))
    for key in dumped:  # a record kept undumped is the base's very object: unchanged
        value, data = mine[key]
        seen = base.get(key)
        if seen is None:
            writes.append(Put(collection, key, _dumped(value, data), None))
        elif seen.value is not value and seen.value != value:
            writes.append(Put(collection, key, _dumped(value, data), seen.version))
    for key in sorted(base.keys() - mine.keys()):
        if live(key):
            writes.append(Delete(collection, key, base[key].version))
    return writes


def _dumped(value: Any, data: JsonRecord | None) -> JsonRecord:
    """The dict `value` is stored as (`data`, when `keyed` dumped it already)."""
    return data if data is not None else dump_record(value)


def blind_writes(
    collection: str,
    mine: Mine,
    stored: dict[str, StoredRecord],
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """Write `mine` over a collection this workspace never saw (or `overwrite`s).

    A record stored equal to the caller's is left alone; one that differs, or that is stored
    but not in `mine`, is another writer's data: noted in `conflicts`, or replaced (deleted)
    when `overwrite`.
    """
    writes: list[Write] = []
    rest = dict(stored)
    for key, (value, data) in mine.items():
        old = rest.pop(key, None)
        dumped = _dumped(value, data)
        if old is None:
            writes.append(Put(collection, key, dumped, None))
        elif old.record != dumped:
            if overwrite:
                writes.append(Put(collection, key, dumped, old.version))
            else:
                conflicts.append((collection, key))
    for key, old in rest.items():
        if overwrite:
            writes.append(Delete(collection, key, old.version))
        else:
            conflicts.append((collection, key))
    return writes


def seen_after(
    mine: Mine,
    base: dict[str, _Seen] | None,
    stored: dict[str, int],
    written: dict[str, int],
) -> dict[str, _Seen]:
    """What the workspace has seen of a collection after saving `mine` into it. O(n) in C.

    A record written takes its new version; one left as it was, the base's version and value;
    one stored equal already (a save without a base), the stored version.
    """
    seen: dict[str, _Seen | None] = (
        dict.fromkeys(mine) if base is None else dict(zip(mine, map(base.get, mine), strict=True))
    )
    for key, version in written.items():
        kept = mine.get(key)
        if kept is not None:  # not a delete
            seen[key] = _Seen(version, kept[0])
    if None in seen.values():
        for key in compress(seen, map(is_, seen.values(), repeat(None))):
            seen[key] = _Seen(stored[key], mine[key][0])
    return cast("dict[str, _Seen]", seen)
