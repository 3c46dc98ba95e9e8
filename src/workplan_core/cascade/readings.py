"""Readings: a node's own state as last reported, overriding what the node was planned with.

A status update gives a node a new progress, status and (for metrics) value. Rolling a cascade
up *as of* a date means taking, for every node, its latest reading on that date; nodes without
one keep the progress, status and value of their measure. See
[rollup][workplan_core.cascade.full.rollup] and
[RollupEngine.update][workplan_core.cascade.engine.RollupEngine.update].
"""

from __future__ import annotations

import math
from typing import TypeGuard

import attrs

from workplan_core.cascade.measures import MAGNITUDE_RULE, magnitude_ok
from workplan_core.cascade.status import Status
from workplan_core.errors import Problem, ValidationError

__all__ = ["Reading"]


def _is_number(value: object) -> TypeGuard[float]:
    return type(value) is float or (isinstance(value, int | float) and not isinstance(value, bool))


def _check_reading(instance: Reading, _: attrs.Attribute[float | None], __: float | None) -> None:
    problems = []
    progress, status, value = instance.progress, instance.status, instance.value
    if progress is None:
        pass
    elif not _is_number(progress):
        rule = f"must be a number or None, got {type(progress).__name__}"
        problems.append(Problem("$.progress", rule))
    elif not (math.isfinite(progress) and 0.0 <= progress <= 1.0):
        problems.append(Problem("$.progress", "must be between 0 and 1"))
    if type(status) is not Status:
        problems.append(Problem("$.status", f"must be a Status, got {type(status).__name__}"))
    if value is None:
        pass
    elif not _is_number(value):
        problems.append(Problem("$.value", f"must be a number or None, got {type(value).__name__}"))
    elif not magnitude_ok(value):
        problems.append(Problem("$.value", MAGNITUDE_RULE))
    if problems:
        raise ValidationError(problems, summary="invalid reading")


@attrs.frozen
class Reading:
    """A node's own progress, status and metric value as last reported.

    Attributes:
        progress: own progress in [0, 1], or `None` for the measure's progress (a manual
            rule's value wins over both).
        status: own status.
        value: the metric value read, or `None` for the measure's value; it is what a summing
            parent adds up.

    Raises:
        ValidationError: a progress or value that is not a number (or `None`) or out of
            range, or a status that is not a `Status` (strings are not converted).
    """

    progress: float | None
    status: Status
    value: float | None = attrs.field(default=None, validator=_check_reading)
