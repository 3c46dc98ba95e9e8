"""Forecast results over completion dates, and the throughput and pace-of-progress methods.

A [Forecast][workplan_core.forecasting.forecast.Forecast] is plain, inspectable data: the
distribution over completion dates (one date per whole period ahead, computed with the
[WorkCalendar][workplan_core.periods.WorkCalendar]: period ``n`` ends ``n × period_working_days``
working days after `as_of`), its quantile dates, the probability of finishing by the due date,
how much history it used and any warnings. "No finish in sight" is a result, never an exception.

**Pace of progress.** For a node measured by progress (0–1) or by a metric, each period's
increment is rounded to a multiple of `resolution` (halves away from zero) and the throughput
engine runs on those whole steps; negative increments (work going backwards) are kept, and
completion is the first period the cumulative progress reaches the remaining distance. The
answer is exact for the rounded increments; rounding moves each period's increment by at most
``resolution / 2``, so after ``n`` periods the cumulative progress is known within
``n · resolution / 2`` of the unrounded walk. Unless told otherwise the resolution is chosen
from the data (see [pace_resolution][workplan_core.forecasting.forecast.pace_resolution]):
a tenth of the smallest non-zero increment, so slow steady progress is never rounded away,
but no finer than a hundredth of the largest. An increment that still rounds to zero is
counted as no progress, and the forecast warns how many did.

**Days.** Every day argument must be a `datetime.date`; a `datetime.datetime` is refused
("must be a date, not a datetime"), as is a string. Numbers must be `int` or `float` (a
`bool` is not a number) and counts of tasks whole numbers; nothing is converted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from operator import le, lt
from typing import cast

import attrs

from workplan_core._fields import (
    Check,
    field_problems,
    is_day,
    is_optional_day,
    is_text,
    items_problems,
    of_type,
    wrong,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting._checks import (
    day_problems,
    is_number,
    is_whole,
    number_problems,
    raise_if,
    type_problems,
    whole_problems,
)
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
    "pace_resolution",
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


def _check_settings(instance: ForecastSettings, _: object, __: object) -> None:
    """Every problem with the settings at once (types first; nothing is converted)."""
    problems = type_problems("$.calendar", instance.calendar, WorkCalendar)
    for name in ("period_working_days", "min_history", "max_periods"):
        problems += whole_problems(f"$.{name}", getattr(instance, name), low=1)
    probability = instance.until_probability
    if not is_number(probability):
        rule = f"must be a number in (0, 1], got {type(probability).__name__}"
        problems.append(Problem("$.until_probability", rule))
    elif not 0.0 < probability <= 1.0:
        problems.append(Problem("$.until_probability", "must be in (0, 1]"))
    raise_if(problems, "invalid forecast settings")


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

    Raises:
        ValidationError: every field of the wrong type or out of range at once (the counts
            must be whole numbers >= 1 and `until_probability` a number in (0, 1]; a bool or
            a string is not a number).
    """

    calendar: WorkCalendar = attrs.field(factory=WorkCalendar)
    period_working_days: int = 5
    min_history: int = 6
    max_periods: int = 520
    until_probability: float = attrs.field(default=0.95, validator=_check_settings)


_FORECAST_FIELDS: tuple[Check, ...] = (
    ("node_id", is_text, "a string"),
    ("as_of", is_day, "a date"),
    ("method", of_type(ForecastMethod), "a ForecastMethod"),
    ("due", is_optional_day, "a date or None"),
    ("history_periods", is_whole, "a whole number >= 0"),
    ("truncated", is_number, "a number in [0, 1]"),
    ("never", of_type(bool), "a bool"),
    ("finished", is_optional_day, "a date or None"),
)


def _check_forecast(instance: Forecast, _: object, __: dt.date | None) -> None:
    """Every problem with a forecast at once: field kinds, then how the fields fit together.

    O(D) for D dates, in C when the forecast is sound (it costs far less than computing one).
    """
    problems = field_problems(instance, _FORECAST_FIELDS)
    problems += items_problems("$.warnings", instance.warnings, str, "a string")
    problems += _curve_problems(instance.dates, instance.cdf)
    if not problems:
        problems += _fit_problems(instance)
    raise_if(problems, "invalid forecast")


