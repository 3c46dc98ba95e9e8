"""Delay flags, and how children's forecasts combine into their parent's.

**Combining.** A parent finishes when the last of its required children finishes. Assuming the
children finish independently, ``P(parent done by d) = Π_i P(child_i done by d)``: the product of
the children's CDFs, evaluated on the union of their dates — exact, no sampling. A child whose
forecast ends before its CDF reaches 1 keeps its last value beyond its horizon, so the parent's
CDF is a lower bound there. The children that *drive* the risk are ranked by how much each one
lowers the parent's probability of finishing on time: ``−ln P(child done by due)``.

**Flags.** A node is flagged when its probability of finishing by its due date falls below a
threshold (default 0.7). A flag records the lead time (due date minus as-of date: how long there
is to act) and a severity from the probability bands of the
[FlagPolicy][workplan_core.forecasting.flags.FlagPolicy]. Work already finished on the as-of
date is never flagged: it reads as on time (probability 1) when it finished by its due date,
and even a late finish leaves nothing to act on. Unfinished work whose due date has passed
has missed it: its on-time probability is 0 and its flag is high.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import math
from collections.abc import Sequence

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting._checks import day_problems, is_number
from workplan_core.forecasting.forecast import Forecast, ForecastMethod

__all__ = ["DelayFlag", "FlagPolicy", "FlagSeverity", "combine_children", "delay_flag"]


class FlagSeverity(enum.Enum):
    """How likely the delay is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _check_policy(instance: FlagPolicy, _: object, __: object) -> None:
    """Every problem with the policy at once (types first; nothing is converted)."""
    problems = []
    bands = ("threshold", "medium_below", "high_below")
    for name in bands:
        value = getattr(instance, name)
        if not is_number(value):
            rule = f"must be a number in [0, 1], got {type(value).__name__}"
            problems.append(Problem(f"$.{name}", rule))
        elif not math.isfinite(value):
            problems.append(Problem(f"$.{name}", "must be a finite number"))
    if problems:
        raise ValidationError(problems, summary="invalid flag policy")
    if not 0 < instance.threshold <= 1:
        problems.append(Problem("$.threshold", "must be in (0, 1]"))
    if not 0 <= instance.high_below <= instance.medium_below <= instance.threshold:
        problems.append(
            Problem("$.medium_below", "bands must satisfy high_below <= medium_below <= threshold")
        )
    if problems:
        raise ValidationError(problems, summary="invalid flag policy")


@attrs.frozen
class FlagPolicy:
    """When to flag and how severe a flag is.

    Attributes:
        threshold: flag when the on-time probability is below this.
        medium_below: below this the severity is at least medium.
        high_below: below this (or once the due date has passed unfinished) it is high.

    Raises:
        ValidationError: a field that is not a finite number (a bool or a string is not a
            number), or bands out of order (every problem at once).
    """

    threshold: float = 0.7
    medium_below: float = 0.5
    high_below: float = attrs.field(default=0.2, validator=_check_policy)

    def severity(self, probability: float) -> FlagSeverity:
        """The severity of a flag at this on-time probability."""
        if probability < self.high_below:
            return FlagSeverity.HIGH
        if probability < self.medium_below:
            return FlagSeverity.MEDIUM
        return FlagSeverity.LOW


@attrs.frozen
class DelayFlag:
    """A forecast that misses the node's due date with too high a probability.

    Attributes:
        node_id: the node.
        as_of: the day of the forecast.
        due: the due date.
        on_time_probability: the probability of finishing by the due date.
        threshold: the threshold it fell below.
        lead_time_days: days from `as_of` to the due date (negative once it has passed).
        severity: low, medium or high.
        p85: the date it finishes by with 85% probability, if within the horizon.
        drivers: for a parent, the children that drive the risk, worst first.
    """

    node_id: str
    as_of: dt.date
    due: dt.date
    on_time_probability: float
    threshold: float
    lead_time_days: int
    severity: FlagSeverity
    p85: dt.date | None
    drivers: tuple[str, ...] = ()


def delay_flag(
    forecast: Forecast, policy: FlagPolicy | None = None, drivers: Sequence[str] = ()
) -> DelayFlag | None:
    """The flag for `forecast`, or `None` when it is on time enough or needs no flag.

    No flag is raised without a due date, or for work already finished on the forecast's
    `as_of` (nothing is left to act on, even when it finished late). Unfinished work whose
    due date is before `as_of` has missed it (on-time probability 0) and is flagged with
    high severity.
    """
    rules = policy or FlagPolicy()
    probability = forecast.on_time_probability
    if forecast.due is None or probability is None or probability >= rules.threshold:
        return None
    if forecast.done:
        return None
    overdue = forecast.due < forecast.as_of
    return DelayFlag(
        node_id=forecast.node_id,
        as_of=forecast.as_of,
        due=forecast.due,
        on_time_probability=probability,
        threshold=rules.threshold,
        lead_time_days=(forecast.due - forecast.as_of).days,
        severity=FlagSeverity.HIGH if overdue else rules.severity(probability),
        p85=forecast.p85,
        drivers=tuple(drivers),
    )


def _drivers(children: Sequence[Forecast], due: dt.date | None) -> tuple[str, ...]:
    if due is None:
        return ()
    scored = []
    for child in children:
        p = child.probability_by(due)
        scored.append((math.inf if p <= 0 else -math.log(p), child.node_id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return tuple(node for score, node in scored if score > 1e-12)


def _finished(children: Sequence[Forecast]) -> dt.date | None:
    """The day the last child finished, when all are finished and every day is known."""
    if not all(c.done for c in children):
        return None
    days = [c.finished for c in children]
    return max(d for d in days if d is not None) if None not in days else None


def combine_children(
    node_id: str, children: Sequence[Forecast], *, as_of: dt.date, due: dt.date | None = None
) -> tuple[Forecast, tuple[str, ...]]:
    """The parent's forecast as the latest of its children's, and the children driving its risk.

    O(D·c·log D) for c children with D distinct dates between them.

    When every child was already finished on `as_of`, so is the parent, and it finished on
    the latest of their finish days (unknown if any of them is).

    Raises:
        ValidationError: `as_of` or `due` is not a date (or is a datetime), no children,
            or children forecast as of another day.
    """
    days = day_problems("$.as_of", as_of) + day_problems("$.due", due, optional=True)
    if days:
        raise ValidationError(days, summary="invalid forecast days")
    if not children:
        raise ValidationError.single("$.children", "needs at least one child forecast")
    problems = [
        Problem(f"$.children[{i}].as_of", f"must be {as_of}, like the parent")
        for i, c in enumerate(children)
        if c.as_of != as_of
    ]
    if problems:
        raise ValidationError(problems, summary="children forecast on different days")
    unique = sorted(set().union(*(c.dates for c in children)))
    cdf = []
    for day in unique:
        product = 1.0
        for child in children:
            index = bisect.bisect_right(child.dates, day) - 1
            product *= child.cdf[index] if index >= 0 else 0.0
        cdf.append(product)
    warnings = tuple(sorted({w for c in children for w in c.warnings}))
    combined = Forecast(
        node_id=node_id,
        as_of=as_of,
        method=ForecastMethod.COMBINED,
        dates=tuple(unique),
        cdf=tuple(cdf),
        due=due,
        history_periods=min(c.history_periods for c in children),
        truncated=sum(c.truncated for c in children),
        never=any(c.never for c in children),
        warnings=warnings,
        finished=_finished(children),
    )
    return combined, _drivers(children, due)
