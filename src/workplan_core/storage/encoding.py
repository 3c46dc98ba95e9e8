"""How records, names and indexed values are checked and encoded, the same way for every backend.

A record is stored as compact JSON text (ASCII only, insertion order kept), so every backend
returns exactly what was written: floats keep their bits, `-0.0` keeps its sign, strings keep
every character. An indexed field's value is kept as its JSON text too, so `"1"`, `1` and
`true` are three different values in every backend.
"""

from __future__ import annotations

import json
import json.scanner
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any, cast

from workplan_core.errors import Problem, ValidationError
from workplan_core.storage.errors import CorruptRecordError
from workplan_core.storage.records import Delete, IndexValue, JsonRecord, Put

__all__ = [
    "MAX_INDEX_VALUE_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NESTING",
    "are_plain_names",
    "decode_each",
    "decode_record",
    "decode_records",
    "encode_flat_record",
    "encode_index_value",
    "encode_record",
    "encode_records",
    "index_entries",
    "index_texts",
    "is_plain_name",
    "iterable_problem",
    "name_problem",
    "record_problems",
    "require_keys",
    "require_name",
    "require_since",
    "require_writes",
    "where_entries",
]

MAX_NAME_LENGTH = 64
"""Longest collection or field name, in characters."""
MAX_KEY_LENGTH = 256
"""Longest key, in characters."""
MAX_INDEX_VALUE_LENGTH = 1024
"""Longest JSON text of an indexed value, in characters."""
MAX_NESTING = 100
"""Deepest nesting of lists and objects inside a record."""

_DECODE = json.JSONDecoder().decode
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder())
)


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


_SLOW_ENCODE = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode


def _make_chunks() -> Callable[[object, int], Sequence[str]]:
    """The compact, ASCII-only, NaN-refusing JSON encoder of CPython's C accelerator.

    Records are checked (no cycles, depth bounded) before they are encoded, so the encoder's
    own cycle check ("markers") is skipped.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C encoder
        return lambda value, _: [_SLOW_ENCODE(value)]
    chunks: Callable[[object, int], Sequence[str]] = make(
        None, _refuse, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
    )
    return chunks


_CHUNKS = _make_chunks()


def _encode(value: object) -> str:
    if isinstance(value, str):
        return _SLOW_ENCODE(value)
    return "".join(_CHUNKS(value, 0))


_QUOTE: Callable[[str], str] = json.encoder.encode_basestring_ascii
_STR = frozenset({str})
_DICT_TYPE = frozenset({dict})
_PLAIN_VALUE_TYPES = frozenset({str, int, float, bool, type(None)})
_MISSING = object()


def is_plain_name(value: object, limit: int) -> bool:
    """Whether `value` is a valid ASCII name (the fast path of `name_problem`)."""
    return (
        type(value) is str and 0 < len(value) <= limit and value.isascii() and "\x00" not in value
    )


def name_problem(value: object, limit: int) -> str | None:
    """Why `value` is not a valid collection name, field name or key, or `None` when it is.

    Valid names are non-empty strings of at most `limit` characters, without NUL characters
    or lone surrogates (they must encode as UTF-8).
    """
    if type(value) is not str:
        return f"must be a string, got {type(value).__name__}"
    if not value:
        return "must not be empty"
    if len(value) > limit:
        return f"must be at most {limit} characters long"
    if "\x00" in value:
        return "must not contain NUL characters"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must be valid Unicode (no lone surrogates)"
    return None


def _value_problems(value: Any, path: str, depth: int, problems: list[Problem]) -> None:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float:
        if not math.isfinite(value):
            problems.append(Problem(path, "must be a finite number (JSON has no NaN or infinity)"))
        return
    if kind is dict or kind is list:
        if depth >= MAX_NESTING:
            problems.append(Problem(path, f"must not nest deeper than {MAX_NESTING} levels"))
            return
        if kind is list:
            for i, item in enumerate(value):
                _value_problems(item, f"{path}[{i}]", depth + 1, problems)
            return
        _object_problems(value, path, depth, problems)
        return
    problems.append(Problem(path, f"{kind.__name__} is not a JSON value"))


def _object_problems(value: dict[Any, Any], path: str, depth: int, problems: list[Problem]) -> None:
    for k, v in value.items():
        if type(k) is not str:
            problems.append(Problem(path, f"object keys must be strings, found {k!r}"))
            continue
        _value_problems(v, f"{path}.{k}", depth + 1, problems)


def require_name(value: object, path: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Return `value` if it is a valid name (see `name_problem`).

    Raises:
        ValidationError: at `path`, naming the rule broken.
    """
    message = name_problem(value, limit)
    if message:
        raise ValidationError.single(path, message)
    assert isinstance(value, str)
    return value


