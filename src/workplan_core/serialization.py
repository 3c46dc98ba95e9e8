"""The one cattrs converter, record types with schema versions, and upcasters.

Every record of the library is (un)structured here, by one configured converter:

* dates and datetimes as ISO-8601 strings, enums by value, tuples as lists, sets as sorted
  lists (so equal sets dump equally);
* scalars are strict (``"3"`` is not an ``int``, ``1`` is not a ``bool``);
* extra keys are forbidden and every problem is reported at once as a
  [ValidationError][workplan_core.errors.ValidationError] with its JSON path.

Stored records are *stamped*: [dump_record][workplan_core.serialization.dump_record] adds
``"$type"`` and ``"$version"`` keys, and [load_record][workplan_core.serialization.load_record]
runs the registered upcasters to bring an older shape up to the current version before
structuring it. Register a record type with [record_type][workplan_core.serialization.record_type]
and an upcaster with [register_upcaster][workplan_core.serialization.register_upcaster].
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from workplan_core.errors import Problem, ValidationError

__all__ = [
    "TYPE_KEY",
    "VERSION_KEY",
    "RecordType",
    "converter",
    "dump_record",
    "from_json",
    "load_record",
    "make_converter",
    "record_type",
    "record_types",
    "register_upcaster",
    "structure",
    "to_json",
    "unstructure",
]

T = TypeVar("T")
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

TYPE_KEY = "$type"
"""Key of the stamp that names a stored record's type."""
VERSION_KEY = "$version"
"""Key of the stamp that holds a stored record's schema version."""


# --------------------------------------------------------------------------- scalar hooks


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 date string, got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date (YYYY-MM-DD)") from None


def _structure_datetime(value: object, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 datetime string, got {type(value).__name__}")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 datetime") from None


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise ValueError(f"{value!r} is not one of {allowed}") from None


def configure_converter(conv: cattrs.Converter) -> None:
    """Install the library's hooks on `conv` (dates, strict scalars, enums by value)."""
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum
    )


def _sorted_list(items: Iterable[Any]) -> list[Any]:
    """A set's unstructured items in one canonical order, so equal sets dump equally."""
    found = list(items)
    if all(type(item) is str for item in found):
        return sorted(found)
    return sorted(found, key=lambda item: json.dumps(item, sort_keys=True))


def make_converter() -> cattrs.Converter:
    """Return a new converter configured exactly like the library's own `converter`."""
    conv = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=True,
        unstruct_collection_overrides={frozenset: _sorted_list, tuple: list, set: _sorted_list},
    )
    configure_converter(conv)
    return conv


converter: cattrs.Converter = make_converter()
"""The one converter that (un)structures every record of the library."""


# --------------------------------------------------------------------------- errors


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, AttributeError | TypeError) and "items" in str(exc):
        return "expected an object"
    text = str(exc)
    return text if text else type(exc).__name__


def _walk(exc: BaseException, path: str) -> Iterator[Problem]:
    if isinstance(exc, ValidationError):
        yield from exc.prefixed(path).problems
    elif isinstance(exc, ClassValidationError):
        fields, rest = exc.group_exceptions()
        for sub, field_note in fields:
            yield from _walk(sub, f"{path}.{field_note.name}")
        for sub in rest:
            yield from _walk(sub, path)
    elif isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        for sub, item_note in items:
            yield from _walk(sub, f"{path}[{item_note.index!r}]")
        for sub in rest:
            yield from _walk(sub, path)
    else:
        yield Problem(path, _describe(exc))


def problems_of(exc: BaseException, path: str = "$") -> list[Problem]:
    """Turn any structuring exception into a flat, ordered list of problems with paths."""
    return list(_walk(exc, path))


# --------------------------------------------------------------------------- plain (de)structuring


def unstructure(obj: object) -> Any:
    """Return the JSON-compatible form of `obj` (dicts, lists, strings, numbers, booleans)."""
    return converter.unstructure(obj)


def structure(data: object, cls: type[T]) -> T:
    """Build a `cls` from JSON-compatible `data`.

    Raises:
        ValidationError: listing every problem with its path; never a bare `KeyError`
            or `TypeError`.
    """
    try:
        return converter.structure(data, cls)
    except ValidationError:
        raise
    except Exception as exc:  # every structuring failure becomes the library's error
        name = getattr(cls, "__name__", repr(cls))
        raise ValidationError(problems_of(exc), summary=f"invalid {name}") from exc


