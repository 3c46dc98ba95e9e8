"""Earned value and earned schedule against a planned-value baseline.

Notation (all money or effort in one unit; time in periods of the baseline):

* ``BAC`` budget at completion, the baseline's last cumulative planned value;
  ``PV(t)`` the cumulative planned value at the end of period ``t`` (``PV(0) = 0``), linearly
  interpolated inside a period; ``EV`` earned value and ``AC`` actual cost at actual time ``AT``.
* Cost and schedule variances and indices: ``CV = EV − AC``, ``SV = EV − PV(AT)``,
  ``CPI = EV / AC``, ``SPI = EV / PV(AT)``.
* Estimates at completion: ``EAC = BAC / CPI`` (typical: past cost efficiency continues),
  ``EAC_atypical = AC + (BAC − EV)`` (the rest goes to plan), ``EAC_composite = AC + (BAC − EV) /
  (CPI · SPI)`` (cost and schedule efficiency both weigh on the rest); ``ETC = EAC − AC``;
  ``VAC = BAC − EAC``; ``TCPI = (BAC − EV) / (BAC − AC)`` (efficiency needed to finish on budget)
  and ``TCPI_EAC = (BAC − EV) / (EAC − AC)``.
* Earned schedule: ``C`` is the number of whole periods whose planned value the earned value has
  reached (``PV(C) ≤ EV < PV(C+1)``) and ``ES = C + (EV − PV(C)) / (PV(C+1) − PV(C))``;
  ``SV(t) = ES − AT``; ``SPI(t) = ES / AT``; with planned duration ``PD`` (the first period whose
  planned value reaches ``BAC``), ``IEAC(t) = PD / SPI(t)`` is the forecast duration in periods.

A ratio whose denominator is zero is `None` (not infinity): the report never divides by zero.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting._checks import is_number, number_problems, type_problems

__all__ = ["EarnedValueReport", "PlannedValue", "earned_value"]


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom != 0 else None


def _cumulative(values: Iterable[float]) -> tuple[float, ...]:
    """The baseline as floats, after checking it; every problem at once (nothing converted)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        rule = f"must be a sequence of numbers, got {type(values).__name__}"
        raise ValidationError.single("$.cumulative", rule)
    given = list(values)
    problems = []
    if not given:
        problems.append(Problem("$.cumulative", "needs at least one period"))
    for i, v in enumerate(given):
        if not is_number(v):
            rule = f"must be a finite number >= 0, got {type(v).__name__}"
            problems.append(Problem(f"$.cumulative[{i}]", rule))
        elif not math.isfinite(v) or v < 0:
            problems.append(Problem(f"$.cumulative[{i}]", "must be a finite number >= 0"))
    # the order and the budget are checked among the values that are numbers (NaN compares
    # false, so a value that is not a number is reported once)
    floats = [float(v) if is_number(v) else math.nan for v in given]
    for i, (a, b) in enumerate(itertools.pairwise(floats)):
        if b < a:  # False when either is not a valid number (NaN)
            problems.append(Problem(f"$.cumulative[{i + 1}]", "cumulative values must not fall"))
    if floats and floats[-1] <= 0:
        problems.append(Problem("$.cumulative", "the budget at completion must be positive"))
    if problems:
        raise ValidationError(problems, summary="invalid planned-value baseline")
    return tuple(floats)