_ROUNDING = 1e-12
"""How far a CDF value may fall below the one before it: sums of probabilities round."""


def _curve_problems(dates: object, cdf: object) -> list[Problem]:
    """The problems of the dates and the CDF on their own."""
    if type(dates) is not tuple:
        return [wrong("$.dates", "a tuple of dates", dates)]
    if type(cdf) is not tuple:
        return [wrong("$.cdf", "a tuple of probabilities", cdf)]
    problems = [wrong(f"$.dates[{i}]", "a date", d) for i, d in enumerate(dates) if not is_day(d)]
    problems += [
        wrong(f"$.cdf[{i}]", "a number in [0, 1]", p) for i, p in enumerate(cdf) if not is_number(p)
    ]
    if problems:
        return problems
    if not dates:
        problems.append(Problem("$.dates", "must hold at least one date (as_of)"))
    if len(dates) != len(cdf):
        problems.append(
            Problem("$.cdf", f"must hold one probability per date ({len(dates)}), got {len(cdf)}")
        )
    if not all(map(lt, dates, dates[1:])):
        problems.append(Problem("$.dates", "must be strictly increasing"))
    if cdf and not 0.0 <= min(cdf) <= max(cdf) <= 1.0:
        problems.append(Problem("$.cdf", "must hold probabilities in [0, 1]"))
    if not all(map(le, cdf, cdf[1:])) and any(
        later < earlier - _ROUNDING for earlier, later in itertools.pairwise(cdf)
    ):
        problems.append(Problem("$.cdf", "must never decrease (it is cumulative)"))
    return problems


