"""Backtesting: replay history, forecast as of earlier days, and score against what happened.

For a node that has finished,
[replay_throughput][workplan_core.forecasting.backtest.replay_throughput] forecasts as of each
earlier day using only the completions known on that day, and
[score_backtest][workplan_core.forecasting.backtest.score_backtest] scores the forecasts against
the actual completion date. Times are measured in days from the forecast's `as_of`.

* **Coverage** of a quantile ``q``: the share of cases finished by the forecast's q-date (a
  calibrated P85 covers about 85%).
* **Pinball loss** of ``q`` with quantile date ``Q`` and outcome ``y``:
  ``q·(y − Q)`` if ``y ≥ Q`` else ``(1 − q)·(Q − y)``.
* **CRPS**: ``∫ (F(x) − 1{x ≥ y})² dx`` over days, with ``F`` the forecast CDF (a step function
  between forecast dates). Probability left beyond the horizon is placed one period after the
  last forecast date, and so is a quantile that the horizon does not reach.
* **Mean absolute error** of the P50 date, in days.
* **Flags**: a case is *late* when it finished after its due date. Flag lead time is the mean
  ``due − as_of`` of flags raised on late cases; the false-alarm rate is the share of flags raised
  on cases that finished on time; the miss rate the share of late cases not flagged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting._checks import (
    day_problems,
    days_problems,
    raise_if,
    type_problems,
    whole_problems,
)
from workplan_core.forecasting.flags import FlagPolicy, delay_flag
from workplan_core.forecasting.forecast import (
    DEFAULT_QUANTILES,
    Forecast,
    ForecastSettings,
    forecast_throughput,
    throughput_counts,
)

__all__ = [
    "BacktestCase",
    "BacktestReport",
    "CaseScore",
    "replay_throughput",
    "score_backtest",
    "score_case",
]


@attrs.frozen
class BacktestCase:
    """A forecast made in the past and the day the node actually finished."""

    forecast: Forecast
    actual: dt.date


@attrs.frozen
class CaseScore:
    """Scores of one forecast against its outcome (days measured from its `as_of`).

    Attributes:
        node_id: the node.
        as_of: when the forecast was made.
        actual_days: days from `as_of` to the actual finish.
        quantile_days: the forecast's days for each quantile (beyond the horizon: one period
            after it).
        covered: for each quantile, whether the node finished by that quantile's date.
        pinball: for each quantile, the pinball loss in days.
        crps: the continuous ranked probability score in days.
        abs_error_p50: ``|P50 − actual|`` in days.
        flagged: whether the forecast raised a delay flag.
        late: whether the node finished after its due date (`None` without one).
        lead_time_days: ``due − as_of`` when flagged, else `None`.
    """

    node_id: str
    as_of: dt.date
    actual_days: int
    quantile_days: Mapping[float, int]
    covered: Mapping[float, bool]
    pinball: Mapping[float, float]
    crps: float
    abs_error_p50: int
    flagged: bool
    late: bool | None
    lead_time_days: int | None


def _beyond(forecast: Forecast) -> dt.date:
    if len(forecast.dates) >= 2:
        return forecast.dates[-1] + (forecast.dates[-1] - forecast.dates[-2])
    return forecast.dates[-1] + dt.timedelta(days=7)


def _days(forecast: Forecast, day: dt.date | None) -> int:
    return ((day if day is not None else _beyond(forecast)) - forecast.as_of).days


def _crps(forecast: Forecast, actual_days: int) -> float:
    """Exact integral of the squared difference of two step functions over days. O(D log D)."""
    points = [(d - forecast.as_of).days for d in forecast.dates]
    cdf = list(forecast.cdf)
    if cdf[-1] < 1.0:  # the tail is placed one period past the horizon
        points.append(_days(forecast, None))
        cdf.append(1.0)
    total = 0.0
    for left, right in itertools.pairwise(sorted({*points, actual_days})):
        index = bisect.bisect_right(points, left) - 1
        level = cdf[index] if index >= 0 else 0.0
        outcome = 1.0 if left >= actual_days else 0.0
        total += (right - left) * (level - outcome) ** 2
    return total


def score_case(
    case: BacktestCase,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    policy: FlagPolicy | None = None,
) -> CaseScore:
    """Score one forecast against what happened. O(D) for D forecast dates.

    Raises:
        ValidationError: `case` is not a `BacktestCase`, its `actual` day is not a date (or
            is a datetime), or it is before the forecast was made.
    """
    problems = type_problems("$", case, BacktestCase)
    if not problems:
        problems = type_problems("$.forecast", case.forecast, Forecast)
        problems += day_problems("$.actual", case.actual)
    raise_if(problems, "invalid backtest case")
    forecast = case.forecast
    actual_days = (case.actual - forecast.as_of).days
    if actual_days < 0:
        raise ValidationError.single("$.actual", "the node finished before the forecast was made")
    qdays = {q: _days(forecast, forecast.quantile_date(q)) for q in quantiles}
    flag = delay_flag(forecast, policy)
    late = None if forecast.due is None else case.actual > forecast.due
    return CaseScore(
        node_id=forecast.node_id,
        as_of=forecast.as_of,
        actual_days=actual_days,
        quantile_days=qdays,
        covered={q: actual_days <= d for q, d in qdays.items()},
        pinball={
            q: q * (actual_days - d) if actual_days >= d else (1 - q) * (d - actual_days)
            for q, d in qdays.items()
        },
        crps=_crps(forecast, actual_days),
        abs_error_p50=abs(_days(forecast, forecast.quantile_date(0.5)) - actual_days),
        flagged=flag is not None,
        late=late,
        lead_time_days=flag.lead_time_days if flag is not None else None,
    )


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


@attrs.frozen
class BacktestReport:
    """Scores over many backtest cases.

    Attributes:
        cases: every case's scores.
        coverage: for each quantile, the share of cases covered (`None` without cases).
        pinball: for each quantile, the mean pinball loss in days (`None` without cases).
        crps: the mean CRPS in days.
        mae_p50: the mean absolute error of the P50 date in days.
        flag_lead_time_days: the mean lead time of flags raised on late cases.
        false_alarm_rate: the share of flags raised on cases that finished on time.
        miss_rate: the share of late cases that were not flagged.

    Every summary is a mean over the cases it concerns, and `None` when there are none: an
    empty backtest scores nothing, rather than a coverage of 0.
    """

    cases: tuple[CaseScore, ...]
    coverage: Mapping[float, float | None]
    pinball: Mapping[float, float | None]
    crps: float | None
    mae_p50: float | None
    flag_lead_time_days: float | None
    false_alarm_rate: float | None
    miss_rate: float | None

    def to_pandas(self) -> Any:
        """One row per case as a pandas DataFrame (needs the `pandas` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - exercised without the extra
            raise ImportError(
                "to_pandas() needs pandas: pip install 'workplan_core[pandas]'"
            ) from exc
        rows = []
        for case in self.cases:
            row: dict[str, Any] = {
                "node_id": case.node_id,
                "as_of": case.as_of,
                "actual_days": case.actual_days,
                "crps": case.crps,
                "abs_error_p50": case.abs_error_p50,
                "flagged": case.flagged,
                "late": case.late,
                "lead_time_days": case.lead_time_days,
            }
            for q, days in case.quantile_days.items():
                row[f"p{round(q * 100)}_days"] = days
                row[f"pinball_{round(q * 100)}"] = case.pinball[q]
            rows.append(row)
        return pd.DataFrame(rows)


def score_backtest(
    cases: Iterable[BacktestCase],
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    policy: FlagPolicy | None = None,
) -> BacktestReport:
    """Score every case and summarise. O(total forecast dates).

    With no cases every summary is `None` (see
    [BacktestReport][workplan_core.forecasting.backtest.BacktestReport]).

    Raises:
        ValidationError: `cases` is not a collection of `BacktestCase`, or a case is invalid
            (see `score_case`; its problems are prefixed with ``$.cases[i]``).
    """
    if isinstance(cases, str | bytes | Mapping) or not isinstance(cases, Iterable):
        rule = f"must be a sequence of BacktestCase, got {type(cases).__name__}"
        raise ValidationError.single("$.cases", rule)
    scored_cases = []
    for i, case in enumerate(cases):
        try:
            scored_cases.append(score_case(case, quantiles, policy))
        except ValidationError as error:
            raise error.prefixed(f"$.cases[{i}]") from None
    scored = tuple(scored_cases)
    flagged = [s for s in scored if s.flagged and s.late is not None]
    late = [s for s in scored if s.late]
    return BacktestReport(
        cases=scored,
        coverage={q: _mean([float(s.covered[q]) for s in scored]) for q in quantiles},
        pinball={q: _mean([s.pinball[q] for s in scored]) for q in quantiles},
        crps=_mean([s.crps for s in scored]),
        mae_p50=_mean([float(s.abs_error_p50) for s in scored]),
        flag_lead_time_days=_mean([float(s.lead_time_days or 0) for s in flagged if s.late]),
        false_alarm_rate=_mean([float(not s.late) for s in flagged]),
        miss_rate=_mean([float(not s.flagged) for s in late]),
    )


def replay_throughput(
    node_id: str,
    completions: Sequence[dt.date],
    *,
    as_of_dates: Iterable[dt.date],
    due: dt.date | None = None,
    history_periods: int = 12,
    settings: ForecastSettings | None = None,
) -> list[BacktestCase]:
    """Forecast a finished node as of earlier days, from only the completions known then.

    Args:
        node_id: the node.
        completions: the days each of its tasks finished (all of them: the node is finished).
        as_of_dates: the days to forecast from (days on or after the finish are skipped).
        due: the node's due date.
        history_periods: how many periods of throughput history each forecast uses.
        settings: calendar and period length.

    O(a·(h·t + F)) for a as-of days, h history periods, t tasks and F the forecast's cost.

    Raises:
        ValidationError: no completions, or days that are not dates (or are datetimes),
            every one at once, or `history_periods` that is not a whole number >= 1.
    """
    problems = days_problems("$.completions", completions)
    if not problems and not completions:
        problems.append(Problem("$.completions", "a finished node has at least one task"))
    as_of_days = list(as_of_dates) if isinstance(as_of_dates, Iterable) else as_of_dates
    problems += days_problems("$.as_of_dates", as_of_days)
    problems += day_problems("$.due", due, optional=True)
    problems += whole_problems("$.history_periods", history_periods, low=1)
    raise_if(problems, "invalid backtest replay")
    rules = settings or ForecastSettings()
    finished = sorted(completions)
    actual = finished[-1]
    cases = []
    for as_of in sorted(set(as_of_days)):
        if as_of >= actual:
            continue
        history = throughput_counts(finished, as_of, history_periods, rules)
        remaining = len(finished) - bisect.bisect_right(finished, as_of)
        forecast = forecast_throughput(
            node_id, history, remaining, as_of=as_of, due=due, settings=rules
        )
        cases.append(BacktestCase(forecast, actual))
    return cases
