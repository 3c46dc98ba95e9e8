"""Backtesting: hand-checked scores, replay uses only past data, pandas and plots."""

from __future__ import annotations

import datetime as dt

import pytest

from workplan_core.errors import ValidationError
from workplan_core.forecasting.backtest import (
    BacktestCase,
    replay_throughput,
    score_backtest,
    score_case,
)
from workplan_core.forecasting.distribution import Throughput, count_quantiles
from workplan_core.forecasting.forecast import Forecast, ForecastMethod

D = dt.date
AS_OF = D(2027, 3, 1)


def weekly(cdf: tuple[float, ...], due: dt.date | None = None) -> Forecast:
    dates = tuple(AS_OF + dt.timedelta(weeks=i) for i in range(len(cdf)))
    return Forecast("n", AS_OF, ForecastMethod.THROUGHPUT, dates, cdf, due=due, history_periods=8)


def test_scores_of_one_case_by_hand() -> None:
    # CDF 0 until day 7, 0.5 on [7, 14), 1 from day 14. Actual finish: day 10.
    case = BacktestCase(
        weekly((0.0, 0.5, 1.0), due=AS_OF + dt.timedelta(days=7)), AS_OF + dt.timedelta(days=10)
    )
    s = score_case(case, quantiles=(0.5, 0.85))
    assert s.actual_days == 10
    assert s.quantile_days == {0.5: 7, 0.85: 14}
    assert s.covered == {0.5: False, 0.85: True}
    # pinball: q=0.5, y=10 >= Q=7 -> 0.5*3 = 1.5; q=0.85, y=10 < 14 -> 0.15*4 = 0.6
    assert s.pinball[0.5] == pytest.approx(1.5)
    assert s.pinball[0.85] == pytest.approx(0.6)
    # CRPS = [0,7): 0^2*7 + [7,10): 0.5^2*3 + [10,14): (0.5-1)^2*4 + after: 0 = 0.75 + 1.0 = 1.75
    assert s.crps == pytest.approx(1.75)
    assert s.abs_error_p50 == 3
    # on-time probability by day 7 is 0.5 < 0.7: flagged; finished day 10 > due day 7: late
    assert (s.flagged, s.late, s.lead_time_days) == (True, True, 7)


def test_tail_beyond_the_horizon_is_one_period_later() -> None:
    # CDF reaches only 0.5 by day 7; the other half is placed at day 14. Actual: day 20.
    s = score_case(BacktestCase(weekly((0.0, 0.5)), AS_OF + dt.timedelta(days=20)), (0.85,))
    assert s.quantile_days == {0.85: 14}
    # CRPS = [7,14): 0.25*7 + [14,20): 1*6 = 1.75 + 6 = 7.75
    assert s.crps == pytest.approx(7.75)


def test_report_summaries() -> None:
    due = AS_OF + dt.timedelta(days=7)
    early = BacktestCase(weekly((0.0, 0.5, 1.0), due=due), AS_OF + dt.timedelta(days=5))
    late = BacktestCase(weekly((0.0, 0.5, 1.0), due=due), AS_OF + dt.timedelta(days=10))
    confident = BacktestCase(weekly((0.0, 1.0), due=due), AS_OF + dt.timedelta(days=12))
    report = score_backtest([early, late, confident], quantiles=(0.5,))
    assert report.coverage[0.5] == pytest.approx(1 / 3)  # only `early` finished by its P50
    assert report.false_alarm_rate == pytest.approx(0.5)  # flags on early (on time) and late
    assert report.miss_rate == pytest.approx(0.5)  # late cases: `late` flagged, `confident` not
    assert report.flag_lead_time_days == 7
    frame = report.to_pandas()
    assert list(frame["actual_days"]) == [5, 10, 12]
    assert list(frame["p50_days"]) == [7, 7, 7]


def test_replay_uses_only_what_was_known() -> None:
    # one task every Monday for 10 weeks; forecast as of the 5th Monday
    completions = [D(2027, 1, 4) + dt.timedelta(weeks=i) for i in range(10)]
    cases = replay_throughput(
        "n", completions, as_of_dates=[D(2027, 2, 1), D(2027, 3, 8)], history_periods=4
    )
    assert len(cases) == 1  # the second day is after the finish
    forecast = cases[0].forecast
    assert forecast.history_periods == 4
    # exactly one task per week in every known period; 5 remain -> finished 5 weeks later
    assert forecast.p50 == D(2027, 3, 8)
    assert cases[0].actual == D(2027, 3, 8)
    assert score_case(cases[0]).abs_error_p50 == 0
    with pytest.raises(ValidationError):
        replay_throughput("n", [], as_of_dates=[AS_OF])


def test_fan_chart_quantiles() -> None:
    # throughput 0 or 2 with equal chance: after 2 periods done is 0 (1/4), 2 (1/2), 4 (1/4)
    rows = count_quantiles(Throughput.from_history([0, 2]), 2, (0.2, 0.5, 0.8))
    assert rows[0] == (0, 0, 0)
    assert rows[1] == (0, 0, 2)
    assert rows[2] == (0, 2, 4)


def test_plots_draw_on_given_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workplan_core.forecasting.plots import plot_burnup, plot_distribution

    forecast = weekly((0.0, 0.3, 0.8, 1.0), due=AS_OF + dt.timedelta(weeks=2))
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_distribution(forecast, ax=left) is left
    assert len(left.patches) == 4  # one bar per date
    completions = [AS_OF - dt.timedelta(weeks=i) for i in range(5)]
    axes = plot_burnup(
        completions, 12, Throughput.from_history([1, 2, 0, 3]), as_of=AS_OF, periods=6, ax=right
    )
    assert axes is right
    assert len(right.collections) == 2  # the two fan bands
    plt.close(fig)


def test_an_empty_backtest_scores_nothing() -> None:
    # no cases: every summary is None (a coverage of 0 would read as "never covered")
    report = score_backtest([], quantiles=(0.5, 0.85))
    assert report.cases == ()
    assert report.coverage == {0.5: None, 0.85: None}
    assert report.pinball == {0.5: None, 0.85: None}
    assert (report.crps, report.mae_p50, report.false_alarm_rate, report.miss_rate) == (
        None,
        None,
        None,
        None,
    )


def test_backtest_days_must_be_dates() -> None:
    stamp = dt.datetime(2027, 1, 20, 9)
    with pytest.raises(ValidationError) as info:
        replay_throughput(
            "n", [D(2027, 1, 5), stamp], as_of_dates=[stamp], due=stamp, history_periods=0
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.completions[1]", "must be a date, not a datetime"),
        ("$.as_of_dates[0]", "must be a date, not a datetime"),
        ("$.due", "must be a date, not a datetime"),
        ("$.history_periods", "must be a whole number >= 1"),
    ]
    case = BacktestCase(weekly((0.0, 1.0)), stamp)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        score_backtest([case])
    assert [p.path for p in info.value.problems] == ["$.cases[0].actual"]
    with pytest.raises(ValidationError) as info:
        score_backtest(None)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["$.cases"]
