"""The one cattrs converter, record types with schema versions, and upcasters.

Every record of the library is (un)structured here, by one configured converter:

* dates as ``YYYY-MM-DD`` strings and datetimes in ISO-8601 extended form
  (``YYYY-MM-DDTHH:MM:SS``, optional fraction and offset); no other date form is read;
* enums by value, tuples as lists, sets as sorted lists (so equal sets dump equally);
* scalars are strict (``"3"`` is not an ``int``, ``1`` is not a ``bool``), records must be
  objects and collections lists (a string or an object is not read as a list);
* extra keys are forbidden and every problem is reported at once as a
  [ValidationError][workplan_core.errors.ValidationError] with its JSON path, in document order
  (an object's own problems, such as unknown fields, before its fields'). When a field cannot be
  read, the rules of the object's other fields are still checked (a bad `kind` does not hide an
  empty `id`); rules that need every field (an end before a start, an organisation's references)
  are checked once the fields can be read.

Stored records are *stamped*: [dump_record][workplan_core.serialization.dump_record] adds
``"$type"`` and ``"$version"`` keys, and [load_record][workplan_core.serialization.load_record]
runs the registered upcasters to bring an older shape up to the current version before
structuring it. Register a record type with [record_type][workplan_core.serialization.record_type]
and an upcaster with [register_upcaster][workplan_core.serialization.register_upcaster].
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
import types
import typing
from collections import abc
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
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
    "require_record_type",
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


_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FRACTION = r"(?:\.[0-9]{1,6})?"
_DATETIME_TEXT = re.compile(
    rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}}{_FRACTION})?"
    rf"(?:Z|[+-][0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}}{_FRACTION})?)?"
)


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 date string, got {type(value).__name__}")
    try:
        if _DATE_TEXT.fullmatch(value):  # fromisoformat alone also reads 20270101, 2027-W05-1
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not an ISO-8601 date (YYYY-MM-DD)")


def _structure_datetime(value: object, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 datetime string, got {type(value).__name__}")
    try:
        if _DATETIME_TEXT.fullmatch(value):
            return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not an ISO-8601 datetime (YYYY-MM-DDTHH:MM:SS)")


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


def _is_enum(cls: object) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, Any], enum.Enum]:
    """Structure a member of `cls` from its value: one dict lookup, as `cls(value)` would find.

    Values not among the members' (or unhashable) go through `cls(value)`, which knows the
    enum's own fallbacks, and are refused naming the values allowed.
    """
    members = {member.value: member for member in cls}

    def structure_enum(value: object, _: Any) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            pass
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in cls)
            raise ValueError(f"{value!r} is not one of {allowed}") from None

    return structure_enum


_COLLECTIONS: dict[Any, Callable[[list[Any]], Any]] = {
    list: list,
    tuple: tuple,
    set: set,
    frozenset: frozenset,
    abc.Sequence: tuple,
    abc.MutableSequence: list,
    abc.Set: frozenset,
    abc.MutableSet: set,
}


def _is_collection(cls: Any) -> bool:
    """Whether `cls` is a list, a homogeneous tuple or a set type (bare or with its item)."""
    origin = typing.get_origin(cls) or cls
    try:
        if origin not in _COLLECTIONS:
            return False
    except TypeError:  # an unhashable type expression
        return False
    args = typing.get_args(cls)
    return origin is not tuple or not args or (len(args) == 2 and args[1] is Ellipsis)


def _collection_hook(cls: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
    """Structure a collection from a JSON list only: a string or an object is no list."""
    make = _COLLECTIONS[typing.get_origin(cls) or cls]
    args = typing.get_args(cls)
    item = args[0] if args else Any

    handlers: list[Callable[[object, Any], Any]] = []  # the item's hook, found on first use

    def structure_collection(value: object, _: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        if item is Any:
            return make(list(value))
        if not handlers:
            find = getattr(conv, "get_structure_hook", None)  # cattrs >= 24.1
            handlers.append(find(item) if find is not None else conv.structure)
        handler = handlers[0]
        errors: list[Exception] = []
        result = []
        for index, element in enumerate(value):
            try:
                result.append(handler(element, item))
            except Exception as exc:  # collected, as cattrs does, for one report
                note = IterableValidationNote(f"Structuring {cls!r} @ index {index}", index, item)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return make(result)

    return structure_collection


def configure_converter(conv: cattrs.Converter) -> None:
    """Install the library's hooks on `conv` (dates, strict scalars and collections, enums)."""
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_factory(_is_enum, _enum_hook)
    conv.register_structure_hook_factory(_is_collection, lambda t: _collection_hook(t, conv))


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


class _Unread:
    """Stands for a field that could not be read while the other fields' rules are checked."""

    def __repr__(self) -> str:
        return "<unread>"


_UNREAD = _Unread()
_NO_DATA: Any = _Unread()


def _is_record(cls: Any) -> bool:
    """Whether `cls` is an attrs class, or one that may be None (``Person | None``)."""
    if attrs.has(cls):
        return True
    if typing.get_origin(cls) not in (typing.Union, types.UnionType):
        return False
    args = [arg for arg in typing.get_args(cls) if arg is not type(None)]
    return len(args) == 1 and attrs.has(args[0])


def _describe(exc: BaseException, data: object = _NO_DATA, cls: Any = None) -> str:
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    if data is not _NO_DATA and not isinstance(data, Mapping) and _is_record(cls):
        return f"expected an object, got {type(data).__name__}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, AttributeError | TypeError) and "items" in str(exc):
        return "expected an object"
    text = str(exc)
    return text if text else type(exc).__name__


