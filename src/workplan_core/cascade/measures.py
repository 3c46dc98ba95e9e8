"""Measures: how a node's own progress is read.

* [MetricMeasure][workplan_core.cascade.measures.MetricMeasure]: a number moving from a
  baseline to a target in a unit, rising or falling. Progress is the clamped fraction of the
  way, ``clamp((value - baseline) / (target - baseline), 0, 1)``; a value that moved the wrong
  way gives 0, one past the target gives 1.
* [BinaryMeasure][workplan_core.cascade.measures.BinaryMeasure]: done (progress 1) or not (0).
* [MilestoneMeasure][workplan_core.cascade.measures.MilestoneMeasure]: the fraction of
  milestones reached.

Measures are stored with a ``"kind"`` key (``"metric"``, ``"binary"``, ``"milestones"``). A
measure computes its progress once, when it is made (it is an immutable value), so reading
the progress of a million measures is a field read.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable
from typing import Any, TypeGuard

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import converter

__all__ = [
    "MAGNITUDE_RULE",
    "MAX_MAGNITUDE",
    "MIN_MAGNITUDE",
    "NOT_DONE",
    "BinaryMeasure",
    "Direction",
    "Measure",
    "MetricMeasure",
    "Milestone",
    "MilestoneMeasure",
    "magnitude_ok",
    "measure_kind",
    "metric_progress",
]

MAX_MAGNITUDE = 1e15
"""The largest magnitude a metric's baseline, target or value may have."""
MIN_MAGNITUDE = 1e-9
"""The smallest magnitude a non-zero baseline, target or value may have."""


class Direction(enum.Enum):
    """Which way a metric improves."""

    RISING = "rising"
    FALLING = "falling"


