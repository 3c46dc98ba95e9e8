"""Checking the kinds of a public function's arguments, reporting every wrong one at once."""

from __future__ import annotations

import datetime as dt

from workplan_core.errors import Problem, ValidationError

__all__ = ["check_arguments"]


def _kind_problem(value: object, kind: type) -> str | None:
    """Why `value` is not a `kind`, or `None`; a datetime is no date here (they do not compare)."""
    if kind is dt.date and isinstance(value, dt.datetime):
        return "must be a date, not a datetime"
    if isinstance(value, kind):
        return None
    name = kind.__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"must be {article} {name}, got {type(value).__name__}"


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
