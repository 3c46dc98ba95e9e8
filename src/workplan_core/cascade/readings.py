"""Readings: a node's own state as last reported, overriding what the node was planned with.

A status update gives a node a new progress, status and (for metrics) value. Rolling a cascade
up *as of* a date means taking, for every node, its latest reading on that date; nodes without
one keep the progress, status and value of their measure. See
[rollup][workplan_core.cascade.full.rollup] and
[RollupEngine.update][workplan_core.cascade.engine.RollupEngine.update].
"""

from __future__ import annotations

import math

import attrs

from workplan_core.cascade.measures import MAGNITUDE_RULE, magnitude_ok
from workplan_core.cascade.status import Status
from workplan_core.errors import Problem, ValidationError

__all__ = ["Reading"]


def _check_reading(instance: Reading, _: attrs.Attribute[float | None], __: float | None) -> None:
    problems = []
    progress = instance.progress
    if progress is not None and not (math.isfinite(progress) and 0.0 <= progress <= 1.0):
        problems.append(Problem("$.progress", "must be between 0 and 1"))
    value = instance.value
    if value is not None and not magnitude_ok(value):
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
    """

    progress: float | None
    status: Status
    value: float | None = attrs.field(default=None, validator=_check_reading)