def _is_number(value: object) -> TypeGuard[float]:
    """Whether `value` is an int or a float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _got(value: object) -> str:
    return type(value).__name__


def _finite(path: str, value: float | None, optional: bool = False) -> list[Problem]:
    if value is None and optional:
        return []
    if not _is_number(value):
        rule = "must be a number or None" if optional else "must be a number"
        return [Problem(path, f"{rule}, got {_got(value)}")]
    if not magnitude_ok(value):
        return [Problem(path, MAGNITUDE_RULE)]
    return []


MAGNITUDE_RULE = f"must be 0 or a finite number of magnitude {MIN_MAGNITUDE:g} to {MAX_MAGNITUDE:g}"
"""The rule metric numbers follow, in words."""


def magnitude_ok(value: float) -> bool:
    """Whether `value` is 0 or finite with a magnitude from MIN_MAGNITUDE to MAX_MAGNITUDE."""
    return value == 0 or (math.isfinite(value) and MIN_MAGNITUDE <= abs(value) <= MAX_MAGNITUDE)


def _check_metric(instance: MetricMeasure, _: object, __: object) -> None:
    problems = []
    unit = instance.unit
    if type(unit) is not str:
        problems.append(Problem("$.unit", f"must be a string, got {_got(unit)}"))
    elif not unit:
        problems.append(Problem("$.unit", "must not be empty"))
    numbers = _finite("$.baseline", instance.baseline) + _finite("$.target", instance.target)
    problems += numbers + _finite("$.current", instance.current, optional=True)
    direction = instance.direction
    if type(direction) is not Direction:
        problems.append(Problem("$.direction", f"must be a Direction, got {_got(direction)}"))
    elif not numbers:
        if instance.target == instance.baseline:
            problems.append(Problem("$.target", "must differ from the baseline"))
        elif (instance.target > instance.baseline) != (direction is Direction.RISING):
            word = "above" if direction is Direction.RISING else "below"
            problems.append(
                Problem(
                    "$.direction", f"a {direction.value} metric needs a target {word} its baseline"
                )
            )
    if problems:
        raise ValidationError(problems, summary="invalid metric measure")


def _default_direction(instance: MetricMeasure) -> Direction:
    """Falling when the target is below the baseline, else rising.

    Non-numbers give rising: the validator then reports them (comparing them could fail).
    """
    target, baseline = instance.target, instance.baseline
    if _is_number(target) and _is_number(baseline) and target < baseline:
        return Direction.FALLING
    return Direction.RISING


def metric_progress(baseline: float, target: float, value: float) -> float:
    """The clamped fraction of the way from `baseline` to `target` that `value` has come.

    Works for rising and falling metrics alike; a value that moved the wrong way gives 0.
    O(1).
    """
    fraction = (value - baseline) / (target - baseline)
    if fraction <= 0.0:
        return 0.0
    if fraction >= 1.0:
        return 1.0
    return fraction


@attrs.frozen
class MetricMeasure:
    """A number moving from `baseline` to `target`, measured in `unit`.

    Attributes:
        unit: the unit (e.g. ``"EUR"``, ``"%"``, ``"tickets"``); sums need equal units.
        baseline: the value at the start.
        target: the value to reach; must differ from the baseline.
        current: the latest reading, or `None` before the first (read as the baseline).
        direction: rising when the target is above the baseline, falling when below
            (derived when omitted; a contradicting direction is refused).

    Raises:
        ValidationError: listing every broken rule: a unit that is not a non-empty string,
            numbers that are not ints or floats (or out of range), a direction that is not a
            `Direction` or contradicts the numbers, a target equal to the baseline.

    Example:
        >>> MetricMeasure("tickets", baseline=120, target=40, current=100).progress()
        0.25
    """

    unit: str
    baseline: float
    target: float
    current: float | None = None
    direction: Direction = attrs.field(
        default=attrs.Factory(_default_direction, takes_self=True), validator=_check_metric
    )
    _progress: float = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_progress", metric_progress(self.baseline, self.target, self.value)
        )

    @property
    def value(self) -> float:
        """The current reading, or the baseline before the first reading."""
        return self.baseline if self.current is None else self.current

    def progress(self) -> float:
        """Clamped fraction of the way from the baseline to the target, in [0, 1]. O(1)."""
        return self._progress


def _check_binary(_: object, __: object, done: bool) -> None:
    if type(done) is not bool:
        raise ValidationError(
            [Problem("$.done", f"must be True or False, got {_got(done)}")],
            summary="invalid binary measure",
        )


@attrs.frozen
class BinaryMeasure:
    """Done or not done.

    Attributes:
        done: whether the node's outcome has been delivered.

    Raises:
        ValidationError: `done` is not `True` or `False`.
    """

    done: bool = attrs.field(default=False, validator=_check_binary)
    _progress: float = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_progress", 1.0 if self.done else 0.0)

    def progress(self) -> float:
        """1.0 when done, else 0.0."""
        return self._progress


def _check_milestone(instance: Milestone, _: object, due: dt.date | None) -> None:
    problems = []
    name = instance.name
    if type(name) is not str:
        problems.append(Problem("$.name", f"must be a string, got {_got(name)}"))
    elif not name:
        problems.append(Problem("$.name", "must not be empty"))
    if type(instance.reached) is not bool:
        problems.append(
            Problem("$.reached", f"must be True or False, got {_got(instance.reached)}")
        )
    if due is not None and type(due) is not dt.date:
        problems.append(Problem("$.due", f"must be a date or None, got {_got(due)}"))
    if problems:
        raise ValidationError(problems, summary="invalid milestone")


@attrs.frozen
class Milestone:
    """One step of a milestone measure.

    Attributes:
        name: what the milestone is.
        reached: whether it has been reached.
        due: when it is due, if planned.

    Raises:
        ValidationError: listing an empty or non-string name, a `reached` that is not a bool
            and a `due` that is not a date (a datetime is refused).
    """

    name: str
    reached: bool = False
    due: dt.date | None = attrs.field(default=None, validator=_check_milestone)


def _milestone_tuple(milestones: Iterable[Milestone]) -> tuple[Milestone, ...]:
    """The milestones as a tuple; a string or a non-iterable is kept for the validator."""
    if isinstance(milestones, str | bytes) or not isinstance(milestones, Iterable):
        return milestones  # reported by _check_milestones
    return tuple(milestones)


def _check_milestones(_: object, __: object, milestones: tuple[Milestone, ...]) -> None:
    if type(milestones) is not tuple:
        problem = f"must be a sequence of Milestone, got {_got(milestones)}"
        problems = [Problem("$.milestones", problem)]
    elif not milestones:
        problems = [Problem("$.milestones", "must list at least one milestone")]
    else:
        problems = [
            Problem(f"$.milestones[{index}]", f"must be a Milestone, got {_got(milestone)}")
            for index, milestone in enumerate(milestones)
            if type(milestone) is not Milestone
        ]
    if problems:
        raise ValidationError(problems, summary="invalid milestone measure")


@attrs.frozen
class MilestoneMeasure:
    """Progress as the fraction of milestones reached.

    Attributes:
        milestones: the milestones in plan order (at least one); any iterable of
            `Milestone`s is made a tuple.

    Raises:
        ValidationError: no milestones, a string or a non-iterable, or items that are not
            `Milestone`s (each named by its index).
    """

    milestones: tuple[Milestone, ...] = attrs.field(
        converter=_milestone_tuple, validator=_check_milestones
    )
    _progress: float = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_progress", self.reached / len(self.milestones))

    @property
    def reached(self) -> int:
        """How many milestones have been reached."""
        return sum(1 for milestone in self.milestones if milestone.reached)

    def progress(self) -> float:
        """Milestones reached divided by milestones planned (computed once, when made)."""
        return self._progress


Measure = MetricMeasure | BinaryMeasure | MilestoneMeasure
"""Any measure a node can have."""

NOT_DONE = BinaryMeasure()
"""The default measure: not done yet (one shared value)."""

_KINDS: dict[type[Any], str] = {
    MetricMeasure: "metric",
    BinaryMeasure: "binary",
    MilestoneMeasure: "milestones",
}
_CLASSES = {kind: cls for cls, kind in _KINDS.items()}


def measure_kind(measure: Measure) -> str:
    """The stored kind of `measure`: ``"metric"``, ``"binary"`` or ``"milestones"``."""
    return _KINDS[type(measure)]


_PLAIN = {cls: make_dict_unstructure_fn(cls, converter) for cls in _KINDS}


def _unstructure_measure(measure: Measure) -> dict[str, Any]:
    data: dict[str, Any] = _PLAIN[type(measure)](measure)
    data["kind"] = measure_kind(measure)
    return data


_BUILD = {cls: make_dict_structure_fn(cls, converter) for cls in _KINDS}


def _kind_of(data: object) -> type[Any]:
    if not isinstance(data, dict):
        raise TypeError("expected an object")
    kind = data.get("kind")
    cls = _CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        allowed = ", ".join(repr(k) for k in _CLASSES)
        raise ValueError(f"kind must be one of {allowed}, got {kind!r}")
    return cls


def _structure_measure(data: object, _: object) -> Measure:
    cls = _kind_of(data)
    body = {key: value for key, value in data.items() if key != "kind"}  # type: ignore[attr-defined]
    measure: Measure = _BUILD[cls](body, cls)
    return measure


def _structure_as(data: object, cls: type[Any]) -> Measure:
    if isinstance(data, dict) and "kind" in data and _kind_of(data) is not cls:
        raise ValueError(f"expected kind {_KINDS[cls]!r}, got {data['kind']!r}")
    return _structure_measure(
        {"kind": _KINDS[cls], **data} if isinstance(data, dict) else data, cls
    )


converter.register_unstructure_hook(Measure, _unstructure_measure)
converter.register_structure_hook(Measure, _structure_measure)
for _cls in _KINDS:
    converter.register_unstructure_hook(_cls, _unstructure_measure)
    converter.register_structure_hook(_cls, _structure_as)
