"""Argument checks shared by the forecasting functions: each returns the problems it finds.

A day must be a `datetime.date` and not a `datetime.datetime` (the two do not compare, and a
forecast is made per day); a number must be an `int` or a `float` and not a `bool`; a whole
number must be an `int` and not a `bool`. Strings are never converted. Every function here
returns problems rather than raising, so a caller can list every wrong argument at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

from workplan_core._fields import is_number, is_whole
from workplan_core.errors import Problem, ValidationError

__all__ = [
    "day_problems",
    "days_problems",
    "is_number",
    "is_whole",
    "number_problems",
    "raise_if",
    "type_problems",
    "whole_problems",
]


def _got(value: object) -> str:
    return f"got {type(value).__name__}"


def day_problems(path: str, value: object, *, optional: bool = False) -> list[Problem]:
    """The problem with a day argument: not a date, or a datetime (`None` if `optional`)."""
    if isinstance(value, dt.datetime):
        return [Problem(path, "must be a date, not a datetime")]
    if isinstance(value, dt.date) or (optional and value is None):
        return []
    rule = "must be a date or None" if optional else "must be a date"
    return [Problem(path, f"{rule}, {_got(value)}")]


def days_problems(path: str, values: object) -> list[Problem]:
    """The problems with a collection of days (each as ``path[i]``). O(n)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        return [Problem(path, f"must be a sequence of dates, {_got(values)}")]
    return [p for i, day in enumerate(values) for p in day_problems(f"{path}[{i}]", day)]


def number_problems(
    path: str, value: object, *, low: float | None = None, optional: bool = False
) -> list[Problem]:
    """The problem with a finite number argument, at least `low` when given."""
    if optional and value is None:
        return []
    rule = "must be a finite number" + ("" if low is None else f" >= {low:g}")
    if not is_number(value):
        return [Problem(path, f"{rule}{' or None' if optional else ''}, {_got(value)}")]
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or (low is not None and number < low):
        return [Problem(path, rule)]
    return []


def whole_problems(path: str, value: object, *, low: int = 0) -> list[Problem]:
    """The problem with a whole-number argument: an int (not a bool) of at least `low`."""
    if not is_whole(value):
        return [Problem(path, f"must be a whole number >= {low}, {_got(value)}")]
    if value < low:  # type: ignore[operator]
        return [Problem(path, f"must be a whole number >= {low}")]
    return []


def type_problems(path: str, value: object, kind: type, *, optional: bool = False) -> list[Problem]:
    """The problem with an argument that must be an instance of `kind` (or `None`)."""
    if isinstance(value, kind) or (optional and value is None):
        return []
    rule = f"must be a {kind.__name__}" + (" or None" if optional else "")
    return [Problem(path, f"{rule}, {_got(value)}")]


def raise_if(problems: list[Problem], summary: str) -> None:
    """Raise one `ValidationError` listing `problems`, if there are any."""
    if problems:
        raise ValidationError(problems, summary=summary)
