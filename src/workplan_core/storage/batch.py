"""Checking a batch of writes: input validation, optimistic-concurrency expectations, indexing.

Backends share these functions so that every store accepts, refuses and reports a batch the
same way. A backend's `write` does, in order:

1. `prepare_batch(writes)` — outside any lock; raises `ValidationError` listing every problem.
2. inside its write transaction: read the current `Head` of every written key, then
   `next_versions(batch, heads)` — raises `ConflictError` listing every conflicting key.
3. `batch_index_entries(batch, indexed)` for the declared indexed fields, then store everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    MAX_NAME_LENGTH,
    encode_flat_record,
    encode_record,
    index_entries,
    name_problem,
    record_problems,
)
from workplan_core.storage.records import Delete, JsonRecord, Put, Write

__all__ = [
    "Head",
    "PreparedWrite",
    "batch_index_entries",
    "check_declaration",
    "commit_time",
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


def _plain_names(collection: object, key: object) -> bool:
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
    if (kind is Put or kind is Delete) and _plain_names(write.collection, write.key):
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


def prepare_batch(writes: Iterable[Write]) -> list[PreparedWrite]:
    """Check every write of a batch and encode its record.

    O(total size of the records); flat records with ASCII names take a fast path.

    Raises:
        ValidationError: listing every problem of every write at once, with paths such as
            `$.writes[3].key` or `$.writes[0].record.scores[2]`; a key written twice in one
            batch is a problem too.
    """
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
        if head is None and write.expected_version is None and write.text is not None:
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


def check_declaration(collection: object, indexed: Iterable[object]) -> tuple[str, tuple[str, ...]]:
    """Check a `declare` call; return the collection and its indexed fields, sorted and unique.

    Raises:
        ValidationError: listing every invalid name (`$.collection`, `$.indexed[2]`).
    """
    fields = list(indexed) if not isinstance(indexed, str) else [indexed]
    problems: list[Problem] = []
    message = name_problem(collection, MAX_NAME_LENGTH)
    if message:
        problems.append(Problem("$.collection", message))
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


def commit_time() -> dt.datetime:
    """The current UTC time, stamped on a committed batch (storage is an edge: it may)."""
    return dt.datetime.now(dt.UTC)
