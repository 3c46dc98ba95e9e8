"""Order records: a section's order kept beside its records when it is not key order.

A collection returns its records in key order; a section saved in another order gets one small
record in [ORDER_COLLECTION][workplan_core.workspace.ORDER_COLLECTION] that lists only the keys
outside a longest run in key order, so loading puts the records back in the order saved.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from operator import lt
from typing import Any

from workplan_core.storage import CorruptRecordError, JsonRecord, StoredRecord

__all__ = ["ORDER_COLLECTION", "merged_order"]


ORDER_COLLECTION = "workspace.order"
"""Where a section's order is kept when it is not key order: one record per section's
collection, ``{"$type": "workspace.order", "$version": 1, "moved": [[position, key], …]}``."""

_ORDER_TYPE = "workspace.order"


def _ascending_run(keys: Sequence[str]) -> set[int]:
    """The positions of a longest run of keys in key order (not necessarily adjacent).

    Patience sorting: O(n log n) for n keys, all distinct.
    """
    tails: list[str] = []  # per run length, the smallest key that ends such a run
    ends: list[int] = []  # the position of that key
    before = [-1] * len(keys)  # per position, the previous position of its run
    for position, key in enumerate(keys):
        length = bisect.bisect_left(tails, key)
        if length == len(tails):
            tails.append(key)
            ends.append(position)
        else:
            tails[length] = key
            ends[length] = position
        before[position] = ends[length - 1] if length else -1
    run: set[int] = set()
    position = ends[-1] if ends else -1
    while position >= 0:
        run.add(position)
        position = before[position]
    return run


def _order_record(keys: Sequence[str]) -> JsonRecord | None:
    """The order record of a section with these keys; `None` when they are in key order.

    It lists only the keys outside a longest run in key order, each with its position: the
    others fill the remaining positions in key order. Records appended out of order, or a
    few moved, make a small record, and it changes only when those keys move.
    """
    if all(map(lt, keys, keys[1:])):
        return None
    run = _ascending_run(keys)
    moved = [[position, key] for position, key in enumerate(keys) if position not in run]
    return {"$type": _ORDER_TYPE, "$version": 1, "moved": moved}


def _moved(stored: StoredRecord) -> list[tuple[int, str]]:
    """The (position, key) pairs of a stored order record, checked."""
    return _moved_in(stored.record, stored.collection, stored.key, stored.version)


def _moved_in(
    record: JsonRecord | None, collection: str, key: str, version: int
) -> list[tuple[int, str]]:
    """The (position, key) pairs of an order record, checked (the rest names it in errors)."""
    record = record or {}
    moved = record.get("moved")
    pairs: list[tuple[int, str]] = []
    if record.get("$type") == _ORDER_TYPE and type(moved) is list:
        for pair in moved:
            if type(pair) is not list or len(pair) != 2:
                break
            position, placed = pair
            if type(position) is not int or type(placed) is not str or position < 0:
                break
            if pairs and position <= pairs[-1][0]:
                break
            pairs.append((position, placed))
        else:
            return pairs
    raise CorruptRecordError(
        collection, key, version, "must list [position, key] pairs in increasing positions"
    )


def _in_order(items: dict[str, Any], moved: list[tuple[int, str]]) -> list[Any]:
    """The section's items (by key, in key order) put back in the order saved. O(n).

    Keys the order record lists but the collection lacks are skipped; items it does not
    place keep key order around the placed ones.
    """
    placed = [(position, items.pop(key)) for position, key in moved if key in items]
    rest = iter(items.values())
    ordered: list[Any] = []
    for position, item in placed:
        ordered.extend(itertools.islice(rest, max(position - len(ordered), 0)))
        ordered.append(item)
    ordered.extend(rest)
    return ordered


def merged_order(
    base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]
) -> list[str] | None:
    """The order a section takes when a save merges `mine` with the store's order `theirs`.

    `base` is the order this workspace last loaded or saved, `mine` the caller's now, `theirs`
    the store's now (other writers changed it since `base`). The result is `theirs` with the
    caller's changes to `base` applied: the keys the caller dropped go, and each key the caller
    added comes right after the key before it in `mine` (first, if none). When the caller
    moved keys (the keys it kept from `base` are in another order), the result is `mine` with
    the other writers' additions and drops applied the same way. When both moved keys, there
    is no one answer: `None` (a conflict). O(n) for n keys.
    """
    base_set = set(base)
    mine_moved = _kept(mine, base_set) != _kept(base, set(mine))
    theirs_moved = _kept(theirs, base_set) != _kept(base, set(theirs))
    if mine_moved and theirs_moved:
        return None
    if mine_moved:
        return _with_changes(mine, base_set, theirs)
    return _with_changes(theirs, base_set, mine)


def _kept(keys: Sequence[str], among: set[str]) -> list[str]:
    """`keys` that are `among`, in their order."""
    return [key for key in keys if key in among]


def _with_changes(into: Sequence[str], base: set[str], source: Sequence[str]) -> list[str]:
    """`into` with the keys `source` dropped from `base` removed and those it added placed.

    An added key comes right after the key before it in `source` that the result holds
    (first, when none does); keys added one after another stay together, in order. O(n).
    """
    in_source = set(source)
    kept = [key for key in into if key not in base or key in in_source]
    present = set(kept)
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for key in source:
        if key in present:
            anchor = key
        elif key not in base:  # added by `source`
            after.setdefault(anchor, []).append(key)
    merged = list(after.get(None, ()))
    for key in kept:
        merged.append(key)
        merged.extend(after.get(key, ()))
    return merged
