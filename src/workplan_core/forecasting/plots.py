"""Fan charts, burn-up and distribution plots (needs the `plot` extra; imported only when called).

Every function returns the matplotlib ``Axes`` it drew on, so a notebook can keep styling it.
The data behind each plot comes from pure functions (`count_quantiles`, a `Forecast`), which
work without matplotlib.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from workplan_core.forecasting._checks import (
    day_problems,
    days_problems,
    raise_if,
    type_problems,
    whole_problems,
)
from workplan_core.forecasting.distribution import Throughput, count_quantiles
from workplan_core.forecasting.forecast import Forecast, ForecastSettings

__all__ = ["plot_burnup", "plot_distribution"]

_BANDS = (0.05, 0.15, 0.5, 0.85, 0.95)


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError("plots need matplotlib: pip install 'workplan_core[plot]'") from exc
    _, created = plt.subplots(figsize=(8, 4))
    return created


def plot_distribution(forecast: Forecast, ax: Any = None) -> Any:
    """Bars of the probability of finishing at each date, the CDF, P50/P85/P95 and the due date.

    For work already finished on `as_of` with a known finish day, P50/P85/P95 mark that day.

    Raises:
        ValidationError: `forecast` is not a `Forecast` (checked before anything is drawn).
    """
    raise_if(type_problems("$.forecast", forecast, Forecast), "invalid forecast to plot")
    axes = _axes(ax)
    axes.bar(forecast.dates, forecast.pmf, width=3, alpha=0.5, label="finish in period")
    axes.step(forecast.dates, forecast.cdf, where="post", label="finished by")
    for name, day in (("P50", forecast.p50), ("P85", forecast.p85), ("P95", forecast.p95)):
        if day is not None:
            axes.axvline(day, linestyle=":", linewidth=1)
            axes.annotate(name, (day, 1.02), ha="center", fontsize=8)
    if forecast.due is not None:
        axes.axvline(forecast.due, color="red", linewidth=1.5, label="due")
    axes.set_ylim(0, 1.08)
    axes.set_title(f"{forecast.node_id}: completion forecast as of {forecast.as_of}")
    axes.legend(loc="lower right")
    return axes


def plot_burnup(
    completions: Sequence[dt.date],
    total: int,
    throughput: Throughput,
    *,
    as_of: dt.date,
    periods: int,
    settings: ForecastSettings | None = None,
    ax: Any = None,
) -> Any:
    """Burn-up: tasks done so far, the scope line, and a fan of how many will be done ahead.

    The fan shades the 5–95% and 15–85% ranges of tasks done per future period (exact, from
    `count_quantiles`) and draws the median.

    Raises:
        ValidationError: every problem at once, before anything is drawn: a completion or
            `as_of` is not a date (or is a datetime), `total` or `periods` is not a whole
            number >= 0 (a bool is not a number), `throughput` is not a `Throughput`, or
            `settings` is not a `ForecastSettings` or `None`.
    """
    problems = days_problems("$.completions", completions)
    problems += whole_problems("$.total", total)
    problems += type_problems("$.throughput", throughput, Throughput)
    problems += day_problems("$.as_of", as_of)
    problems += whole_problems("$.periods", periods)
    problems += type_problems("$.settings", settings, ForecastSettings, optional=True)
    raise_if(problems, "invalid burn-up")
    rules = settings or ForecastSettings()
    axes = _axes(ax)
    done = sorted(d for d in completions if d <= as_of)
    axes.step(done, range(1, len(done) + 1), where="post", label="done")
    rows = count_quantiles(throughput, periods, _BANDS)
    dates = [
        rules.calendar.add_working_days(as_of, n * rules.period_working_days)
        for n in range(periods + 1)
    ]
    base = len(done)
    low5, low15, mid, high85, high95 = ([base + row[i] for row in rows] for i in range(5))
    axes.fill_between(dates, low5, high95, alpha=0.15, label="5–95%")
    axes.fill_between(dates, low15, high85, alpha=0.3, label="15–85%")
    axes.plot(dates, mid, linestyle="--", label="median")
    axes.axhline(total, color="black", linewidth=1, label="scope")
    axes.set_title(f"burn-up as of {as_of}")
    axes.legend(loc="upper left")
    return axes