def require_since(since: object) -> int:
    """Return `since` if it is a valid change-feed position (an integer >= 0).

    Raises:
        ValidationError: at `$.since`.
    """
    if type(since) is not int or since < 0:
        raise ValidationError.single("$.since", "must be an integer >= 0")
    return since


def are_plain_names(names: Iterable[object], limit: int) -> bool:
    """Whether every name is valid (the bulk form of `name_problem`; empty input is valid).

    A few passes in C: it is the fast path of checks over many keys, and a `False` only
    means that `name_problem` must explain which name is wrong. O(total length).
    """
    names = names if type(names) is list else list(names)
    if not names:
        return True
    if not _STR.issuperset(map(type, names)):
        return False
    texts = cast(list[str], names)
    if min(map(len, texts)) == 0 or max(map(len, texts)) > limit:
        return False
    joined = "".join(texts)
    if "\x00" in joined:
        return False
    if not joined.isascii():
        try:
            joined.encode("utf-8")  # lone surrogates fail here, wherever they are
        except UnicodeEncodeError:
            return False
    return True


_TEXT_TYPES = (str, bytes, bytearray, memoryview)


def iterable_problem(value: object, items: str, hint: str = "") -> str | None:
    """Why `value` cannot be taken as an iterable of several `items`, or `None` when it can.

    A string (or bytes) is iterable, but as its characters: an argument meant to hold many
    names that gets one name instead would silently read each character as a name, so it is
    refused. Anything `iter()` refuses is refused too. O(1): the items are not looked at.

    Args:
        value: the argument.
        items: what it must hold, for the message (`"keys"`, `"field names"`).
        hint: appended to the message of a string, in parentheses (how to pass one item).
    """
    if isinstance(value, _TEXT_TYPES):
        kind = "a string" if isinstance(value, str) else type(value).__name__
        return f"must be an iterable of {items}, not {kind}" + (f" ({hint})" if hint else "")
    try:
        iter(cast(Any, value))
    except TypeError:
        return f"must be an iterable of {items}, got {type(value).__name__}"
    return None


def require_keys(keys: object, path: str = "$.keys") -> list[str]:
    """Return the distinct `keys` in the order first given, if each is a valid key.

    What `get_many` takes: any iterable of keys (a list, a tuple, a generator, a dict's
    keys), but not a single key (a string would otherwise be read character by character).
    O(len(keys)), in C when every key is a plain ASCII key.

    Raises:
        ValidationError: at `path` when `keys` is a string, bytes or not iterable; else
            listing every invalid key at `path[i]` (its position as given).
    """
    message = iterable_problem(keys, "keys", "to read one key, pass [key] or use get")
    if message:
        raise ValidationError.single(path, message)
    items = list(cast(Iterable[object], keys))
    if not are_plain_names(items, MAX_KEY_LENGTH):
        problems = [
            Problem(f"{path}[{i}]", found)
            for i, key in enumerate(items)
            if (found := name_problem(key, MAX_KEY_LENGTH))
        ]
        if problems:
            raise ValidationError(problems, summary="invalid keys")
    return list(dict.fromkeys(cast(list[str], items)))


def require_writes(writes: object, path: str = "$.writes") -> list[Any]:
    """Return the items of a batch of writes as a list, if `writes` can be one.

    A batch is any iterable of writes (a list, a tuple, a generator) except a string, bytes
    or a mapping; a single `Put` or `Delete` is refused naming the likely mistake. The items
    themselves are checked by `workplan_core.storage.batch.check_batch` and
    `prepare_batch`, which call this first. O(1) for a list, else O(len(writes)).

    Raises:
        ValidationError: at `path`.
    """
    if type(writes) is list:
        return writes
    message: str | None
    if isinstance(writes, Put | Delete):
        kind = type(writes).__name__
        message = (
            f"must be an iterable of Put/Delete writes, got a single {kind} "
            f"(wrap it in a list: write([{kind}(...)]))"
        )
    elif isinstance(writes, Mapping):
        message = f"must be an iterable of Put/Delete writes, got {type(writes).__name__}"
    else:
        message = iterable_problem(writes, "Put/Delete writes")
    if message:
        raise ValidationError.single(path, message)
    return list(cast(Iterable[Any], writes))


