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


# --- the to_pandas schema, arguments checked before any work --------------------------------

FIXED = {
    "node_id": "string",
    "as_of": "datetime64[ns]",
    "actual_days": "int64",
    "crps": "float64",
    "abs_error_p50": "int64",
    "flagged": "boolean",
    "late": "boolean",
    "lead_time_days": "Int64",
}


def _schema(quantiles: tuple[str, ...]) -> dict[str, str]:
    per_quantile = {}
    for name in quantiles:
        per_quantile |= {
            f"p{name}_days": "int64",
            f"covered_{name}": "boolean",
            f"pinball_{name}": "float64",
        }
    return FIXED | per_quantile


def _cases() -> list[BacktestCase]:
    due = AS_OF + dt.timedelta(days=7)
    return [
        BacktestCase(weekly((0.0, 0.5, 1.0), due=due), AS_OF + dt.timedelta(days=10)),  # flagged
        BacktestCase(weekly((0.0, 1.0), due=due), AS_OF + dt.timedelta(days=5)),  # on time
        BacktestCase(weekly((0.0, 0.5, 1.0)), AS_OF + dt.timedelta(days=14)),  # no due date
    ]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_to_pandas_has_a_fixed_schema(count: int) -> None:
    quantiles = (0.025, 0.1, 0.105, 0.5, 1.0)
    report = score_backtest(_cases()[:count], quantiles=quantiles)
    frame = report.to_pandas()
    names = ("2.5", "10", "10.5", "50", "100")
    assert {c: str(t) for c, t in frame.dtypes.items()} == _schema(names)
    assert len(frame) == count
    assert frame["crps"].sum() == pytest.approx(sum(s.crps for s in report.cases))
    for row, score in zip(frame.to_dict("records"), report.cases, strict=True):
        assert row["node_id"] == score.node_id
        assert row["as_of"] == pd_timestamp(score.as_of)
        assert (row["actual_days"], row["abs_error_p50"]) == (
            score.actual_days,
            score.abs_error_p50,
        )
        assert (row["crps"], row["flagged"]) == (score.crps, score.flagged)
        assert _none(row["late"]) == score.late
        assert _none(row["lead_time_days"]) == score.lead_time_days
        for q, name in zip(quantiles, names, strict=True):
            assert row[f"p{name}_days"] == score.quantile_days[q]
            assert row[f"covered_{name}"] == score.covered[q]
            assert row[f"pinball_{name}"] == score.pinball[q]


def pd_timestamp(day: dt.date) -> object:
    import pandas as pd

    return pd.Timestamp(day)


def _none(value: object) -> object:
    import pandas as pd

    return None if value is pd.NA else value


def test_to_pandas_keeps_the_default_column_names() -> None:
    frame = score_backtest(_cases()).to_pandas()
    assert list(frame.columns) == list(_schema(("50", "85", "95")))
    assert list(frame["p50_days"]) == [7, 7, 7]
    assert list(frame["late"].isna()) == [False, False, True]
    assert list(frame["lead_time_days"].isna()) == [False, True, True]


def test_quantiles_are_checked_before_any_work() -> None:
    for cases in ([], _cases()):
        with pytest.raises(ValidationError) as info:
            score_backtest(cases, quantiles=(1.5, "a", True, 0.0, float("nan"), 0.5, 0.5))  # type: ignore[arg-type]
        assert [(p.path, p.message) for p in info.value.problems] == [
            ("$.quantiles[0]", "must be in (0, 1]"),
            ("$.quantiles[1]", "must be a number in (0, 1], got str"),
            ("$.quantiles[2]", "must be a number in (0, 1], got bool"),
            ("$.quantiles[3]", "must be in (0, 1]"),
            ("$.quantiles[4]", "must be in (0, 1]"),
            ("$.quantiles[6]", "repeats $.quantiles[5]"),
        ]
    for quantiles in (None, "0.5", 0.5):
        with pytest.raises(ValidationError) as info:
            score_backtest([], quantiles=quantiles)  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.quantiles"]
    with pytest.raises(ValidationError) as info:
        score_case(_cases()[0], quantiles=(2,))
    assert [p.path for p in info.value.problems] == ["$.quantiles[0]"]
    # every problem at once: the quantiles, the policy and each bad case at its own path
    stamp = dt.datetime(2027, 1, 20, 9)
    bad = [_cases()[0], BacktestCase(weekly((0.0, 1.0)), stamp), "case"]  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        score_backtest(bad, quantiles=(0,), policy="strict")  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == [
        "$.quantiles[0]",
        "$.policy",
        "$.cases[1].actual",
        "$.cases[2]",
    ]


def test_plots_check_their_arguments_first() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workplan_core.forecasting.plots import plot_burnup, plot_distribution

    fig, ax = plt.subplots()
    for bad in (None, "x"):
        with pytest.raises(ValidationError) as info:
            plot_distribution(bad, ax=ax)  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.forecast"]
    with pytest.raises(ValidationError) as info:
        plot_burnup(
            [AS_OF, "x"],  # type: ignore[list-item]
            "3",  # type: ignore[arg-type]
            [1, 2],  # type: ignore[arg-type]
            as_of=dt.datetime(2027, 3, 1, 9),
            periods=-1,
            settings="weekly",  # type: ignore[arg-type]
            ax=ax,
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.completions[1]", "must be a date, got str"),
        ("$.total", "must be a whole number >= 0, got str"),
        ("$.throughput", "must be a Throughput, got list"),
        ("$.as_of", "must be a date, not a datetime"),
        ("$.periods", "must be a whole number >= 0"),
        ("$.settings", "must be a ForecastSettings or None, got str"),
    ]
    assert len(ax.lines) + len(ax.collections) + len(ax.patches) == 0  # nothing was drawn
    plt.close(fig)