def _part(data: object, key: object) -> object:
    """`data[key]` when the data holds it, else `_NO_DATA`."""
    if isinstance(data, Mapping):
        return data.get(key, _NO_DATA)
    if isinstance(data, list | tuple) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    return _NO_DATA


def _field_of(path: str) -> str | None:
    """The first field named in a problem path below ``$``, e.g. ``id`` for ``$.id[2]``."""
    match = re.match(r"\$\.([^.\[]+)", path)
    return match[1] if match else None


@functools.cache
def _field_types(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _default(field: attrs.Attribute[Any]) -> object:
    default: Any = field.default
    if default is attrs.NOTHING:
        return _UNREAD
    if hasattr(default, "factory") and hasattr(default, "takes_self"):  # an attrs.Factory
        return _UNREAD if default.takes_self else default.factory()
    return default


def _field_value(field: attrs.Attribute[Any], data: Mapping[Any, Any], kind: Any) -> object:
    """The value a readable field would get on construction, or `_UNREAD`."""
    if field.name not in data:
        value = _default(field)
    else:
        try:
            value = converter.structure(data[field.name], kind)
        except Exception:
            return _UNREAD
    if value is not _UNREAD and field.converter is not None:
        try:
            value = field.converter(value)  # type: ignore[operator]
        except Exception:
            return _UNREAD
    return value


def _rule_problems(cls: Any, data: object, unread: set[str]) -> list[Problem]:
    """The problems `cls`'s validators find with the fields that could be read.

    The fields that could not be read (already reported) are stood in for by a placeholder
    whose problems are dropped. A validator that fails in another way adds nothing. Only on the
    error path; O(fields).
    """
    if not isinstance(data, Mapping) or not attrs.has(cls):
        return []
    fields = attrs.fields(cls)
    if all(field.validator is None for field in fields):
        return []
    try:
        types = _field_types(cls)
    except Exception:  # an annotation that cannot be resolved here
        return []
    instance = object.__new__(cls)
    placeholders = set(unread)
    for field in fields:
        value = _UNREAD if field.name in unread else _field_value(field, data, types[field.name])
        if value is _UNREAD:
            placeholders.add(field.name)
        object.__setattr__(instance, field.name, value)
    try:
        attrs.validate(instance)
    except ValidationError as exc:
        return [p for p in exc.problems if _field_of(p.path) not in placeholders]
    except Exception:
        return []
    return []


def _walk(
    exc: BaseException, path: str, data: object = _NO_DATA, cls: Any = None
) -> Iterator[Problem]:
    if isinstance(exc, ValidationError):
        yield from exc.prefixed(path).problems
    elif isinstance(exc, ClassValidationError):
        fields, rest = exc.group_exceptions()
        for sub in rest:
            yield from _walk(sub, path, data, cls)
        by_field: dict[str, list[Problem]] = {}
        for sub, note in fields:
            found = _walk(sub, f"{path}.{note.name}", _part(data, note.name), note.type)
            by_field.setdefault(note.name, []).extend(found)
        rules = _rule_problems(exc.cl, data, set(by_field)) if by_field else []
        for problem in rules:  # when no field failed, the validators ran and are in `rest`
            moved = Problem(path + problem.path[1:], problem.message)
            name = _field_of(problem.path)
            if name is None:
                yield moved
            else:
                by_field.setdefault(name, []).append(moved)
        order = [field.name for field in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        for name in [*order, *by_field]:
            yield from by_field.pop(name, ())
    elif isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        for sub in rest:
            yield from _walk(sub, path, data, cls)
        for sub, item_note in items:
            index = item_note.index
            yield from _walk(sub, f"{path}[{index!r}]", _part(data, index), item_note.type)
    else:
        yield Problem(path, _describe(exc, data, cls))


def problems_of(
    exc: BaseException, path: str = "$", data: object = _NO_DATA, cls: Any = None
) -> list[Problem]:
    """Turn any structuring exception into a flat list of problems with paths.

    Args:
        exc: what structuring raised.
        path: the path of the structured value.
        data: the data that was structured, when known: it lets the messages say what was
            found (``expected an object, got str``) and the rules of readable fields be checked.
        cls: the type that was structured, when known.

    The problems come in document order: an object's own problems (unknown fields) first, then
    its fields in declaration order, each list's items in order.
    """
    return list(_walk(exc, path, data, cls))


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
        raise ValidationError(problems_of(exc, "$", data, cls), summary=f"invalid {name}") from exc


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


def _record_type_of(cls: type[Any], path: str) -> RecordType:
    """The registration of `cls`; a `ValidationError` at `path` when it has none."""
    try:
        return _BY_CLASS[cls]
    except KeyError:
        hint = "" if cls is not dict else "; store a plain dict with Put(collection, key, record)"
        raise ValidationError.single(
            path,
            f"must be an object of a registered record type (see record_type), got a "
            f"{cls.__name__}{hint}",
        ) from None


def require_record_type(cls: object, path: str = "$.cls") -> None:
    """Refuse a `cls` argument that is not a registered record class.

    Raises:
        ValidationError: at `path`, naming what was given.
    """
    if not isinstance(cls, type) or cls not in _BY_CLASS:
        name = cls.__name__ if isinstance(cls, type) else repr(cls)
        raise ValidationError.single(path, f"must be a registered record class, got {name}")


def dump_record(obj: object) -> dict[str, Any]:
    """Unstructure a registered record and stamp it with `$type` and `$version`.

    Raises:
        ValidationError: `obj` is not an object of a registered record type (path ``$``).
    """
    rt = _record_type_of(type(obj), "$")
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
    body = dict(data)
    del body[TYPE_KEY], body[VERSION_KEY]
    body = _upcast(name, version, body, rt.version)
    result: T = structure(body, rt.cls)
    return result
