"""Checking a batch of writes: input validation, optimistic-concurrency expectations, indexing.

Backends share these functions so that every store accepts, refuses and reports a batch the
same way. A backend's `write` does, in order:

1. `prepare_batch(writes)` — outside any lock; raises `ValidationError` listing every problem.
2. inside its write transaction: read the current `Head` of every written key, then
   `next_versions(batch, heads)` — raises `ConflictError` listing every conflicting key.
3. `batch_index_entries(batch, indexed)` for the declared indexed fields, then store everything.

The library's own stores use the columnar form, `check_batch`, which checks a whole batch with
a few passes in C (the same checks and the same errors) and skips the per-write objects.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any, NamedTuple, cast

from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    MAX_NAME_LENGTH,
    are_plain_names,
    encode_flat_record,
    encode_record,
    encode_records,
    index_entries,
    index_texts,
    iterable_problem,
    name_problem,
    record_problems,
    require_writes,
)
from workplan_core.storage.records import Delete, JsonRecord, Put, Write

__all__ = [
    "CheckedBatch",
    "Head",
    "PreparedWrite",
    "batch_index_entries",
    "check_batch",
    "check_declaration",
    "commit_time",
    "index_columns",
    "next_versions",
    "prepare_batch",
]


class PreparedWrite(NamedTuple):
    """A checked write, ready to store.

    Attributes:
        position: the write's index in the batch (for error paths such as `$.writes[3]`).
        collection: the collection's name.
        key: the record's key.
        record: the record, or `None` for a delete.
        text: the record's JSON text, or `None` for a delete.
        expected_version: the version the writer expects (`None`: no live record).
    """

    position: int
    collection: str
    key: str
    record: JsonRecord | None
    text: str | None
    expected_version: int | None


class Head(NamedTuple):
    """The latest version of a key and whether it is live (not a tombstone)."""

    version: int
    live: bool


def _expected_problem(value: object, required: bool) -> str | None:
    if value is None:
        return "a delete must name the live version it expects" if required else None
    if type(value) is not int or value < 1:
        return "must be a positive integer" if required else "must be None or a positive integer"
    return None


def _write_problems(position: int, write: object) -> list[Problem]:
    """Every problem of one write (the slow path, which also explains what is wrong)."""
    path = f"$.writes[{position}]"
    if not isinstance(write, Put | Delete):
        return [Problem(path, f"must be a Put or a Delete, got {type(write).__name__}")]
    problems: list[Problem] = []
    message = name_problem(write.collection, MAX_NAME_LENGTH)
    if message:
        problems.append(Problem(f"{path}.collection", message))
    message = name_problem(write.key, MAX_KEY_LENGTH)
    if message:
        problems.append(Problem(f"{path}.key", message))
    message = _expected_problem(write.expected_version, required=isinstance(write, Delete))
    if message:
        problems.append(Problem(f"{path}.expected_version", message))
    if isinstance(write, Put):
        problems.extend(record_problems(write.record, f"{path}.record"))
    return problems


def _plain_pair(collection: object, key: object) -> bool:
    return (
        type(collection) is str
        and type(key) is str
        and 0 < len(collection) <= MAX_NAME_LENGTH
        and 0 < len(key) <= MAX_KEY_LENGTH
        and collection.isascii()
        and key.isascii()
        and "\x00" not in collection
        and "\x00" not in key
    )


def _fast_prepare(position: int, write: Any) -> PreparedWrite | None:
    """The prepared write when it is plainly valid (ASCII names, a flat record), else `None`.

    The fast path of `prepare_batch`: anything unusual returns `None` and takes the detailed
    check, which also explains what is wrong.
    """
    kind = type(write)
    if (kind is Put or kind is Delete) and _plain_pair(write.collection, write.key):
        expected = write.expected_version
        if kind is Delete:
            if type(expected) is int and expected > 0:
                return _make(
                    PreparedWrite, (position, write.collection, write.key, None, None, expected)
                )
        elif expected is None or (type(expected) is int and expected > 0):
            text = encode_flat_record(write.record)
            if text is not None:
                return _make(
                    PreparedWrite,
                    (position, write.collection, write.key, write.record, text, expected),
                )
    return None


_make = tuple.__new__
_prepared = cast(
    Callable[[tuple[Any, ...]], PreparedWrite], functools.partial(tuple.__new__, PreparedWrite)
)


class CheckedBatch(NamedTuple):
    """A batch of writes that passed every check of `prepare_batch`, as columns.

    Attributes:
        collections: each write's collection.
        keys: each write's key.
        records: each put's record (the caller's dict itself: copy it before keeping it);
            `None` for a delete.
        texts: each put's JSON text (`None` for a delete), or `None` when the batch was
            checked with `encode=False`.
        expected: each write's expected version.
        nested: whether some record holds a list or an object; when not, every value is a
            scalar and a shallow copy of a record is a full copy.
    """

    collections: list[str]
    keys: list[str]
    records: list[JsonRecord | None]
    texts: list[str | None] | None
    expected: list[int | None]
    nested: bool

    @property
    def all_new(self) -> bool:
        """Whether every write is a put expecting no live record (the bulk-load case)."""
        return self.expected.count(None) == len(self.expected) and None not in self.records

    def prepared(self) -> list[PreparedWrite]:
        """The batch as `PreparedWrite`s (encoding the records if that was skipped)."""
        texts = self.texts
        if texts is None:
            texts = [None if r is None else encode_record(r) for r in self.records]
        positions = range(len(self.keys))
        columns = zip(
            positions, self.collections, self.keys, self.records, texts, self.expected, strict=True
        )
        return list(map(_prepared, columns))


_WRITE_KINDS = frozenset({Put, Delete})
_PUT_ONLY = frozenset({Put})
_DICT = frozenset({dict})
_KEY_TYPES = frozenset({str})
_SCALARS = frozenset({str, int, bool, type(None)})
_SCALARS_AND_FLOAT = _SCALARS | {float}
_JSON_TYPES = _SCALARS_AND_FLOAT | {list, dict}
_EXPECTED_TYPES = frozenset({int, type(None)})
_collection_of = attrgetter("collection")
_key_of = attrgetter("key")
_expected_of = attrgetter("expected_version")
_record_of = attrgetter("record")


def _bulk_check(items: list[Any], encode: bool) -> CheckedBatch | None:
    """The checked batch when every write is plainly valid, else `None`.

    A few passes in C over the whole batch; anything unusual returns `None` and takes the
    detailed check, which also explains what is wrong.
    """
    kinds = set(map(type, items))
    if not _WRITE_KINDS.issuperset(kinds):
        return None
    collections: list[str] = list(map(_collection_of, items))
    keys: list[str] = list(map(_key_of, items))
    expected: list[int | None] = list(map(_expected_of, items))
    if not _plain_addresses(collections, keys, expected):
        return None
    records: list[JsonRecord | None]
    if kinds == _PUT_ONLY:
        records = list(map(_record_of, items))
        puts = cast(list[JsonRecord], records)
    else:
        records = [w.record if type(w) is Put else None for w in items]
        if any(e is None for w, e in zip(items, expected, strict=True) if type(w) is Delete):
            return None  # a delete must name a version
        puts = [w.record for w in items if type(w) is Put]
    nested = _plain_records(puts)
    if nested is None:
        return None
    texts: list[str | None] | None = None
    if encode:
        encoded = encode_records(puts)
        if len(puts) == len(items):
            texts = cast(list[str | None], encoded)
        else:
            each = iter(encoded)
            texts = [None if r is None else next(each) for r in records]
    return CheckedBatch(collections, keys, records, texts, expected, nested)


def _plain_addresses(collections: list[str], keys: list[str], expected: list[int | None]) -> bool:
    """Whether names, keys and expected versions are valid and no key is written twice."""
    return (
        _KEY_TYPES.issuperset(map(type, collections))
        and are_plain_names(set(collections), MAX_NAME_LENGTH)
        and are_plain_names(keys, MAX_KEY_LENGTH)
        and len(set(zip(collections, keys, strict=True))) == len(keys)
        and _EXPECTED_TYPES.issuperset(map(type, expected))
        and 0 not in expected
        and min(cast(list[int], filter(None, expected)), default=1) >= 1
    )


def _plain_records(puts: list[JsonRecord]) -> bool | None:
    """Whether some valid record nests lists or objects; `None` when some record is invalid."""
    if not _DICT.issuperset(map(type, puts)) or not _KEY_TYPES.issuperset(
        map(type, chain.from_iterable(puts))
    ):
        return None
    values = list(chain.from_iterable(map(dict.values, puts)))
    types = set(map(type, values))
    if _SCALARS_AND_FLOAT.issuperset(types):
        if float in types and not all(math.isfinite(v) for v in values if type(v) is float):
            return None
        return False
    if not _JSON_TYPES.issuperset(types):
        return None
    for record in puts:
        if not _SCALARS_AND_FLOAT.issuperset(map(type, record.values())) and record_problems(
            record, "$"
        ):
            return None
    return True


def check_batch(writes: Iterable[Write], *, encode: bool = True) -> CheckedBatch:
    """Check every write of a batch, as `prepare_batch` does, and return it as columns.

    O(total size of the records), in a few passes in C when every write is plainly valid.

    Args:
        writes: the batch.
        encode: also encode the records to JSON text (`CheckedBatch.texts`).

    Raises:
        ValidationError: as `prepare_batch` raises it.
    """
    items = require_writes(writes)
    if not items:
        return CheckedBatch([], [], [], [] if encode else None, [], nested=False)
    checked = _bulk_check(items, encode)
    if checked is not None:
        return checked
    prepared = _prepare_each(items)
    records = [w.record for w in prepared]
    return CheckedBatch(
        [w.collection for w in prepared],
        [w.key for w in prepared],
        records,
        [w.text for w in prepared] if encode else None,
        [w.expected_version for w in prepared],
        nested=any(not _SCALARS_AND_FLOAT.issuperset(map(type, r.values())) for r in records if r),
    )


def prepare_batch(writes: Iterable[Write]) -> list[PreparedWrite]:
    """Check every write of a batch and encode its record.

    O(total size of the records); a batch of plainly valid writes is checked in a few passes
    in C (see `check_batch`).

    Raises:
        ValidationError: listing every problem of every write at once, with paths such as
            `$.writes[3].key` or `$.writes[0].record.scores[2]`; a key written twice in one
            batch is a problem too; at `$.writes` when `writes` is not an iterable of
            writes (a single `Put` or `Delete`, a string, a mapping; see
            `workplan_core.storage.encoding.require_writes`).
    """
    items = require_writes(writes)
    checked = _bulk_check(items, encode=True) if items else None
    if checked is not None:
        return checked.prepared()
    return _prepare_each(items)


def _prepare_each(writes: list[Any]) -> list[PreparedWrite]:
    """`prepare_batch` one write at a time: the path that explains every problem."""
    prepared: list[PreparedWrite] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for position, write in enumerate(writes):
        ready = _fast_prepare(position, write)
        if ready is None:
            found = _write_problems(position, write)
            if found:
                problems.extend(found)
                continue
            record = write.record if isinstance(write, Put) else None
            text = None if record is None else encode_record(record)
            ready = _make(
                PreparedWrite,
                (position, write.collection, write.key, record, text, write.expected_version),
            )
        pair = (ready.collection, ready.key)
        first = seen.setdefault(pair, position)
        if first != position:
            problems.append(
                Problem(
                    f"$.writes[{position}]",
                    f"key {ready.key!r} of {ready.collection!r} is already written by "
                    f"$.writes[{first}]; write each key at most once per batch",
                )
            )
            continue
        prepared.append(ready)
    if problems:
        raise ValidationError(problems, summary="invalid batch of writes")
    return prepared


def _describe(head: Head | None) -> str:
    if head is None:
        return "no record"
    return f"version {head.version}" + ("" if head.live else " (deleted)")


def _expectation_holds(write: PreparedWrite, head: Head | None) -> bool:
    expected = write.expected_version
    if write.record is None:
        return head is not None and head.live and head.version == expected
    if expected is None:
        return head is None or not head.live
    return head is not None and head.version == expected


def next_versions(
    batch: Sequence[PreparedWrite], heads: Mapping[tuple[str, str], Head]
) -> list[int]:
    """The new version of each write, after checking every expectation against `heads`.

    A put expecting `None` needs no live record; a put expecting `n` needs the key's latest
    version (live or tombstone) to be `n`; a delete expecting `n` needs a live version `n`.
    O(len(batch)).

    Args:
        batch: the prepared writes.
        heads: the current head of each written key that has ever been written.

    Raises:
        ConflictError: listing every `(collection, key)` whose expectation fails.
    """
    versions: list[int] = []
    conflicts: list[tuple[str, str]] = []
    details: list[str] = []
    get = heads.get
    for write in batch:
        head = get((write.collection, write.key))
        if head is None and write.expected_version is None and write.record is not None:
            versions.append(1)  # the common case: a new key
            continue
        if not _expectation_holds(write, head):
            conflicts.append((write.collection, write.key))
            want = (
                "no live record"
                if write.expected_version is None
                else f"version {write.expected_version}"
            )
            details.append(
                f"{write.collection}/{write.key}: expected {want}, found {_describe(head)}"
            )
            continue
        versions.append(head.version + 1 if head is not None else 1)
    if conflicts:
        shown = "; ".join(details[:10]) + ("; …" if len(details) > 10 else "")
        raise ConflictError(
            f"{len(conflicts)} write(s) conflict, nothing was written: {shown}", conflicts
        )
    return versions


def check_declaration(collection: object, indexed: object) -> tuple[str, tuple[str, ...]]:
    """Check a `declare` call; return the collection and its indexed fields, sorted and unique.

    `indexed` is any iterable of field names but a string: ``indexed="team"`` is refused
    (write ``indexed=["team"]``), as is `None` (write ``indexed=()`` to index nothing).

    Raises:
        ValidationError: listing every invalid name (`$.collection`, `$.indexed[2]`), or
            `$.indexed` itself when it is not an iterable of names.
    """
    problems: list[Problem] = []
    message = name_problem(collection, MAX_NAME_LENGTH)
    if message:
        problems.append(Problem("$.collection", message))
    message = iterable_problem(indexed, "field names", "to index one field, pass [name]")
    if message:
        problems.append(Problem("$.indexed", message))
        raise ValidationError(problems, summary="invalid declaration")
    fields = list(cast(Iterable[object], indexed))
    for i, field in enumerate(fields):
        message = name_problem(field, MAX_NAME_LENGTH)
        if message:
            problems.append(Problem(f"$.indexed[{i}]", message))
    if problems:
        raise ValidationError(problems, summary="invalid declaration")
    return str(collection), tuple(sorted({str(f) for f in fields}))


def batch_index_entries(
    batch: Sequence[PreparedWrite], indexed: Mapping[str, Sequence[str]]
) -> list[list[tuple[str, str]]]:
    """The index entries of each write, for the indexed fields of its collection.

    Deletes have none. O(len(batch) × fields per collection).

    Args:
        batch: the prepared writes.
        indexed: the indexed fields of each collection (collections missing have none).
    """
    result: list[list[tuple[str, str]]] = []
    append = result.append
    for write in batch:
        fields = indexed.get(write.collection)
        record = write.record
        if record is None or not fields:
            append([])
        else:
            append(index_entries(record, fields))
    return result


def index_columns(
    checked: CheckedBatch, indexed: Mapping[str, Sequence[str]]
) -> Iterator[tuple[str, str, list[str | None]]]:
    """The index entries of a checked batch, one column per collection and indexed field.

    Yields `(collection, field, texts)`, where `texts[i]` is the value text under which
    write `i` is found (see `encoding.index_texts`), or `None` when it has no entry there (a
    delete, another collection, a missing or unindexable value). O(len(batch) × fields), in
    C for a batch of one collection whose records all hold string values.
    """
    names = dict.fromkeys(checked.collections)
    for name in names:
        fields = indexed.get(name)
        if not fields:
            continue
        records = checked.records
        if len(names) > 1:
            records = [
                r if c == name else None for c, r in zip(checked.collections, records, strict=True)
            ]
        for field in fields:
            yield name, field, index_texts(records, field)


def commit_time() -> dt.datetime:
    """The current UTC time, stamped on a committed batch (storage is an edge: it may)."""
    return dt.datetime.now(dt.UTC)
