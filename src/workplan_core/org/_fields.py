"""The kinds of the organisation records' fields, and the pass that names every wrong one.

Each record's validator first runs one chain of exact type tests (the common case, a fraction
of a microsecond, since organisations hold up to millions of records); only when that fails
does it call [refuse][workplan_core.org._fields.refuse], which checks every field again with
the rules below and raises one ValidationError naming each field of the wrong kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from workplan_core.errors import Problem, ValidationError

FieldCheck = Callable[[object], "str | None"]
"""Why a field's value is of the wrong kind, or `None` when it is right."""


def _got(value: object) -> str:
    return type(value).__name__


def string(value: object) -> str | None:
    """A string (exactly: a subclass is refused, as for owner references)."""
    return None if type(value) is str else f"must be a string, got {_got(value)}"


def optional_string(value: object) -> str | None:
    """A string or None."""
    if value is None or type(value) is str:
        return None
    return f"must be a string or None, got {_got(value)}"


def _date(value: object, rule: str) -> str | None:
    if isinstance(value, dt.datetime):
        return f"must be {rule}, not a datetime"
    return None if isinstance(value, dt.date) else f"must be {rule}, got {_got(value)}"


def date(value: object) -> str | None:
    """A date; a datetime is refused (it never compares with a date)."""
    return _date(value, "a date")


def optional_date(value: object) -> str | None:
    """A date or None; a datetime is refused."""
    return None if value is None else _date(value, "a date or None")


def boolean(value: object) -> str | None:
    """True or False; a truthy string or a number is refused."""
    return None if type(value) is bool else f"must be true or false (a bool), got {_got(value)}"


def refuse(record: object, fields: tuple[tuple[str, FieldCheck], ...], summary: str) -> None:
    """Raise one ValidationError naming every field of `record` of the wrong kind, if any.

    O(fields).
    """
    problems = [
        Problem(f"$.{name}", message)
        for name, check in fields
        if (message := check(getattr(record, name)))
    ]
    if problems:
        raise ValidationError(problems, summary=summary)
