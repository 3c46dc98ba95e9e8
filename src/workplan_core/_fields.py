"""Field type checks shared by the records of every domain package.

Each record's validator runs one chain of exact type tests in the common case (a fraction of
a microsecond: millions of nodes, people and status updates are made); only when that fails do
the checks here name every field of the wrong type, with its path and rule. Values are never
converted: a string is not a status, a datetime is not a date, a bool is not a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from workplan_core.errors import Problem, ValidationError

__all__ = [
    "Check",
    "field_problems",
    "is_day",
    "is_number",
    "is_optional_day",
    "is_optional_number",
    "is_optional_text",
    "is_optional_whole",
    "is_text",
    "is_whole",
    "items_problems",
    "of_type",
    "refuse",
    "wrong",
]

Check = tuple[str, Callable[[object], bool], str]
"""A field's name, the test its value must pass, and the rule in words (e.g. ``"a date"``)."""


def is_text(value: object) -> bool:
    """Whether `value` is a string."""
    return type(value) is str


def is_optional_text(value: object) -> bool:
    """Whether `value` is a string or `None`."""
    return value is None or type(value) is str


def is_day(value: object) -> bool:
    """Whether `value` is a date (a datetime is not: the two do not compare)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def is_optional_day(value: object) -> bool:
    """Whether `value` is a date or `None`."""
    return value is None or is_day(value)


def is_whole(value: object) -> bool:
    """Whether `value` is an int (a bool is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_optional_whole(value: object) -> bool:
    """Whether `value` is an int or `None`."""
    return value is None or is_whole(value)


def is_number(value: object) -> bool:
    """Whether `value` is an int or a float (a bool is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_optional_number(value: object) -> bool:
    """Whether `value` is an int, a float or `None`."""
    return value is None or is_number(value)


def of_type(kind: type, *, optional: bool = False) -> Callable[[object], bool]:
    """A test for values of exactly `kind` (e.g. an enum: its values are not its members)."""
    if optional:
        return lambda value: value is None or type(value) is kind
    return lambda value: type(value) is kind


def wrong(path: str, rule: str, value: object) -> Problem:
    """The problem of `value` at `path` breaking `rule` (``"a date"``, ``"a string"``…)."""
    if isinstance(value, dt.datetime) and rule.startswith("a date"):
        return Problem(path, f"must be {rule}, not a datetime")
    return Problem(path, f"must be {rule}, got {type(value).__name__}")


def field_problems(record: object, checks: Iterable[Check], prefix: str = "$") -> list[Problem]:
    """Every field of `record` failing its check, in the order of `checks`. O(fields)."""
    problems = []
    for name, test, rule in checks:
        value = getattr(record, name)
        if not test(value):
            problems.append(wrong(f"{prefix}.{name}", rule, value))
    return problems


def refuse(record: object, checks: Iterable[Check], summary: str) -> None:
    """Raise one `ValidationError` (with `summary`) naming every field failing its check."""
    problems = field_problems(record, checks)
    if problems:
        raise ValidationError(problems, summary=summary)


def items_problems(path: str, items: object, kind: type, rule: str) -> list[Problem]:
    """Problems of a field that must be a tuple of exactly `kind` (`rule` names one item)."""
    if type(items) is not tuple:
        plural = "strings" if kind is str else f"{kind.__name__} records"
        return [wrong(path, f"a tuple of {plural}", items)]
    return [
        wrong(f"{path}[{i}]", rule, item) for i, item in enumerate(items) if type(item) is not kind
    ]