def _fit_problems(forecast: Forecast) -> list[Problem]:
    """The problems of fields that are each fine but do not fit together."""
    problems = []
    if forecast.dates and forecast.dates[0] != forecast.as_of:
        problems.append(Problem("$.dates[0]", "must be as_of (the first date is the day made)"))
    if forecast.history_periods < 0:
        problems.append(Problem("$.history_periods", "must be a whole number >= 0"))
    if not 0.0 <= forecast.truncated <= 1.0:
        problems.append(Problem("$.truncated", "must be a number in [0, 1]"))
    if forecast.finished is not None:
        if not forecast.done:
            problems.append(Problem("$.finished", "must be None unless cdf[0] is 1 (finished)"))
        elif forecast.finished > forecast.as_of:
            problems.append(Problem("$.finished", "must be on or before as_of"))
    return problems


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
        finished: for work already finished on `as_of` (``cdf[0] == 1``), the day it
            finished, if known.

    Raises:
        ValidationError: every field of the wrong kind at once, or fields that do not fit
            together: one CDF value per date, dates strictly increasing from `as_of`,
            probabilities in [0, 1] never decreasing (beyond a rounding of 1e-12),
            `truncated` in [0, 1], `history_periods` >= 0, `finished` only for finished
            work and not after `as_of`.

    **Days before `as_of`** are in the past, and the past is known: work not finished on
    `as_of` was not finished by any earlier day (probability 0: a due date in the past with
    work remaining is missed), and finished work was finished by `day` if its `finished`
    day is on or before it; finished work without a known finish day counts as finished by
    any day. So the quantile dates (`p50`, `p85`, `p95`, `quantile_date`) of finished work
    are its `finished` day when known, and `as_of` otherwise.
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
    finished: dt.date | None = attrs.field(default=None, validator=_check_forecast)

    @property
    def done(self) -> bool:
        """Whether the work was already finished on `as_of`."""
        return bool(self.cdf) and self.cdf[0] >= 1.0

    def probability_by(self, day: dt.date) -> float:
        """Probability of finishing on or before `day` (a lower bound past the horizon).

        A day before `as_of` reads the known past (see the class docs). O(log D).

        Raises:
            ValidationError: `day` is not a date, or is a datetime.
        """
        if type(day) is not dt.date:
            raise_if(day_problems("$.day", day), "invalid day")
        if day < self.as_of:
            if not self.cdf or (self.finished is not None and self.finished > day):
                return 0.0
            return self.cdf[0]
        index = bisect.bisect_right(self.dates, day) - 1
        return self.cdf[index] if index >= 0 else 0.0

    def quantile_date(self, probability: float) -> dt.date | None:
        """The first date by which the node finishes with at least `probability`, if reached.

        For work already finished on `as_of` this is its `finished` day when known (every
        quantile: it had certainly finished by then and not before), else `as_of`.

        Raises:
            ValidationError: `probability` is not a number in (0, 1] (a bool is not one).
        """
        if not is_number(probability):
            rule = f"must be a number in (0, 1], got {type(probability).__name__}"
            raise ValidationError.single("$.probability", rule)
        if not 0.0 < probability <= 1.0:
            raise ValidationError.single("$.probability", "must be in (0, 1]")
        if self.finished is not None and self.done:
            return self.finished
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

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime), or `periods` is not a
            whole number >= 0.
    """
    problems = day_problems("$.as_of", as_of) + whole_problems("$.periods", periods)
    raise_if(problems, "invalid throughput window")
    edges = period_boundaries(settings, as_of, periods, backwards=True)
    edges.reverse()
    return [
        bisect.bisect_right(completions, high) - bisect.bisect_right(completions, low)
        for low, high in itertools.pairwise(edges)
    ]


def _periods_until(due: dt.date | None, as_of: dt.date, settings: ForecastSettings) -> int:
    if due is None or due <= as_of:
        return 0
    calendar = settings.calendar  # working days from as_of to due, both counted
    days = calendar.count_working_days(as_of, due) + calendar.is_working_day(due)
    return math.ceil(days / settings.period_working_days)


_NO_FINISH = "nothing was finished in the history"
"""Why a throughput forecast sees no finish (the start of its warning)."""

_NO_PROGRESS = "progress never moved forward in the history"
"""Why a pace forecast sees no finish (the start of its warning)."""


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
    never_reason: str = _NO_FINISH,
    finished: dt.date | None = None,
) -> Forecast:
    """Turn a distribution over whole periods into one over dates.

    `never_reason` says why no finish is in sight, when none is (the warning is
    ``"<never_reason>: no finish in sight"``); `finished` is the day work already finished
    on `as_of` finished, if known.

    Raises:
        ValidationError: `as_of`, `due` or `finished` is not a date (or is a datetime).
    """
    _check_days(as_of=as_of, due=due, finished=finished)
    dates = _period_ends(
        settings.calendar, as_of, settings.period_working_days, len(distribution.cdf)
    )
    notes = list(warnings)
    if history_periods < settings.min_history:
        notes.append(
            f"only {history_periods} periods of history (fewer than {settings.min_history})"
        )
    if distribution.never:
        notes.append(f"{never_reason}: no finish in sight")
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
        finished=finished,
    )


def _day_problems(*, as_of: object, **optional: object) -> list[Problem]:
    """The problems of `as_of` (a date) and of the other days (each a date or `None`)."""
    problems = day_problems("$.as_of", as_of)
    for name, value in optional.items():
        problems += day_problems(f"$.{name}", value, optional=True)
    return problems


def _check_days(*, as_of: object, **optional: object) -> None:
    """Raise one `ValidationError` naming every argument that is not a date where one is due."""
    raise_if(_day_problems(as_of=as_of, **optional), "invalid forecast days")


def _periods_before(start: dt.date | None, as_of: dt.date, settings: ForecastSettings) -> int:
    """Whole periods after `as_of` that end before `start` (they can finish nothing).

    Period ``k`` ends on the ``k · step``-th working day after `as_of`, so it ends before
    `start` exactly when ``k · step`` working days lie strictly between `as_of` and `start`:
    the period holding `start` (or the first working day after it) can finish work, whether
    or not `as_of` is itself a working day.
    """
    if start is None or start <= as_of:
        return 0
    days = settings.calendar.count_working_days(as_of + dt.timedelta(days=1), start)
    return days // settings.period_working_days


def _delayed(distribution: PeriodDistribution, periods: int) -> PeriodDistribution:
    """The same distribution, `periods` later (work already done stays done now)."""
    if periods <= 0 or distribution.never:
        return distribution
    cdf = (distribution.cdf[0],) * periods + distribution.cdf
    return PeriodDistribution(cdf, truncated=distribution.truncated)


def _history_problems(history: object) -> tuple[list[int], list[Problem]]:
    """The per-period counts of `history`, and every problem with them (as ``$.history``)."""
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, Iterable):
        rule = f"must be a sequence of per-period counts, got {type(history).__name__}"
        return [], [Problem("$.history", rule)]
    counts = list(history)
    problems = [
        Problem(f"$.history[{i}]", "a per-period count must be a whole number >= 0")
        for i, c in enumerate(counts)
        if not (is_whole(c) and c >= 0)
    ]
    return counts, problems


def _common_problems(node_id: object, settings: object) -> list[Problem]:
    return type_problems("$.node_id", node_id, str) + type_problems(
        "$.settings", settings, ForecastSettings, optional=True
    )


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
    finished: dt.date | None = None,
) -> Forecast:
    """Forecast when `remaining` tasks will be done from tasks finished per period.

    Args:
        node_id: the node (its child tasks are what is counted).
        history: tasks finished in each recent period, oldest first, zero periods included.
        remaining: tasks left: a whole number, a `(low, high)` range of whole numbers, or
            weights per whole number.
        as_of: the day of the forecast.
        due: the node's due date. One before `as_of` is missed by work still remaining
            (on-time probability 0) and met by work already finished by then (see
            [Forecast][workplan_core.forecasting.forecast.Forecast]).
        start: the day work on the remaining tasks begins (e.g. the start of the node's
            period); the whole periods after `as_of` that end before it finish nothing (the
            period holding it can). Ignored when it is not after `as_of`.
        split_rate: how much the remaining work grows as it is broken down.
        settings: calendar, period length and horizon.
        warnings: notes to pass on to the result (e.g. where the history came from).
        finished: for work with nothing remaining, the day it finished, if known (on or
            before `as_of`); it decides whether a due date before `as_of` was met.

    With no history at all the result is "no finish in sight" with a warning.

    Raises:
        ValidationError: every problem at once: `as_of` is not a date, `due`, `start` or
            `finished` is neither a date nor `None` (a datetime is not a date), the history
            is not a collection of whole numbers >= 0, the remaining work or split rate is
            invalid (see `remaining_mixture`; a bool is not a number), `finished` is after
            `as_of` or given with work remaining, or `node_id` or `settings` is of the wrong
            type.
    """
    problems = _common_problems(node_id, settings)
    problems += _day_problems(as_of=as_of, due=due, start=start, finished=finished)
    counts, wrong = _history_problems(history)
    problems += wrong
    mixture: dict[int, float] = {}
    try:
        mixture = remaining_mixture(remaining, split_rate)
    except ValidationError as error:
        problems += error.problems
    if finished is not None and not problems:
        if finished > as_of:
            problems.append(Problem("$.finished", f"must not be after as_of ({as_of})"))
        if max(mixture) > 0:
            problems.append(Problem("$.finished", "only finished work (nothing remaining) has one"))
    raise_if(problems, "invalid throughput forecast")
    rules = settings or ForecastSettings()
    idle = _periods_before(start, as_of, rules)
    distribution = periods_to_finish(
        Throughput.from_history(counts or [0]),
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
        history_periods=len(counts),
        warnings=notes,
        finished=finished,
    )


_FINE = 10
"""An automatic pace resolution is at most 1/_FINE of the smallest non-zero increment…"""
_COARSE = 100
"""…unless the largest increment would then be more than _COARSE steps (the engine's cost)."""


def pace_resolution(increments: Sequence[float], remaining: float) -> float:
    """The resolution `forecast_pace` chooses when given none.

    A tenth of the smallest non-zero increment (rounding then moves each increment by at most
    5% of the smallest), but no finer than a hundredth of the largest (which bounds the
    engine's cost: a period is then at most about 100 steps wide). Without any non-zero
    increment: a thousandth of `remaining` (or 0.01 when nothing remains).

    Raises:
        ValidationError: an increment or `remaining` that is not a finite number.
    """
    values, problems = _pace_problems(increments, remaining, None)
    raise_if(problems, "invalid pace history")
    moves = [abs(x) for x in values if x != 0]
    if not moves:
        return remaining / 1000 if remaining > 0 else 0.01
    return max(min(moves) / _FINE, max(moves) / _COARSE)


def _round_half_away(x: float) -> int:
    """`x` rounded to the nearest whole number, halves away from zero (not to even)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _pace_problems(
    increments: object, remaining: object, resolution: object
) -> tuple[list[float], list[Problem]]:
    """The increments as a list, and every problem with the pace inputs."""
    values: list[float] = []
    if isinstance(increments, str | bytes | Mapping) or not isinstance(increments, Iterable):
        rule = f"must be a sequence of numbers, got {type(increments).__name__}"
        problems = [Problem("$.increments", rule)]
    else:
        values = list(increments)
        problems = [
            p for i, x in enumerate(values) for p in number_problems(f"$.increments[{i}]", x)
        ]
    problems += number_problems("$.remaining", remaining)
    if resolution is not None and (
        number_problems("$.resolution", resolution) or cast("float", resolution) <= 0
    ):
        problems.append(Problem("$.resolution", "must be a positive number or None"))
    return values, problems


def forecast_pace(
    node_id: str,
    increments: Sequence[float],
    remaining: float,
    *,
    as_of: dt.date,
    due: dt.date | None = None,
    resolution: float | None = None,
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
        resolution: the step increments are rounded to (see the module docs for the bound);
            `None` (the default) chooses it from the data (see `pace_resolution`).
        settings: calendar, period length and horizon.

    An increment smaller than half the resolution counts as no progress, and the result
    warns how many did; if no increment is positive after rounding, no finish is in sight
    and the warning says whether progress never moved forward or only too little to count.

    Raises:
        ValidationError: every problem at once: an increment or `remaining` that is not a
            finite number (a bool or a string is not a number), a resolution that is not a
            positive number, days that are not dates (or are datetimes), or a `node_id` or
            `settings` of the wrong type.
    """
    problems = _common_problems(node_id, settings) + _day_problems(as_of=as_of, due=due)
    values, wrong = _pace_problems(increments, remaining, resolution)
    raise_if(problems + wrong, "invalid pace forecast")
    rules = settings or ForecastSettings()
    step = pace_resolution(values, remaining) if resolution is None else resolution
    steps = [_round_half_away(x / step) for x in values]
    target = max(0, math.ceil(remaining / step - 1e-9))
    warnings: list[str] = []
    lost = sum(1 for x, s in zip(values, steps, strict=True) if x != 0 and s == 0)
    if lost:
        warnings.append(
            f"{lost} increment(s) smaller than half the resolution ({step:g}) count as no progress"
        )
    reason = _NO_PROGRESS
    if any(x > 0 for x in values):  # used only when every gain was rounded away
        reason = f"every gain is smaller than half the resolution ({step:g})"
    if not steps or max(steps) <= 0:
        distribution = PeriodDistribution((1.0 if target == 0 else 0.0,), never=target > 0)
    else:
        shift = -min(0, *steps)
        tally = Counter(s + shift for s in steps)
        ordered = tuple(sorted(tally))
        throughput = Throughput(ordered, tuple(tally[v] for v in ordered))
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
        history_periods=len(values),
        warnings=warnings,
        never_reason=reason,
    )