def record_problems(record: object, path: str) -> list[Problem]:
    """Every reason why `record` cannot be stored, with JSON paths under `path`.

    A storable record is a dict with string keys whose values are strings, integers, finite
    floats, booleans, `None`, lists and dicts of the same (exact types: a tuple or an enum
    member is refused rather than silently changed). O(size of the record).
    """
    if type(record) is not dict:
        return [Problem(path, f"must be an object (dict), got {type(record).__name__}")]
    problems: list[Problem] = []
    _object_problems(record, path, 0, problems)
    return problems


def encode_record(record: JsonRecord) -> str:
    """The compact, ASCII-only JSON text of a record checked by `record_problems`."""
    return _encode(record)


def encode_records(records: Sequence[JsonRecord]) -> list[str]:
    """The JSON texts of many records checked by `record_problems`, in one encoder call.

    The C encoder runs once over the whole list and the text is cut at the ``},{`` between
    records. That is exact when the text holds exactly ``len(records) - 1`` of them (the
    text is ASCII-only, so no newline of a record can be confused with the one inserted to
    cut); when a string or a nested list holds one too, each record is encoded alone.
    O(total size of the records).

    Raises:
        ValueError: a record holds NaN or an infinity (`record_problems` reports those).
    """
    count = len(records)
    if count == 0:
        return []
    text = "".join(_CHUNKS(records if type(records) is list else list(records), 0))
    if count == 1:
        return [text[1:-1]]
    if text.count("},{") == count - 1:
        texts = text[1:-1].replace("},{", "}\n{").split("\n")
        if len(texts) == count:  # always, as argued above; a cheap guard all the same
            return texts
    return ["".join(_CHUNKS(record, 0)) for record in records]


def encode_flat_record(record: object) -> str | None:
    """The JSON text of a valid record whose values are all scalars, else `None`.

    The fast path of a write: a dict with string keys and string, integer, finite float,
    boolean or null values needs no walk. Anything else (nesting, NaN, other types) gives
    `None`, and the caller falls back to `record_problems` and `encode_record`. O(fields).
    """
    if (
        type(record) is not dict
        or not _STR.issuperset(map(type, record))
        or not _PLAIN_VALUE_TYPES.issuperset(map(type, record.values()))
    ):
        return None
    try:
        return "".join(_CHUNKS(record, 0))
    except ValueError:  # NaN or infinity
        return None


def decode_record(text: object, collection: str, key: str, version: int | None) -> JsonRecord:
    """Turn a stored JSON text back into a record.

    Raises:
        CorruptRecordError: the text is not a JSON object; the error names the collection,
            key and version.
    """
    if type(text) is str:
        try:  # the fast path: a compact text, as the stores write it
            value, end = _SCAN_ONCE(text, 0)
        except (StopIteration, ValueError):
            pass
        else:
            if end == len(text) and type(value) is dict:
                return value
    if not isinstance(text, str):
        raise CorruptRecordError(
            collection, key, version, f"stored body is {type(text).__name__}, not text"
        )
    try:
        value = _DECODE(text)
    except ValueError as exc:
        raise CorruptRecordError(
            collection, key, version, f"stored body is not valid JSON: {exc}"
        ) from exc
    if type(value) is not dict:
        raise CorruptRecordError(
            collection, key, version, f"stored body is a JSON {type(value).__name__}, not an object"
        )
    return value


def decode_each(texts: Sequence[object]) -> list[JsonRecord | None] | None:
    """Decode stored texts one by one on the fast path; `None` when some text needs the slow one.

    Each text must be exactly one compact JSON object (as the stores write them); `None`
    texts (tombstones) stay `None`. On `None`, decode each text with `decode_record`, which
    accepts surrounding whitespace and names a broken text. O(total size).
    """
    records: list[JsonRecord | None] = []
    append = records.append
    scan = _SCAN_ONCE
    for text in texts:
        if text is None:
            append(None)
            continue
        if type(text) is not str:
            return None
        try:
            value, end = scan(text, 0)
        except (StopIteration, ValueError):
            return None
        if end != len(text) or type(value) is not dict:
            return None
        append(value)
    return records