@attrs.frozen
class PlannedValue:
    """A planned-value baseline: the cumulative planned value at the end of each period.

    Attributes:
        cumulative: ``PV(1) … PV(n)``; ``PV(0) = 0`` is implied.

    Raises:
        ValidationError: not a sequence of numbers (a bool or a string is not a number and
            nothing is converted), no period, a value that is negative or not finite, a
            value below the one before, or a budget at completion of zero.
    """

    cumulative: tuple[float, ...] = attrs.field(converter=_cumulative)

    @property
    def budget_at_completion(self) -> float:
        """BAC: the last cumulative planned value."""
        return self.cumulative[-1]

    @property
    def planned_duration(self) -> int:
        """PD: the first period whose cumulative planned value reaches BAC."""
        return bisect.bisect_left(self.cumulative, self.budget_at_completion) + 1

    def at(self, time: float) -> float:
        """PV at `time` periods, interpolated linearly inside a period; BAC after the end."""
        if time <= 0:
            return 0.0
        whole = math.floor(time)
        if whole >= len(self.cumulative):
            return self.budget_at_completion
        start = self.cumulative[whole - 1] if whole > 0 else 0.0
        return start + (self.cumulative[whole] - start) * (time - whole)

    def earned_schedule(self, earned: float) -> float:
        """ES: the time at which the plan expected to have earned `earned`."""
        points = (0.0, *self.cumulative)
        if earned >= self.budget_at_completion:
            return float(self.planned_duration)
        whole = bisect.bisect_right(points, earned) - 1  # PV(C) <= EV < PV(C+1)
        low, high = points[whole], points[whole + 1]
        return whole + (earned - low) / (high - low)


@attrs.frozen
class EarnedValueReport:
    """Every earned-value and earned-schedule measure at one actual time (see module docs)."""

    actual_time: float
    earned: float
    actual_cost: float
    planned: float
    budget_at_completion: float
    cost_variance: float
    schedule_variance: float
    cpi: float | None
    spi: float | None
    eac: float | None
    eac_atypical: float
    eac_composite: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None
    tcpi_eac: float | None
    earned_schedule: float
    schedule_variance_time: float
    spi_time: float | None
    planned_duration: int
    ieac_time: float | None


def earned_value(
    baseline: PlannedValue, *, earned: float, actual_cost: float, actual_time: float
) -> EarnedValueReport:
    """Compute every earned-value and earned-schedule measure.

    Args:
        baseline: the planned-value baseline.
        earned: EV, the planned value of the work actually done.
        actual_cost: AC, what that work cost.
        actual_time: AT, periods elapsed since the baseline started (may be fractional).

    Raises:
        ValidationError: a baseline that is not a `PlannedValue`, or inputs that are not
            finite numbers >= 0 (a bool or a string is not a number), every one at once.

    O(log n) for a baseline of n periods.
    """
    problems = type_problems("$.baseline", baseline, PlannedValue)
    for name, value in (
        ("earned", earned),
        ("actual_cost", actual_cost),
        ("actual_time", actual_time),
    ):
        problems += number_problems(f"$.{name}", value, low=0)
    if problems:
        raise ValidationError(problems, summary="invalid earned-value inputs")
    bac = baseline.budget_at_completion
    planned = baseline.at(actual_time)
    cpi = _ratio(earned, actual_cost)
    spi = _ratio(earned, planned)
    eac = _ratio(bac, cpi) if cpi else None
    efficiency = cpi * spi if cpi is not None and spi is not None else None
    eac_composite = actual_cost + (bac - earned) / efficiency if efficiency else None
    es = baseline.earned_schedule(earned)
    spi_t = _ratio(es, actual_time)
    return EarnedValueReport(
        actual_time=actual_time,
        earned=earned,
        actual_cost=actual_cost,
        planned=planned,
        budget_at_completion=bac,
        cost_variance=earned - actual_cost,
        schedule_variance=earned - planned,
        cpi=cpi,
        spi=spi,
        eac=eac,
        eac_atypical=actual_cost + (bac - earned),
        eac_composite=eac_composite,
        etc=eac - actual_cost if eac is not None else None,
        vac=bac - eac if eac is not None else None,
        tcpi=_ratio(bac - earned, bac - actual_cost),
        tcpi_eac=_ratio(bac - earned, eac - actual_cost) if eac is not None else None,
        earned_schedule=es,
        schedule_variance_time=es - actual_time,
        spi_time=spi_t,
        planned_duration=baseline.planned_duration,
        ieac_time=_ratio(baseline.planned_duration, spi_t) if spi_t else None,
    )
