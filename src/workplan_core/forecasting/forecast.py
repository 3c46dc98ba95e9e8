"""Forecast results over completion dates, and the throughput and pace-of-progress methods.

A [Forecast][workplan_core.forecasting.forecast.Forecast] is plain, inspectable data: the
distribution over completion dates (one date per whole period ahead, computed with the
[WorkCalendar][workplan_core.periods.WorkCalendar]: period ``n`` ends ``n × period_working_days``
working days after `as_of`), its quantile dates, the probability of finishing by the due date,
how much history it used and any warnings. "No finish in sight" is a result, never an exception.

**Pace of progress.** For a node measured by progress (0–1) or by a metric, each period's
increment is rounded to a multiple of `resolution` (default 1% of the way) and the throughput
engine runs on those whole steps; negative increments (work going backwards) are kept, and
completion is the first period the cumulative progress reaches the remaining distance. The
answer is exact for the rounded increments; rounding moves each period's increment by at most
``resolution / 2``, so after ``n`` periods the cumulative progress is known within
``n · resolution / 2`` of the unrounded walk.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    periods_to_finish,
    remaining_mixture,
)
from workplan_core.periods import WorkCalendar

__all__ = [
    "DEFAULT_QUANTILES",
    "Forecast",
    "ForecastMethod",
    "ForecastSettings",
    "forecast_pace",
    "forecast_throughput",
    "period_boundaries",
    "throughput_counts",
    "to_forecast",
]

DEFAULT_QUANTILES: tuple[float, ...] = (0.5, 0.85, 0.95)
"""The quantiles a forecast reports unless told otherwise."""


class ForecastMethod(enum.Enum):
    """How a forecast was computed."""

    THROUGHPUT = "throughput"
    PACE = "pace"
    MONTE_CARLO = "monte_carlo"
    COMBINED = "combined"


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValidationError.single(f"$.{attribute.name}", "must be at least 1")


def _probability(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValidationError.single(f"$.{attribute.name}", "must be in (0, 1]")


@attrs.frozen
class ForecastSettings:
    """How periods map to dates, and when to warn.

    Attributes:
        calendar: working days and holidays.
        period_working_days: working days in one period of history (5 for weekly check-ins).
        min_history: fewer periods of history than this produce a warning.
        max_periods: the furthest horizon computed, in periods.
        until_probability: the highest quantile needed; computation stops there (but always
            reaches the due date).
    """

    calendar: WorkCalendar = attrs.field(factory=WorkCalendar)
    period_working_days: int = attrs.field(default=5, validator=_positive)
    min_history: int = attrs.field(default=6, validator=_positive)
    max_periods: int = attrs.field(default=520, validator=_positive)
    until_probability: float = attrs.field(default=0.95, validator=_probability)


@attrs.frozen
class Forecast:
    """A distribution over a node's completion date.

    Attributes:
        node_id: the node forecast.
        as_of: the day the forecast was made; only history up to it was used.
        method: how it was computed.
        dates: ``dates[n]`` is the end of the n-th period ahead (``dates[0] == as_of``).
        cdf: ``cdf[n]`` is the probability of finishing by ``dates[n]``.
        due: the due date (the end of the node's period), if known.
        history_periods: how many periods of history were used.
        truncated: probability mass dropped as negligible (each CDF value is exact within it).
        never: true when no finish is in sight (nothing was ever finished).
        warnings: what the reader should know (too little history, no finish in sight, …).
    """

    node_id: str
    as_of: dt.date
    method: ForecastMethod
    dates: tuple[dt.date, ...]
    cdf: tuple[float, ...]
    due: dt.date | None = None
    history_periods: int = 0
    truncated: float = 0.0
    never: bool = False
    warnings: tuple[str, ...] = ()

    def probability_by(self, day: dt.date) -> float:
        """Probability of finishing on or before `day` (a lower bound past the horizon)."""
        index = bisect.bisect_right(self.dates, day) - 1
        return self.cdf[index] if index >= 0 else 0.0

    def quantile_date(self, probability: float) -> dt.date | None:
        """The first date by which the node finishes with at least `probability`, if reached."""
        if not 0.0 < probability <= 1.0:
            raise ValidationError.single("$.probability", "must be in (0, 1]")
        index = bisect.bisect_left(self.cdf, probability - 1e-12)
        return self.dates[index] if index < len(self.cdf) else None

    @property
    def p50(self) -> dt.date | None:
        """The median completion date."""
        return self.quantile_date(0.5)

    @property
    def p85(self) -> dt.date | None:
        """The date it finishes by with 85% probability."""
        return self.quantile_date(0.85)

    @property
    def p95(self) -> dt.date | None:
        """The date it finishes by with 95% probability."""
        return self.quantile_date(0.95)

    @property
    def on_time_probability(self) -> float | None:
        """Probability of finishing by the due date, or `None` without one."""
        return None if self.due is None else self.probability_by(self.due)

    @property
    def pmf(self) -> tuple[float, ...]:
        """``pmf[n]``: the probability of finishing exactly at ``dates[n]``."""
        return PeriodDistribution(self.cdf).pmf


@functools.lru_cache(maxsize=256)
def _period_end_cache(calendar: WorkCalendar, as_of: dt.date, step: int) -> list[dt.date]:
    return [as_of]


def _period_ends(calendar: WorkCalendar, as_of: dt.date, step: int, count: int) -> list[dt.date]:
    """`as_of` and the ends of the periods after it, `count` dates in all (memoised).

    A negative `step` walks backwards: the period boundaries before `as_of`.
    """
    ends = _period_end_cache(calendar, as_of, step)
    while len(ends) < count:
        ends.append(calendar.add_working_days(ends[-1], step))
    return ends[:count]


def period_boundaries(
    settings: ForecastSettings, as_of: dt.date, periods: int, *, backwards: bool = False
) -> list[dt.date]:
    """`as_of` and the `periods` period boundaries after it (before it when `backwards`)."""
    step = settings.period_working_days
    return _period_ends(settings.calendar, as_of, -step if backwards else step, periods + 1)


def throughput_counts(
    completions: Sequence[dt.date], as_of: dt.date, periods: int, settings: ForecastSettings
) -> list[int]:
    """Units finished in each of the `periods` periods ending on `as_of`, oldest first.

    `completions` (the days units finished) must be sorted. O(h·log t).
    """
    edges = period_boundaries(settings, as_of, periods, backwards=True)
    edges.reverse()
    return [
        bisect.bisect_right(completions, high) - bisect.bisect_right(completions, low)
        for low, high in itertools.pairwise(edges)
    ]


def _periods_until(due: dt.date | None, as_of: dt.date, settings: ForecastSettings) -> int:
    if due is None or due <= as_of:
        return 0
    days = settings.calendar.count_working_days(as_of, due + dt.timedelta(days=1))
    return math.ceil(days / settings.period_working_days)


def to_forecast(
    node_id: str,
    distribution: PeriodDistribution,
    *,
    as_of: dt.date,
    method: ForecastMethod,
    settings: ForecastSettings,
    due: dt.date | None = None,
    history_periods: int = 0,
    warnings: Sequence[str] = (),
) -> Forecast:
    """Turn a distribution over whole periods into one over dates."""
    dates = _period_ends(
        settings.calendar, as_of, settings.period_working_days, len(distribution.cdf)
    )
    notes = list(warnings)
    if history_periods < settings.min_history:
        notes.append(
            f"only {history_periods} periods of history (fewer than {settings.min_history})"
        )
    if distribution.never:
        notes.append("nothing was finished in the history: no finish in sight")
    elif distribution.tail > 1e-9 and distribution.cdf[-1] < settings.until_probability:
        notes.append(
            f"not finished within {len(distribution.cdf) - 1} periods with "
            f"{settings.until_probability:.0%} probability"
        )
    return Forecast(
        node_id=node_id,
        as_of=as_of,
        method=method,
        dates=tuple(dates),
        cdf=distribution.cdf,
        due=due,
        history_periods=history_periods,
        truncated=distribution.truncated,
        never=distribution.never,
        warnings=tuple(notes),
    )


def _check_days(*, as_of: object, due: object, start: object) -> None:
    """Raise one `ValidationError` naming every argument that is not a date where one is due."""
    problems = [
        Problem(f"$.{name}", "must be a date" + ("" if name == "as_of" else " or None"))
        for name, value in (("as_of", as_of), ("due", due), ("start", start))
        if not (isinstance(value, dt.date) or (value is None and name != "as_of"))
    ]
    if problems:
        raise ValidationError(problems, summary="invalid forecast days")


def _periods_before(start: dt.date | None, as_of: dt.date, settings: ForecastSettings) -> int:
    """Whole periods from `as_of` that end before the period holding `start` begins."""
    if start is None or start <= as_of:
        return 0
    days = settings.calendar.count_working_days(as_of, start)
    return days // settings.period_working_days


def _delayed(distribution: PeriodDistribution, periods: int) -> PeriodDistribution:
    """The same distribution, `periods` later (work already done stays done now)."""
    if periods <= 0 or distribution.never:
        return distribution
    cdf = (distribution.cdf[0],) * periods + distribution.cdf
    return PeriodDistribution(cdf, truncated=distribution.truncated)


def forecast_throughput(
    node_id: str,
    history: Sequence[int],
    remaining: int | tuple[int, int] | Mapping[int, float],
    *,
    as_of: dt.date,
    due: dt.date | None = None,
    start: dt.date | None = None,
    split_rate: float = 0.0,
    settings: ForecastSettings | None = None,
    warnings: Sequence[str] = (),
) -> Forecast:
    """Forecast when `remaining` tasks will be done from tasks finished per period.

    Args:
        node_id: the node (its child tasks are what is counted).
        history: tasks finished in each recent period, oldest first, zero periods included.
        remaining: tasks left: a number, a `(low, high)` range, or weights per number.
        as_of: the day of the forecast.
        due: the node's due date.
        start: the day work on the remaining tasks begins (e.g. the start of the node's
            period); the whole periods before the one holding it finish nothing. Ignored
            when it is not after `as_of`.
        split_rate: how much the remaining work grows as it is broken down.
        settings: calendar, period length and horizon.
        warnings: notes to pass on to the result (e.g. where the history came from).

    With no history at all the result is "no finish in sight" with a warning.

    Raises:
        ValidationError: `as_of` is not a date, or `due` or `start` is neither a date nor
            `None` (every problem listed), or the history or remaining work is invalid.
    """
    _check_days(as_of=as_of, due=due, start=start)
    rules = settings or ForecastSettings()
    mixture = remaining_mixture(remaining, split_rate)
    idle = _periods_before(start, as_of, rules)
    distribution = periods_to_finish(
        Throughput.from_history(history or [0]),
        mixture,
        until_probability=rules.until_probability,
        min_periods=max(0, _periods_until(due, as_of, rules) - idle),
        max_periods=max(1, rules.max_periods - idle),
    )
    notes = list(warnings)
    if idle:
        notes.append(f"work starts on {start}: nothing finishes in the first {idle} period(s)")
    return to_forecast(
        node_id,
        _delayed(distribution, idle),
        as_of=as_of,
        method=ForecastMethod.THROUGHPUT,
        settings=rules,
        due=due,
        history_periods=len(history),
        warnings=notes,
    )


def _steps(increments: Sequence[float], resolution: float) -> list[int]:
    problems = [
        Problem(f"$.increments[{i}]", "must be a finite number")
        for i, x in enumerate(increments)
        if not math.isfinite(x)
    ]
    if not (math.isfinite(resolution) and resolution > 0):
        problems.append(Problem("$.resolution", "must be a positive number"))
    if problems:
        raise ValidationError(problems, summary="invalid pace history")
    return [round(x / resolution) for x in increments]


def forecast_pace(
    node_id: str,
    increments: Sequence[float],
    remaining: float,
    *,
    as_of: dt.date,
    due: dt.date | None = None,
    resolution: float = 0.01,
    settings: ForecastSettings | None = None,
) -> Forecast:
    """Forecast completion from per-period progress increments (pace of progress).

    Args:
        node_id: the node.
        increments: progress gained in each recent period (may be negative), oldest first, in
            the same unit as `remaining` (a fraction of the way, or metric units).
        remaining: how far there is still to go (e.g. ``1 - progress``).
        as_of: the day of the forecast.
        due: the node's due date.
        resolution: the step increments are rounded to (see the module docs for the bound).
        settings: calendar, period length and horizon.
    """
    rules = settings or ForecastSettings()
    steps = _steps(increments, resolution)
    if not math.isfinite(remaining):
        raise ValidationError.single("$.remaining", "must be a finite number")
    target = max(0, math.ceil(remaining / resolution - 1e-9))
    warnings: list[str] = []
    if not steps or max(steps) <= 0:
        distribution = PeriodDistribution((1.0 if target == 0 else 0.0,), never=target > 0)
    else:
        shift = -min(0, *steps)
        tally = Counter(s + shift for s in steps)
        values = tuple(sorted(tally))
        throughput = Throughput(values, tuple(tally[v] for v in values))
        distribution = periods_to_finish(
            throughput,
            {target: 1.0},
            until_probability=rules.until_probability,
            min_periods=_periods_until(due, as_of, rules),
            max_periods=rules.max_periods,
            shift=shift,
        )
        if shift:
            warnings.append("some periods lost progress; completion is the first passage")
    return to_forecast(
        node_id,
        distribution,
        as_of=as_of,
        method=ForecastMethod.PACE,
        settings=rules,
        due=due,
        history_periods=len(increments),
        warnings=warnings,
    )