def decode_records(texts: Sequence[str | None]) -> list[JsonRecord | None] | None:
    """Decode many stored texts in one decoder call; `None` when some text is not an object.

    Exact only for texts known to be one JSON value each (a PostgreSQL ``json`` column
    guarantees it): such values joined by commas inside brackets decode to exactly these
    values. `None` texts (tombstones) stay `None`. On `None`, decode each text with
    `decode_record`, which names the broken one. O(total size).
    """
    present = [text for text in texts if text is not None]
    try:
        values = _DECODE("[" + ",".join(present) + "]")
    except (TypeError, ValueError):
        return None
    if len(values) != len(present) or not _DICT_TYPE.issuperset(map(type, values)):
        return None
    if len(present) == len(texts):
        return values  # type: ignore[no-any-return]
    each = iter(values)
    return [None if text is None else next(each) for text in texts]


def encode_index_value(value: object) -> str | None:
    """The JSON text under which an indexed field's value is kept, or `None` if not indexable.

    Strings, integers, booleans and null are indexable when their JSON text is at most
    `MAX_INDEX_VALUE_LENGTH` characters; floats, lists, objects and longer values are not.
    A record whose indexed field holds such a value matches no filter on that field (a
    filter value can be neither, so equality could never hold).
    """
    if isinstance(value, str):
        text = _QUOTE(value)
    elif value is None or isinstance(value, int):
        text = _encode(value)
    else:
        return None
    return text if len(text) <= MAX_INDEX_VALUE_LENGTH else None


def index_entries(record: JsonRecord, fields: Sequence[str]) -> list[tuple[str, str]]:
    """The `(field, value text)` pairs under which `record` is found by filtered scans.

    Fields the record lacks, or whose value is not indexable, give no entry. O(len(fields)).
    """
    entries: list[tuple[str, str]] = []
    for field in fields:
        value = record.get(field, _MISSING)
        if type(value) is str:  # the common case, inlined
            text = _QUOTE(value)
            if len(text) <= MAX_INDEX_VALUE_LENGTH:
                entries.append((field, text))
        elif value is not _MISSING:
            encoded = encode_index_value(value)
            if encoded is not None:
                entries.append((field, encoded))
    return entries


def index_texts(records: Sequence[JsonRecord | None], field: str) -> list[str | None]:
    """The index text of `field` in each record, `None` where there is no entry (see above).

    `None` records (deletes) have no entry. The common case — every record holds a string
    in `field` — runs in C. O(len(records)).
    """
    if None in records:
        values = [_MISSING if r is None else r.get(field, _MISSING) for r in records]
    else:
        values = list(map(dict.get, records, repeat(field), repeat(_MISSING)))  # type: ignore[arg-type]
    if _STR.issuperset(map(type, values)):
        quoted = list(map(_QUOTE, cast(list[str], values)))
        if max(map(len, quoted), default=0) <= MAX_INDEX_VALUE_LENGTH:
            return cast(list[str | None], quoted)
    return [None if v is _MISSING else encode_index_value(v) for v in values]


def where_entries(
    collection: str, where: Mapping[str, IndexValue] | None, indexed: Sequence[str]
) -> list[tuple[str, str]]:
    """Check a scan's equality filter and encode it as `(field, value text)` pairs.

    Raises:
        ValidationError: at `$.where` when `where` is neither a mapping nor `None`; else
            listing every field that is not indexed in `collection` and every value that
            cannot be filtered by (paths such as `$.where.position_id`).
    """
    if where is None:
        return []
    if not isinstance(where, Mapping):
        raise ValidationError.single(
            "$.where",
            "must be a mapping of indexed fields to values, such as {'team': 't-1'}, "
            f"or None; got {type(where).__name__}",
        )
    if not where:
        return []
    problems: list[Problem] = []
    entries: list[tuple[str, str]] = []
    for field, value in where.items():
        path = f"$.where.{field}"
        if field not in indexed:
            declared = ", ".join(indexed) if indexed else "none"
            problems.append(
                Problem(
                    path,
                    f"field {field!r} is not indexed in collection {collection!r} "
                    f"(indexed: {declared}); declare it first",
                )
            )
            continue
        text = encode_index_value(value)
        if text is None:
            problems.append(
                Problem(
                    path,
                    "filter values must be str, int, bool or None with JSON text of at most "
                    f"{MAX_INDEX_VALUE_LENGTH} characters, got {type(value).__name__}",
                )
            )
        else:
            entries.append((field, text))
    if problems:
        raise ValidationError(problems, summary="invalid scan filter")
    return entries