def to_json(obj: object) -> str:
    """Serialise `obj` to a compact JSON string with sorted keys."""
    return json.dumps(unstructure(obj), sort_keys=True, separators=(",", ":"))


def from_json(text: str | bytes, cls: type[T]) -> T:
    """Parse JSON `text` into a `cls`.

    Raises:
        ValidationError: the text is not JSON or does not describe a valid `cls`.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError.single("$", f"not valid JSON: {exc}") from exc
    return structure(data, cls)


# --------------------------------------------------------------------------- record types


@attrs.frozen
class RecordType:
    """A registered record type: its stable name, class and current schema version."""

    name: str
    cls: type[Any]
    version: int


_BY_NAME: dict[str, RecordType] = {}
_BY_CLASS: dict[type[Any], RecordType] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def record_type(name: str, version: int = 1) -> Callable[[type[T]], type[T]]:
    """Class decorator: register `cls` as a stored record type called `name`.

    Args:
        name: a stable name such as ``"org.person"``; it is stamped on stored records.
        version: the current schema version of the class (bump it when the shape changes,
            and register an upcaster from the previous version).
    """
    if version < 1:
        raise ValueError("record_type version must be >= 1")

    def register(cls: type[T]) -> type[T]:
        existing = _BY_NAME.get(name)
        if existing is not None and existing.cls is not cls:
            raise ValueError(f"record type name {name!r} is already used by {existing.cls}")
        rt = RecordType(name, cls, version)
        _BY_NAME[name] = rt
        _BY_CLASS[cls] = rt
        return cls

    return register


def record_types() -> Mapping[str, RecordType]:
    """Return a read-only view of the registered record types by name."""
    return dict(_BY_NAME)


def register_upcaster(name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: register a function that turns version `from_version` of `name` into the next.

    The function takes and returns the record's dict without the stamp keys. Upcasters chain:
    a version-1 record of a version-3 type passes through the 1→2 and 2→3 upcasters.
    """

    def register(fn: Upcaster) -> Upcaster:
        key = (name, from_version)
        if key in _UPCASTERS:
            raise ValueError(f"an upcaster for {name!r} v{from_version} is already registered")
        _UPCASTERS[key] = fn
        return fn

    return register


def _record_type_of(cls: type[Any]) -> RecordType:
    try:
        return _BY_CLASS[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} is not a registered record type") from None


def dump_record(obj: object) -> dict[str, Any]:
    """Unstructure a registered record and stamp it with `$type` and `$version`."""
    rt = _record_type_of(type(obj))
    data: dict[str, Any] = converter.unstructure(obj)
    data[TYPE_KEY] = rt.name
    data[VERSION_KEY] = rt.version
    return data


def _upcast(name: str, version: int, body: dict[str, Any], current: int) -> dict[str, Any]:
    while version < current:
        step = _UPCASTERS.get((name, version))
        if step is None:
            raise ValidationError.single(
                f"$.{VERSION_KEY}", f"no upcaster from {name} v{version} to v{version + 1}"
            )
        body = step(body)
        version += 1
    return body


def load_record(data: object, cls: type[T] | None = None) -> T:
    """Structure a stamped record, upcasting older schema versions first.

    Args:
        data: a dict produced by `dump_record` (possibly by an older version of the library).
        cls: the expected class; when given, the stamp must name it.

    Raises:
        ValidationError: the stamp is missing, unknown, from the future or of another type,
            or the record itself is invalid.
    """
    if not isinstance(data, Mapping):
        raise ValidationError.single("$", "expected an object")
    name, version = data.get(TYPE_KEY), data.get(VERSION_KEY)
    if not isinstance(name, str) or name not in _BY_NAME:
        raise ValidationError.single(f"$.{TYPE_KEY}", f"unknown record type {name!r}")
    rt = _BY_NAME[name]
    if cls is not None and rt.cls is not cls:
        raise ValidationError.single(
            f"$.{TYPE_KEY}", f"expected a {cls.__name__} record, found {name!r}"
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError.single(f"$.{VERSION_KEY}", "must be a positive integer")
    if version > rt.version:
        raise ValidationError.single(
            f"$.{VERSION_KEY}", f"version {version} is newer than this library's {rt.version}"
        )
    body = {k: v for k, v in data.items() if k not in (TYPE_KEY, VERSION_KEY)}
    body = _upcast(name, version, body, rt.version)
    result: T = structure(body, rt.cls)
    return result
