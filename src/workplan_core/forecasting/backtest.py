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
from decimal import Decimal
from typing import Any, cast

import attrs

from workplan_core.errors import Problem
from workplan_core.forecasting._checks import (
    day_problems,
    days_problems,
    is_number,
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
    "quantile_name",
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


def quantile_name(q: float) -> str:
    """The name of quantile `q` in column names: the exact percentage (0.025 -> ``"2.5"``).

    Written from the shortest decimal that reads back as `q`, scaled by 100, so distinct
    quantiles have distinct names (0.1 -> ``"10"``, 0.105 -> ``"10.5"``, 1.0 -> ``"100"``).
    """
    return format(Decimal(repr(float(q))).scaleb(2).normalize(), "f")


def _quantile_problems(quantiles: object) -> list[Problem]:
    """Every problem with the quantiles: each a number in (0, 1] (not a bool), none repeated."""
    if isinstance(quantiles, str | bytes | Mapping) or not isinstance(quantiles, Iterable):
        rule = f"must be a sequence of numbers in (0, 1], got {type(quantiles).__name__}"
        return [Problem("$.quantiles", rule)]
    problems = []
    seen: dict[str, int] = {}
    for i, q in enumerate(quantiles):
        path = f"$.quantiles[{i}]"
        if not is_number(q):
            problems.append(Problem(path, f"must be a number in (0, 1], got {type(q).__name__}"))
        elif not 0.0 < q <= 1.0:  # NaN is refused too
            problems.append(Problem(path, "must be in (0, 1]"))
        elif (first := seen.setdefault(quantile_name(q), i)) != i:
            problems.append(Problem(path, f"repeats $.quantiles[{first}]"))
    return problems


def _case_problems(case: object) -> list[Problem]:
    """Every problem with one backtest case (paths from ``$``, the case)."""
    if not isinstance(case, BacktestCase):
        return type_problems("$", case, BacktestCase)
    problems = type_problems("$.forecast", case.forecast, Forecast)
    problems += day_problems("$.actual", case.actual)
    if not problems and case.actual < case.forecast.as_of:
        problems.append(Problem("$.actual", "the node finished before the forecast was made"))
    return problems


def _arguments_problems(quantiles: object, policy: object) -> list[Problem]:
    return _quantile_problems(quantiles) + type_problems(
        "$.policy", policy, FlagPolicy, optional=True
    )


def score_case(
    case: BacktestCase,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    policy: FlagPolicy | None = None,
) -> CaseScore:
    """Score one forecast against what happened. O(D) for D forecast dates.

    Raises:
        ValidationError: every problem at once: `case` is not a `BacktestCase`, its
            `actual` day is not a date (or is a datetime) or is before the forecast was
            made, a quantile is not a number in (0, 1] (a bool is not a number) or repeats
            another (``$.quantiles[i]``), or `policy` is not a `FlagPolicy` or `None`.
    """
    problems = _case_problems(case)
    problems += _arguments_problems(quantiles, policy)
    raise_if(problems, "invalid backtest case")
    return _score(case, quantiles, policy)


def _score(case: BacktestCase, quantiles: Sequence[float], policy: FlagPolicy | None) -> CaseScore:
    forecast = case.forecast
    actual_days = (case.actual - forecast.as_of).days
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
        """One row per case as a pandas DataFrame (needs the `pandas` extra).

        The columns and their dtypes are the same whatever the cases, none included:

        | column | dtype | value |
        | --- | --- | --- |
        | `node_id` | `string` | the node |
        | `as_of` | `datetime64[ns]` | when the forecast was made (midnight) |
        | `actual_days` | `int64` | days from `as_of` to the actual finish |
        | `crps` | `float64` | the CRPS in days |
        | `abs_error_p50` | `int64` | ``abs(P50 - actual)`` in days |
        | `flagged` | `boolean` | whether a delay flag was raised |
        | `late` | `boolean` | finished after the due date; `<NA>` without one |
        | `lead_time_days` | `Int64` | ``due - as_of`` when flagged, else `<NA>` |

        then, for each quantile ``q`` of the report in order, with ``N`` its exact percentage
        (see [quantile_name][workplan_core.forecasting.backtest.quantile_name]: 0.5 ->
        ``50``, 0.025 -> ``2.5``, 0.105 -> ``10.5``): `pN_days` (`int64`, the quantile's
        days), `covered_N` (`boolean`) and `pinball_N` (`float64`, the pinball loss in days).
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - exercised without the extra
            raise ImportError(
                "to_pandas() needs pandas: pip install 'workplan_core[pandas]'"
            ) from exc
        cases = self.cases
        columns: dict[str, Any] = {
            "node_id": pd.array([c.node_id for c in cases], dtype="string"),
            "as_of": pd.Series(
                [dt.datetime.combine(c.as_of, dt.time()) for c in cases], dtype="datetime64[ns]"
            ),
            "actual_days": pd.array([c.actual_days for c in cases], dtype="int64"),
            "crps": pd.array([c.crps for c in cases], dtype="float64"),
            "abs_error_p50": pd.array([c.abs_error_p50 for c in cases], dtype="int64"),
            "flagged": pd.array([c.flagged for c in cases], dtype="boolean"),
            "late": pd.array([c.late for c in cases], dtype="boolean"),
            "lead_time_days": pd.array([c.lead_time_days for c in cases], dtype="Int64"),
        }
        for q in self.coverage:
            name = quantile_name(q)
            columns[f"p{name}_days"] = pd.array([c.quantile_days[q] for c in cases], dtype="int64")
            columns[f"covered_{name}"] = pd.array([c.covered[q] for c in cases], dtype="boolean")
            columns[f"pinball_{name}"] = pd.array([c.pinball[q] for c in cases], dtype="float64")
        return pd.DataFrame({name: pd.Series(values) for name, values in columns.items()})


def score_backtest(
    cases: Iterable[BacktestCase],
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    policy: FlagPolicy | None = None,
) -> BacktestReport:
    """Score every case and summarise. O(total forecast dates).

    With no cases every summary is `None` (see
    [BacktestReport][workplan_core.forecasting.backtest.BacktestReport]).

    Every argument is checked before any case is scored, with or without cases.

    Raises:
        ValidationError: every problem at once: a quantile is not a number in (0, 1] or
            repeats another (``$.quantiles[i]``), `policy` is not a `FlagPolicy` or `None`,
            `cases` is not a collection of `BacktestCase`, or a case is invalid (see
            `score_case`; its problems are prefixed with ``$.cases[i]``).
    """
    problems = _arguments_problems(quantiles, policy)
    listed: list[object] = []
    if isinstance(cases, str | bytes | Mapping) or not isinstance(cases, Iterable):
        rule = f"must be a sequence of BacktestCase, got {type(cases).__name__}"
        problems.append(Problem("$.cases", rule))
    else:
        listed = list(cases)
    for i, case in enumerate(listed):
        problems += [Problem(f"$.cases[{i}]" + p.path[1:], p.message) for p in _case_problems(case)]
    raise_if(problems, "invalid backtest")
    scored_cases = [_score(cast("BacktestCase", case), quantiles, policy) for case in listed]
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
