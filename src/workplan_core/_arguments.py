"""Checking the kinds of a public function's arguments, reporting every wrong one at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TypeVar

from workplan_core.errors import Problem, ValidationError

__all__ = ["check_arguments", "records_of"]

T = TypeVar("T")


def _kind_problem(value: object, kind: type) -> str | None:
    """Why `value` is not a `kind`, or `None`; a datetime is no date here (they do not compare)."""
    if kind is dt.date and isinstance(value, dt.datetime):
        return "must be a date, not a datetime"
    if kind is int:  # a bool is an int to Python, not a number here
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return f"must be an integer, got {type(value).__name__}"
    if isinstance(value, kind):
        return None
    return f"must be {_a(kind)}, got {type(value).__name__}"


def _a(kind: type) -> str:
    """The name of `kind` with its article: ``a Node``, ``an ImpedimentEvent``."""
    name = kind.__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def check_arguments(summary: str, **given: tuple[object, type]) -> None:
    """Raise one `ValidationError` (with `summary`) naming every argument not of its kind.

    Each keyword names an argument and gives ``(value, kind)``; the problem paths are
    ``$.<name>``. O(arguments).
    """
    problems = []
    for name, (value, kind) in given.items():
        message = _kind_problem(value, kind)
        if message:
            problems.append(Problem(f"$.{name}", message))
    if problems:
        raise ValidationError(problems, summary=summary)


def records_of(value: object, cls: type[T], path: str, summary: str) -> list[T]:
    """The items of `value` as a list, if it is an iterable of exactly `cls` records.

    A string, bytes, a mapping or a non-iterable is refused at `path`; otherwise every item
    that is not a `cls` is named at ``path[i]``. O(items), in C when every item is fine.

    Raises:
        ValidationError: with `summary`, listing every problem.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        name = cls.__name__
        raise ValidationError.single(
            path, f"must be an iterable of {name} records, got {type(value).__name__}"
        )
    items: list[T] = list(value)
    if not {cls}.issuperset(map(type, items)):
        raise ValidationError(
            [
                Problem(f"{path}[{i}]", f"must be {_a(cls)}, got {type(item).__name__}")
                for i, item in enumerate(items)
                if type(item) is not cls
            ],
            summary=summary,
        )
    return items
