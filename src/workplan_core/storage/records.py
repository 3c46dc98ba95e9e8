"""The values a store takes and returns: writes, stored versions and commits.

A store keeps *records*: JSON-compatible dicts (usually stamped by
[dump_record][workplan_core.serialization.dump_record]) under string keys in named
collections. Every write of a key makes a new version (1, 2, 3, …); a delete writes a
tombstone version whose `record` is `None`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeAlias

import attrs

from workplan_core.errors import ValidationError
from workplan_core.serialization import dump_record

__all__ = ["Commit", "Delete", "IndexValue", "JsonRecord", "Put", "StoredRecord", "Write"]

JsonRecord: TypeAlias = dict[str, Any]
"""A record as stored: a dict of strings to JSON values (str, int, float, bool, None, lists,
dicts)."""

IndexValue: TypeAlias = str | int | bool | None
"""A value an indexed field can be filtered by: a string, an integer, a boolean or null."""


@attrs.frozen
class Put:
    """Write `record` under `key` in `collection`, creating the key's next version.

    Attributes:
        collection: the collection's name.
        key: the record's key inside the collection.
        record: the JSON-compatible dict to store.
        expected_version: the key's current version the writer expects; `None` means the key
            must not hold a live record (never written, or deleted).
    """

    collection: str
    key: str
    record: JsonRecord
    expected_version: int | None = None

    @classmethod
    def of(cls, collection: str, key: str, obj: object, expected_version: int | None = None) -> Put:
        """Build a put of a registered record object, stamped by `dump_record`.

        Raises:
            ValidationError: `obj` is not an object of a registered record type (path
                ``$.obj``; a plain dict goes straight into ``Put(collection, key, record)``).
        """
        try:
            record = dump_record(obj)
        except ValidationError as error:
            raise error.prefixed("$.obj") from None
        return cls(collection, key, record, expected_version)


@attrs.frozen
class Delete:
    """Delete `key` from `collection` by writing a tombstone version.

    Attributes:
        collection: the collection's name.
        key: the record's key inside the collection.
        expected_version: the key's current (live) version; deleting an absent or already
            deleted key is a conflict.
    """

    collection: str
    key: str
    expected_version: int


Write: TypeAlias = Put | Delete
"""One write of a batch: a [Put][workplan_core.storage.records.Put] or a
[Delete][workplan_core.storage.records.Delete]."""


@attrs.frozen
class StoredRecord:
    """One stored version of a key, as reads, `history` and the change feed return it.

    Attributes:
        collection: the collection's name.
        key: the record's key.
        version: the version number (1 for the first write of the key).
        seq: the store-wide sequence number of the write; larger means committed later.
        record: the stored dict, or `None` for a tombstone (a delete).
        committed_at: when the write was committed (UTC); not part of equality, so the
            same history compares equal across stores.
    """

    collection: str
    key: str
    version: int
    seq: int
    record: JsonRecord | None
    committed_at: dt.datetime = attrs.field(eq=False)

    @property
    def deleted(self) -> bool:
        """Whether this version is a tombstone."""
        return self.record is None


_NEW = object.__new__
_SET_COLLECTION = StoredRecord.__dict__["collection"].__set__
_SET_KEY = StoredRecord.__dict__["key"].__set__
_SET_VERSION = StoredRecord.__dict__["version"].__set__
_SET_SEQ = StoredRecord.__dict__["seq"].__set__
_SET_RECORD = StoredRecord.__dict__["record"].__set__
_SET_COMMITTED_AT = StoredRecord.__dict__["committed_at"].__set__


def _stored_record(  # noqa: PLR0917 - the fields of StoredRecord, in order
    collection: str,
    key: str,
    version: int,
    seq: int,
    record: JsonRecord | None,
    committed_at: dt.datetime,
) -> StoredRecord:
    """`StoredRecord(...)` for the backends' read loops, about twice as fast.

    It fills the slots directly instead of going through the frozen class's `__init__`; the
    result is the same object.
    """
    stored: StoredRecord = _NEW(StoredRecord)
    _SET_COLLECTION(stored, collection)
    _SET_KEY(stored, key)
    _SET_VERSION(stored, version)
    _SET_SEQ(stored, seq)
    _SET_RECORD(stored, record)
    _SET_COMMITTED_AT(stored, committed_at)
    return stored


@attrs.frozen
class Commit:
    """What a committed batch wrote, in the order of its writes.

    Attributes:
        versions: the new version of each written key.
        seqs: the sequence number of each write (strictly increasing).
        committed_at: when the batch was committed (UTC).
    """

    versions: tuple[int, ...]
    seqs: tuple[int, ...]
    committed_at: dt.datetime

    @property
    def last_seq(self) -> int | None:
        """The sequence number of the batch's last write, or `None` for an empty batch."""
        return self.seqs[-1] if self.seqs else None
