"""Reads that return record objects instead of dicts, upcasting older schema versions.

Stored dicts are stamped by [dump_record][workplan_core.serialization.dump_record]; these
helpers turn them back with [load_record][workplan_core.serialization.load_record], which runs
the registered upcasters first, so a record written by an older version of the library reads
as the current class.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

from workplan_core.errors import ValidationError
from workplan_core.serialization import load_record, require_record_type
from workplan_core.storage.errors import CorruptRecordError
from workplan_core.storage.protocol import Store
from workplan_core.storage.records import IndexValue, StoredRecord

__all__ = ["get_as", "load_stored", "scan_as"]

T = TypeVar("T")


def load_stored(stored: StoredRecord, cls: type[T]) -> T:
    """Structure one stored version as a `cls`, upcasting it if it is older.

    Raises:
        CorruptRecordError: the version is a tombstone, or its dict is not a valid `cls`
            (the message names the collection, key and version and lists the problems).
    """
    if stored.record is None:
        raise CorruptRecordError(
            stored.collection, stored.key, stored.version, "is a tombstone, not a record"
        )
    try:
        return load_record(stored.record, cls)
    except ValidationError as exc:
        raise CorruptRecordError(stored.collection, stored.key, stored.version, str(exc)) from exc


def get_as(store: Store, collection: str, key: str, cls: type[T]) -> T | None:
    """The live record of `key` as a `cls`, or `None` when absent.

    Raises:
        ValidationError: `cls` is not a registered record class (path ``$.cls``).
        CorruptRecordError: the stored record is not a valid `cls`.
    """
    require_record_type(cls)
    stored = store.get(collection, key)
    return None if stored is None else load_stored(stored, cls)


def scan_as(
    store: Store, collection: str, cls: type[T], where: Mapping[str, IndexValue] | None = None
) -> Iterator[T]:
    """Stream the live records of `collection` as `cls` objects, in key order.

    Raises:
        ValidationError: `cls` is not a registered record class (path ``$.cls``), at the
            call.
        CorruptRecordError: a stored record is not a valid `cls`, when it is reached.
    """
    require_record_type(cls)
    return (load_stored(stored, cls) for stored in store.scan(collection, where))
