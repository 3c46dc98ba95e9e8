"""Forecasting: exact completion-date distributions, earned value, delay flags and backtests."""

from workplan_core.forecasting.backtest import (
    BacktestCase,
    BacktestReport,
    CaseScore,
    quantile_name,
    replay_throughput,
    score_backtest,
    score_case,
)
from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    count_distribution,
    count_quantiles,
    periods_to_finish,
    remaining_mixture,
)
from workplan_core.forecasting.earned_value import EarnedValueReport, PlannedValue, earned_value
from workplan_core.forecasting.flags import (
    DelayFlag,
    FlagPolicy,
    FlagSeverity,
    combine_children,
    delay_flag,
)
from workplan_core.forecasting.forecast import (
    DEFAULT_QUANTILES,
    Forecast,
    ForecastMethod,
    ForecastSettings,
    forecast_pace,
    forecast_throughput,
    pace_resolution,
    to_forecast,
)
from workplan_core.forecasting.from_checkins import (
    forecast_cascade,
    forecast_node,
    outlooks,
    work_begun,
)
from workplan_core.forecasting.sampling import sample_periods_to_finish

__all__ = [
    "DEFAULT_QUANTILES",
    "BacktestCase",
    "BacktestReport",
    "CaseScore",
    "DelayFlag",
    "EarnedValueReport",
    "FlagPolicy",
    "FlagSeverity",
    "Forecast",
    "ForecastMethod",
    "ForecastSettings",
    "PeriodDistribution",
    "PlannedValue",
    "Throughput",
    "combine_children",
    "count_distribution",
    "count_quantiles",
    "delay_flag",
    "earned_value",
    "forecast_cascade",
    "forecast_node",
    "forecast_pace",
    "forecast_throughput",
    "outlooks",
    "pace_resolution",
    "periods_to_finish",
    "quantile_name",
    "remaining_mixture",
    "replay_throughput",
    "sample_periods_to_finish",
    "score_backtest",
    "score_case",
    "to_forecast",
    "work_begun",
]
